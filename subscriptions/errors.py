"""Named domain errors of the subscriptions room.

Every error a caller can meet is a subclass of `SubscriptionsError`, so a handler can catch the family
and still tell a user precisely what went wrong by the class (and its `code`, a stable string that
translation catalogs and pre-checkout answers key on).
"""

from __future__ import annotations


class SubscriptionsError(Exception):
    """Base of every error raised by the subscriptions room."""

    code = "subscriptions_error"


# --- money -------------------------------------------------------------------------------------------


class CurrencyMismatch(SubscriptionsError):
    """Two amounts in different currencies met in one calculation."""

    code = "currency_mismatch"


class UnknownCurrency(SubscriptionsError):
    """A currency code we do not ship (only KRW, JPY, USD, EUR and XTR are supported)."""

    code = "unknown_currency"


class InvalidAmount(SubscriptionsError):
    """An amount that is not a whole number of minor units, or is negative where it must not be."""

    code = "invalid_amount"


class InvalidAllocation(SubscriptionsError):
    """Weights for a split that are negative or sum to nothing."""

    code = "invalid_allocation"


# --- calendar ----------------------------------------------------------------------------------------


class InvalidInterval(SubscriptionsError):
    """A billing interval with a count below one or an unknown unit."""

    code = "invalid_interval"


class NaiveDatetime(SubscriptionsError):
    """A datetime without a timezone reached code that only works with instants."""

    code = "naive_datetime"


class UnknownTimezone(SubscriptionsError):
    """A timezone name that is not in the IANA database."""

    code = "unknown_timezone"


# --- offers and plans ----------------------------------------------------------------------------------


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
    """What the user is about to pay is no longer the plan's price."""

    code = "price_changed"


class LimitReached(SubscriptionsError):
    """The user already holds as many subscriptions to this plan as it allows."""

    code = "limit_reached"


class InvalidSplit(SubscriptionsError):
    """A revenue split whose shares do not add up to 100% or name a party twice."""

    code = "invalid_split"


class NotMerchantMember(SubscriptionsError):
    """Someone tried to manage an offer of an organisation they do not act for."""

    code = "not_merchant_member"


class InvalidPlan(SubscriptionsError):
    """A plan definition that cannot be billed (e.g. a Stars plan that is not 30 days in XTR)."""

    code = "invalid_plan"


# --- subscriptions -------------------------------------------------------------------------------------


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


class ConcurrentUpdate(SubscriptionsError):
    """Someone else changed the row since it was read (optimistic concurrency)."""

    code = "concurrent_update"


class SamePlan(SubscriptionsError):
    code = "same_plan"


# --- payments ------------------------------------------------------------------------------------------


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


class RefundExceedsPayment(SubscriptionsError):
    code = "refund_exceeds_payment"


class UnsupportedByProvider(SubscriptionsError):
    """The payment provider cannot take this currency or this billing interval."""

    code = "unsupported_by_provider"


class PayloadTooLong(SubscriptionsError):
    """Telegram's invoice payload and deep-link payload are limited to 64 characters."""

    code = "payload_too_long"


# --- ledger --------------------------------------------------------------------------------------------


class UnbalancedTransaction(SubscriptionsError):
    """Debits and credits of a journal transaction differ in some currency."""

    code = "unbalanced_transaction"


# --- gifts ---------------------------------------------------------------------------------------------


class GiftNotFound(SubscriptionsError):
    code = "gift_not_found"


class GiftAlreadyClaimed(SubscriptionsError):
    code = "gift_already_claimed"


class GiftCodeExpired(SubscriptionsError):
    code = "gift_code_expired"


class CannotClaimOwnGift(SubscriptionsError):
    """The buyer opened their own gift link; the gift stays unclaimed for the person it is meant for."""

    code = "cannot_claim_own_gift"


# --- reminders -----------------------------------------------------------------------------------------


class UnknownReminderKind(SubscriptionsError):
    code = "unknown_reminder_kind"
