"""What happened (events, past tense) and what the domain asks the outside to do (commands).

Services hand both to the unit of work's events in the same transaction as the change that caused
them; the bot turns events into messages (a receipt, "your gift was claimed") and commands into
Telegram calls (send a renewal invoice, cancel a Stars subscription, refund a Stars payment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.ids import UserId
from subscriptions.money import Money

# --- subscription lifecycle -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionStarted:
    subscription_id: str
    user_id: UserId
    offer_id: str
    plan_version_id: str
    status: str
    paid_through: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionRenewed:
    subscription_id: str
    user_id: UserId
    term_number: int
    period_start: datetime
    period_end: datetime
    amount: Money
    recovered: bool  # True when the payment brought a past-due or suspended subscription back
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentFailed:
    """A period ended without its payment: the subscription is past due from `due_at`."""

    subscription_id: str
    user_id: UserId
    term_number: int
    due_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionSuspended:
    subscription_id: str
    user_id: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class CancellationScheduled:
    subscription_id: str
    user_id: UserId
    ends_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class CancellationWithdrawn:
    subscription_id: str
    user_id: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionCanceled:
    subscription_id: str
    user_id: UserId
    reason: str  # "user", "period_end", "unpaid", "term_complete" (a fixed term ran out)
    refund: Money | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionPaused:
    subscription_id: str
    user_id: UserId
    remaining_seconds: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionResumed:
    subscription_id: str
    user_id: UserId
    paid_through: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionUpgraded:
    subscription_id: str
    user_id: UserId
    from_plan_version_id: str
    to_plan_version_id: str
    credit: Money  # unused time of the old plan
    charge: Money  # the rest of the period at the new plan's price
    at: datetime


@dataclass(frozen=True, slots=True)
class PlanChangeScheduled:
    subscription_id: str
    user_id: UserId
    to_plan_id: str
    effective_at: datetime
    at: datetime


# --- payments ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentReceived:
    payment_id: str
    user_id: UserId
    merchant_id: str
    amount: Money
    purpose: str
    subscription_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PaymentRefunded:
    payment_id: str
    user_id: UserId
    merchant_id: str
    amount: Money
    at: datetime
    reason: str = ""  # why, when the platform refunded it (the payer reads it)


# --- one-off purchases and tips --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemPurchased:
    """`user_id` bought the item (`item_kind`, `item_id`) of `merchant_id` once, for `amount`."""

    purchase_id: str
    payment_id: str
    user_id: UserId
    merchant_id: str
    item_kind: str
    item_id: str
    amount: Money
    curator_id: UserId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class TipPaid:
    """`user_id` tipped `merchant_id` `amount` for the item (a creator, a post) with `message` (or none)."""

    purchase_id: str
    payment_id: str
    user_id: UserId
    merchant_id: str
    item_kind: str
    item_id: str
    amount: Money
    message: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseRefunded:
    """A purchase's (or a tip's) payment was refunded in full: the item is no longer the user's."""

    purchase_id: str
    payment_id: str
    user_id: UserId
    merchant_id: str
    item_kind: str
    item_id: str
    purpose: str
    amount: Money
    at: datetime


# --- gifts ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GiftPurchased:
    gift_id: str
    buyer_id: UserId
    code: str
    expires_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class GiftClaimed:
    """Tell the buyer: "your gift was claimed by ..."."""

    gift_id: str
    buyer_id: UserId
    recipient_id: UserId
    subscription_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class GiftExpired:
    gift_id: str
    buyer_id: UserId
    refund: Money
    at: datetime


# --- commands to the outside ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendInvoice:
    """Send this invoice to the user (a renewal invoice for a card subscription)."""

    user_id: UserId
    checkout_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CancelStarSubscription:
    """editUserStarSubscription(user_id, telegram_payment_charge_id, is_canceled)."""

    user_id: UserId
    telegram_payment_charge_id: str
    is_canceled: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class RefundStarPayment:
    """refundStarPayment(user_id, telegram_payment_charge_id): Stars refunds are whole payments."""

    user_id: UserId
    telegram_payment_charge_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RefundCardPayment:
    """Card providers refund outside the Bot API: the merchant refunds in the provider's back office. The
    refund is the stored task `task_id` (see `subscriptions.billing.refunds`); this tells its people."""

    provider: str
    provider_payment_charge_id: str
    amount: Money
    at: datetime
    task_id: str = ""


@dataclass(frozen=True, slots=True)
class CardRefundDone:
    """Someone of the merchant (or a platform admin) marked a card refund as made."""

    task_id: str
    payment_id: str
    user_id: UserId
    merchant_id: str
    amount: Money
    at: datetime


DomainEvent = (
    SubscriptionStarted
    | SubscriptionRenewed
    | PaymentFailed
    | SubscriptionSuspended
    | CancellationScheduled
    | CancellationWithdrawn
    | SubscriptionCanceled
    | SubscriptionPaused
    | SubscriptionResumed
    | SubscriptionUpgraded
    | PlanChangeScheduled
    | PaymentReceived
    | PaymentRefunded
    | CardRefundDone
    | ItemPurchased
    | TipPaid
    | PurchaseRefunded
    | GiftPurchased
    | GiftClaimed
    | GiftExpired
)
Command = SendInvoice | CancelStarSubscription | RefundStarPayment | RefundCardPayment
Message = DomainEvent | Command
