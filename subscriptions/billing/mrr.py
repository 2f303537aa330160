"""Monthly recurring revenue: what a subscription brings in a month, and how a change of it is called.

A change of one subscription's MRR is one movement: from nothing it is new, up is expansion, down (but not to
nothing) is contraction, to nothing is churn. Trials, gifts, pauses, suspensions and ended subscriptions bring
nothing; a plan billed every 3 months or every year counts a third or a twelfth of its price per month, and a
30-day period (Stars) counts as a month.
"""

from __future__ import annotations

from enum import StrEnum

from subscriptions.billing.subscription import Status, Subscription, TermKind
from subscriptions.billing_calendar import Unit
from subscriptions.money import Money

PAYING = frozenset({Status.ACTIVE, Status.PAST_DUE})
DAYS_PER_MONTH = 30


class Movement(StrEnum):
    NEW = "new"
    EXPANSION = "expansion"
    CONTRACTION = "contraction"
    CHURN = "churn"


MOVEMENTS = tuple(Movement)


def monthly_amount(subscription: Subscription) -> Money:
    """What `subscription` brings per month now, in its currency (zero when it brings nothing)."""
    term = subscription.term
    currency = term.amount.currency
    if subscription.status not in PAYING or term.kind is not TermKind.PAID:
        return Money(0, currency)
    interval = subscription.calendar.interval
    price = term.amount.amount_minor
    if interval.months:
        return Money(round(price / interval.months), currency)
    days = interval.count * (7 if interval.unit is Unit.WEEK else 1)
    return Money(round(price * DAYS_PER_MONTH / days), currency)


def movement(before: int, after: int) -> Movement | None:
    """The movement from `before` to `after` (minor units a month), or None when nothing moved."""
    if before == after:
        return None
    if before == 0:
        return Movement.NEW
    if after == 0:
        return Movement.CHURN
    return Movement.EXPANSION if after > before else Movement.CONTRACTION
