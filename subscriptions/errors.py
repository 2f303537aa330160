"""Named errors of the shared kernel: money, the billing calendar, the ledger, concurrency.

Every error a caller can meet in the subscriptions room (the kernel and each domain under it) is a subclass
of `SubscriptionsError`, so a handler can catch the family and still tell a user precisely what went wrong
by the class (and its `code`, a stable string that translation catalogs and pre-checkout answers key on).
Each domain names its own errors in `subscriptions/<domain>/errors.py`.
"""

from __future__ import annotations


class SubscriptionsError(Exception):
    """Base of every error raised by the subscriptions room."""

    code = "subscriptions_error"


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


class InvalidInterval(SubscriptionsError):
    """A billing interval with a count below one or an unknown unit."""

    code = "invalid_interval"


class NaiveDatetime(SubscriptionsError):
    """A datetime without a timezone reached code that only works with instants."""

    code = "naive_datetime"


class UnknownTimezone(SubscriptionsError):
    """A timezone name that is not in the IANA database."""

    code = "unknown_timezone"


class InvalidSplit(SubscriptionsError):
    """A revenue split whose shares do not add up to 100% or name a party twice."""

    code = "invalid_split"


class ConcurrentUpdate(SubscriptionsError):
    """Someone else changed the row since it was read (optimistic concurrency)."""

    code = "concurrent_update"


class RefundExceedsPayment(SubscriptionsError):
    code = "refund_exceeds_payment"


class UnbalancedTransaction(SubscriptionsError):
    """Debits and credits of a journal transaction differ in some currency."""

    code = "unbalanced_transaction"
