"""Use cases of billing, each a short function over a unit of work.

Every function opens the unit of work, loads aggregates, lets them decide, saves them with their
expected version, records what happened (`uow.events`) and commits once. Reads that change nothing
(pre-checkout, listings, statements) do not commit. The `Billing` value carries what services need
besides storage: the clock, the id source, the payment providers and the settings.
"""

from subscriptions.billing.services.checkout import Subscribed, check_pre_checkout, subscribe
from subscriptions.billing.services.common import Billing, BillingSettings, CheckoutStarted
from subscriptions.billing.services.gifts import buy_gift, claim_gift, expire_gifts, gift_by_code
from subscriptions.billing.services.lifecycle import (
    Canceled,
    PlanChange,
    cancel,
    change_plan,
    change_timezone,
    pause,
    resume,
    withdraw_cancellation,
)
from subscriptions.billing.services.offers import add_plan, archive_offer, change_price, publish_offer
from subscriptions.billing.services.payments import (
    PaymentOutcome,
    StarCharge,
    checkout_by_id,
    credit_missing_star_charge,
    record_fee,
    record_payments,
    record_successful_payment,
    refund,
    renewal_checkout,
)
from subscriptions.billing.services.purchases import (
    owned_items,
    owns_item,
    purchases_of_merchant,
    start_purchase,
    tips_of_merchant,
)
from subscriptions.billing.services.refunds import mark_refund_done, open_refund_tasks
from subscriptions.billing.services.renewals import (
    SweepResult,
    advance_due,
    issue_renewal_invoices,
    renew_due,
    sweep,
)
from subscriptions.billing.services.reports import (
    MerchantOffers,
    account_statement,
    active_offers,
    merchant_balance,
    merchant_earnings,
    merchant_name,
    merchant_offers,
    merchant_statement,
    merchant_subscribers,
    merchants,
    monthly_earnings,
    named_subscribers,
    offer,
    own_subscription,
    payment_purposes,
    receipt_history,
    user_subscriptions,
)

__all__ = [
    "Billing",
    "BillingSettings",
    "Canceled",
    "CheckoutStarted",
    "MerchantOffers",
    "PaymentOutcome",
    "PlanChange",
    "Subscribed",
    "SweepResult",
    "account_statement",
    "active_offers",
    "add_plan",
    "advance_due",
    "archive_offer",
    "buy_gift",
    "cancel",
    "change_plan",
    "change_price",
    "change_timezone",
    "check_pre_checkout",
    "checkout_by_id",
    "claim_gift",
    "expire_gifts",
    "gift_by_code",
    "issue_renewal_invoices",
    "merchant_balance",
    "merchant_name",
    "merchant_offers",
    "merchant_earnings",
    "merchant_statement",
    "merchant_subscribers",
    "merchants",
    "monthly_earnings",
    "owned_items",
    "owns_item",
    "purchases_of_merchant",
    "start_purchase",
    "tips_of_merchant",
    "named_subscribers",
    "offer",
    "own_subscription",
    "pause",
    "payment_purposes",
    "publish_offer",
    "receipt_history",
    "record_fee",
    "StarCharge",
    "credit_missing_star_charge",
    "record_payments",
    "record_successful_payment",
    "refund",
    "mark_refund_done",
    "open_refund_tasks",
    "renew_due",
    "renewal_checkout",
    "resume",
    "subscribe",
    "sweep",
    "user_subscriptions",
    "withdraw_cancellation",
]
