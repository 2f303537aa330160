"""The billing calendar: where each period of a subscription starts and ends, and proration.

A calendar is an anchor (an instant), the subscriber's IANA timezone and an interval (day, week,
month or year times a count). Boundary `n` is the anchor's local wall time moved by `n` intervals,
so a 09:00 Seoul or New York anchor renews at 09:00 local time on both sides of a DST change while
the UTC instants shift by the hour.

Month and year intervals follow Stripe's documented month-end rule: every boundary is computed from
the anchor, never from the previous boundary, and a day the month lacks becomes that month's last
day (anchor Jan 31 -> Feb 28 or 29 -> Mar 31 -> Apr 30).

Local times that do not exist (the spring-forward gap) resolve with `fold=0`, i.e. with the offset in
force before the change, which lands just after the gap (02:30 -> 03:30 EDT); repeated local times
(fall back) take their first occurrence. Either way boundaries only move forward.

Proration is by the second, as an exact `Fraction` of the period; money rounds half up (see
`money.scale`). `split_price` gives the two sides of an instant so they always sum to the price.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from subscriptions.errors import InvalidInterval, NaiveDatetime, UnknownTimezone
from subscriptions.money import Money, scale


class Unit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Interval:
    """`count` units of `unit`: Interval(Unit.MONTH) is monthly, Interval(Unit.DAY, 30) is Stars' period."""

    unit: Unit
    count: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.unit, Unit):
            raise InvalidInterval(f"unknown unit {self.unit!r}")
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 1:
            raise InvalidInterval(f"count must be a positive int, got {self.count!r}")

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse "month", "3 month", "30 day" (the form `str()` writes, handy for storage)."""
        parts = text.split()
        count, unit = (parts[0], parts[1]) if len(parts) == 2 else ("1", parts[0] if parts else "")
        if len(parts) not in (1, 2) or not count.isdigit() or unit not in {u.value for u in Unit}:
            raise InvalidInterval(f"cannot read interval {text!r}")
        return cls(Unit(unit), int(count))

    def __str__(self) -> str:
        return f"{self.count} {self.unit.value}"

    @property
    def months(self) -> int:
        """Calendar months per interval (0 for day and week intervals)."""
        if self.unit is Unit.MONTH:
            return self.count
        if self.unit is Unit.YEAR:
            return 12 * self.count
        return 0

    @property
    def days(self) -> int:
        """Days per interval (0 for month and year intervals, whose length varies)."""
        if self.unit is Unit.DAY:
            return self.count
        if self.unit is Unit.WEEK:
            return 7 * self.count
        return 0


MONTHLY = Interval(Unit.MONTH)
STARS_PERIOD = Interval(Unit.DAY, 30)  # Telegram's only subscription_period: 2592000 seconds


def require_aware(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is a bug at the caller, so it raises."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(repr(moment))
    return moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(name) from None


def add_months(day: date, months: int, anchor_day: int) -> date:
    """The date `months` after `day`'s month, on `anchor_day` or that month's last day if shorter."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor_day, last))


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open span [start, end) of UTC instants; `index` counts intervals from the anchor."""

    start: datetime
    end: datetime
    index: int

    @property
    def seconds(self) -> int:
        return seconds_between(self.start, self.end)

    def contains(self, moment: datetime) -> bool:
        return self.start <= require_aware(moment) < self.end


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds from `start` to `end`, measured in UTC (wall-clock subtraction lies across DST)."""
    delta = require_aware(end) - require_aware(start)
    return delta.days * 86400 + delta.seconds


@dataclass(frozen=True, slots=True)
class BillingCalendar:
    """Boundaries of a subscription's periods: anchor instant, subscriber timezone, interval."""

    anchor: datetime
    timezone: str
    interval: Interval

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchor", require_aware(self.anchor).replace(microsecond=0))
        zone(self.timezone)

    @property
    def local_anchor(self) -> datetime:
        return self.anchor.astimezone(zone(self.timezone))

    def boundary(self, index: int) -> datetime:
        """Start of period `index` (period 0 starts at the anchor), as a UTC instant."""
        local = self.local_anchor
        if self.interval.months:
            day = add_months(local.date(), index * self.interval.months, local.day)
        else:
            day = local.date() + timedelta(days=index * self.interval.days)
        wall = datetime.combine(day, local.time().replace(fold=0), tzinfo=zone(self.timezone))
        return wall.astimezone(UTC)

    def period(self, index: int) -> Period:
        return Period(self.boundary(index), self.boundary(index + 1), index)

    def period_at(self, moment: datetime) -> Period:
        """The period that contains `moment` (before the anchor too: indexes go negative)."""
        moment = require_aware(moment)
        index = self._estimate(moment)
        while self.boundary(index) > moment:
            index -= 1
        while self.boundary(index + 1) <= moment:
            index += 1
        return self.period(index)

    def _estimate(self, moment: datetime) -> int:
        local = moment.astimezone(zone(self.timezone))
        anchor = self.local_anchor
        if self.interval.months:
            months = (local.year - anchor.year) * 12 + (local.month - anchor.month)
            return months // self.interval.months
        return (local.date() - anchor.date()).days // self.interval.days

    def periods(self, first_index: int = 0) -> Iterator[Period]:
        """Periods `first_index`, `first_index + 1`, ... without end."""
        index = first_index
        while True:
            yield self.period(index)
            index += 1


def stars_calendar(anchor: datetime) -> BillingCalendar:
    """Telegram renews Stars subscriptions every 2592000 seconds exactly, whatever the local clock says,
    so their calendar runs in UTC (a local-day calendar would gain or lose an hour across DST)."""
    return BillingCalendar(anchor, "UTC", STARS_PERIOD)


def proration_fraction(period: Period, start: datetime, end: datetime) -> Fraction:
    """Share of `period` covered by [start, end), clipped to the period, by the second."""
    start = max(require_aware(start), period.start)
    end = min(require_aware(end), period.end)
    if end <= start:
        return Fraction(0)
    return Fraction(seconds_between(start, end), period.seconds)


def prorate(price: Money, period: Period, start: datetime, end: datetime) -> Money:
    """Price of [start, end) inside `period`, rounded half up to a minor unit."""
    return scale(price, proration_fraction(period, start, end))


def split_price(price: Money, period: Period, at: datetime) -> tuple[Money, Money]:
    """(used, unused): the price of the period before `at` and the rest, which sum to `price`.

    The used part is prorated and rounded; the unused part is the remainder, so no minor unit is
    created or lost whatever the rounding did.
    """
    used = prorate(price, period, period.start, at)
    return used, price - used
