"""A merchant's earnings month by month and by source, and how many subscribers it had at each month's end:
what a creator's earnings chart draws.

Earnings are what the ledger credited to the merchant (its share after the platform's commission and the
curators' shares), refunds taken back in the month they were made. A payment's source is read from the
purpose stored with it, as a string: subscriptions (a new subscription, a renewal, an upgrade, a gift),
single posts (`purchase`) and tips (`tip`); a purpose this module does not know counts as subscriptions.

Months are calendar months in the merchant's zone. Storage sums the ledger per month between the bounds
`month_bounds` gives and per stored purpose; `earnings_by_month` folds those sums into sources and counts
the subscribers live at each month's end (for the month under way: now).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.money import Money


class Source(StrEnum):
    SUBSCRIPTIONS = "subscriptions"
    SINGLE_POSTS = "single_posts"
    TIPS = "tips"


SOURCES = tuple(Source)
_SOURCE_OF_PURPOSE = {"purchase": Source.SINGLE_POSTS, "tip": Source.TIPS}


def source_of(purpose: str | None) -> Source:
    """The chart's source for a stored purpose; `new_subscription`, `renewal`, `upgrade`, `gift` and any purpose
    not known here are subscriptions."""
    return _SOURCE_OF_PURPOSE.get(purpose or "", Source.SUBSCRIPTIONS)


def month_bounds(now: datetime, timezone: str, months: int) -> list[datetime]:
    """`months + 1` instants: the local midnight starting each of the last `months` calendar months (the month
    of `now` last) and the start of the next month, in `timezone`."""
    local = require_aware(now).astimezone(zone(timezone))
    first = local.year * 12 + local.month - 1 - (months - 1)
    return [datetime(index // 12, index % 12 + 1, 1, tzinfo=zone(timezone)) for index in range(first, first + months + 1)]


@dataclass(frozen=True, slots=True)
class MonthCredit:
    """What storage summed: the merchant's credit in period `period` (an index between the bounds) from
    payments stored with `purpose`, net of refunds made in that period."""

    period: int
    purpose: str | None
    amount: Money


@dataclass(frozen=True, slots=True)
class SubscriberSpan:
    """When a subscription began and ended (None: it has not), and the currency its term is paid in."""

    started: datetime
    ended: datetime | None
    currency: str

    def live_at(self, moment: datetime) -> bool:
        return self.started <= moment and (self.ended is None or self.ended > moment)


@dataclass(frozen=True, slots=True)
class EarningsMonth:
    month: date  # the first day of the month, in the merchant's zone
    subscriptions: Money
    single_posts: Money
    tips: Money
    subscribers: int  # live at the month's end (for the month under way: now)

    def by_source(self, source: Source) -> Money:
        return {Source.SUBSCRIPTIONS: self.subscriptions, Source.SINGLE_POSTS: self.single_posts,
                Source.TIPS: self.tips}[source]

    @property
    def total(self) -> Money:
        return self.subscriptions + self.single_posts + self.tips


@dataclass(frozen=True, slots=True)
class MonthlyEarnings:
    """One currency's months, oldest first; a chart never mixes currencies."""

    currency: str
    months: tuple[EarningsMonth, ...]

    @property
    def is_empty(self) -> bool:
        return all(not month.total.amount_minor and not month.subscribers for month in self.months)


def earnings_by_month(currency: str, bounds: Sequence[datetime], credits: Iterable[MonthCredit],
                      spans: Iterable[SubscriberSpan], now: datetime) -> MonthlyEarnings:
    """Fold storage's sums into sources per month and count each month's subscribers in `currency`."""
    count = len(bounds) - 1
    sums = {(period, source): Money.zero(currency) for period in range(count) for source in SOURCES}
    for credit in credits:
        if 0 <= credit.period < count and credit.amount.currency == currency:
            key = (credit.period, source_of(credit.purpose))
            sums[key] = sums[key] + credit.amount
    mine = [span for span in spans if span.currency == currency]
    months = []
    for period in range(count):
        # The last instant of the month (bounds are exclusive), or now for the month under way.
        month_end = min(bounds[period + 1] - timedelta(microseconds=1), require_aware(now))
        months.append(EarningsMonth(
            month=bounds[period].date(),
            subscriptions=sums[(period, Source.SUBSCRIPTIONS)],
            single_posts=sums[(period, Source.SINGLE_POSTS)],
            tips=sums[(period, Source.TIPS)],
            subscribers=sum(1 for span in mine if span.live_at(month_end)),
        ))
    return MonthlyEarnings(currency, tuple(months))
