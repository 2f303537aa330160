"""Named errors of billing: offers and plans, subscriptions, checkouts and payments, gifts."""

from __future__ import annotations

from subscriptions.errors import RefundExceedsPayment, SubscriptionsError
from subscriptions.money import Money


class OfferNotFound(SubscriptionsError):
    code = "offer_not_found"


class OfferArchived(SubscriptionsError):
    """The offer (or the plan) was archived: it takes no new subscribers or payments."""

    code = "offer_archived"


class PlanNotFound(SubscriptionsError):
    code = "plan_not_found"


class PlanArchived(SubscriptionsError):
    code = "plan_archived"


class PriceChanged(SubscriptionsError):
    """What the user is about to pay is no longer the plan's (or the item's) price; `price` is the new one
    when the refusal knows it."""

    code = "price_changed"

    def __init__(self, message: str = "", price: Money | None = None) -> None:
        super().__init__(message)
        self.price = price


class PriceOutOfRange(SubscriptionsError):
    """A one-off price the provider cannot take (Stars: 1 to 10,000 per item; cards: more than nothing)."""

    code = "price_out_of_range"


class InvalidPurchase(SubscriptionsError):
    """A one-off sale that cannot be made: not a purchase or a tip, or an item without a kind or an id."""

    code = "invalid_purchase"


class TipMessageTooLong(SubscriptionsError):
    """A tip's message to the merchant is longer than `TIP_MESSAGE_LIMIT` characters."""

    code = "tip_message_too_long"


class AlreadyOwned(SubscriptionsError):
    """The user already holds a live purchase of this item (tips may repeat, purchases do not)."""

    code = "already_owned"


class LimitReached(SubscriptionsError):
    """The user already holds as many subscriptions to this plan as it allows."""

    code = "limit_reached"


class NotMerchantMember(SubscriptionsError):
    """Someone tried to manage an offer of an organisation they do not act for."""

    code = "not_merchant_member"


class InvalidPlan(SubscriptionsError):
    """A plan definition that cannot be billed (e.g. a Stars plan that is not 30 days in XTR)."""

    code = "invalid_plan"


class SubscriptionNotFound(SubscriptionsError):
    code = "subscription_not_found"


class NotYourSubscription(SubscriptionsError):
    """A user acted on a subscription that belongs to someone else (e.g. forged callback data)."""

    code = "not_your_subscription"


class IllegalTransition(SubscriptionsError):
    """The subscription's status does not allow this operation."""

    code = "illegal_transition"

    def __init__(self, operation: str, status: str) -> None:
        super().__init__(f"cannot {operation} a subscription that is {status}")
        self.operation = operation
        self.status = status


class FixedTerm(IllegalTransition):
    """A fixed-term subscription (a rental contract's rent) is not paused, changed or cancelled by the
    subscriber: it runs its term, and the contract it belongs to is what ends it early."""

    code = "fixed_term"

    def __init__(self, operation: str) -> None:
        super().__init__(operation, "fixed-term")


class SamePlan(SubscriptionsError):
    code = "same_plan"


class CheckoutNotFound(SubscriptionsError):
    code = "checkout_not_found"


class CheckoutExpired(SubscriptionsError):
    code = "checkout_expired"


class CheckoutAlreadyPaid(SubscriptionsError):
    code = "checkout_already_paid"


class PaymentMismatch(SubscriptionsError):
    """A successful payment whose amount or currency differs from its checkout."""

    code = "payment_mismatch"


class PaymentNotFound(SubscriptionsError):
    code = "payment_not_found"


class UnsupportedByProvider(SubscriptionsError):
    """The payment provider cannot take this currency or this billing interval."""

    code = "unsupported_by_provider"


class PayloadTooLong(SubscriptionsError):
    """Telegram's invoice payload and deep-link payload are limited to 64 characters."""

    code = "payload_too_long"


class GiftNotFound(SubscriptionsError):
    code = "gift_not_found"


class GiftAlreadyClaimed(SubscriptionsError):
    code = "gift_already_claimed"


class GiftCodeExpired(SubscriptionsError):
    code = "gift_code_expired"


class CannotClaimOwnGift(SubscriptionsError):
    """The buyer opened their own gift link; the gift stays unclaimed for the person it is meant for."""

    code = "cannot_claim_own_gift"


class RefundTaskNotFound(SubscriptionsError):
    """No open card refund with this id for the organisations the member may act for."""

    code = "refund_task_not_found"


class RefundTaskClosed(SubscriptionsError):
    """The card refund was already marked done."""

    code = "refund_task_closed"


class PaymentAlreadyRefunded(SubscriptionsError):
    """Nothing is left to refund: the payment was refunded in full."""

    code = "payment_already_refunded"


class RefundAboveRemaining(RefundExceedsPayment):
    """The amount asked is more than what is left of the payment (`left`)."""

    code = "refund_above_remaining"

    def __init__(self, payment_id: str, left: Money) -> None:
        super().__init__(f"at most {left} is left of {payment_id}")
        self.left = left


class InvalidRefundAmount(SubscriptionsError):
    """The typed amount is not an amount of the payment's currency (or is zero)."""

    code = "invalid_refund_amount"


class RefundReasonMissing(SubscriptionsError):
    """A refund the platform makes says why; the reason was empty."""

    code = "refund_reason_missing"


class RefundConfirmationGone(SubscriptionsError):
    """The refund being prepared is not open any more: confirmed a moment ago, cancelled, expired or another's."""

    code = "refund_confirmation_gone"
