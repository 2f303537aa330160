"""A chart's range (7 days, 30 days, 12 months) as buckets, and what is left of it where the data starts later.

A chart of 7 or 30 days has one bucket per day (the hourly charts one per hour over 7 days); a chart of 12 months
has one per calendar month, this one included. Days are days in the platform's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class ChartRange(StrEnum):
    WEEK = "7d"
    MONTH = "30d"
    YEAR = "12m"


class Grain(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Window:
    """The days a chart covers, first to last (both included), and the size of its buckets."""

    grain: Grain
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    def buckets(self) -> list[date]:
        """The first day of each bucket: every day, or the first of every month."""
        if self.grain is Grain.MONTH:
            return sorted({month_of(day) for day in self.days()})
        return self.days()

    def hours(self, zone: ZoneInfo) -> list[datetime]:
        """Every hour of the window's days, as aware instants of `zone` (a day of a clock change has 23 or 25)."""
        start = datetime.combine(self.first, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        count = int((end - start).total_seconds() // 3600)
        return [(start + timedelta(hours=step)).astimezone(zone) for step in range(count)]


def month_of(day: date) -> date:
    return day.replace(day=1)


def window(chart_range: ChartRange, today: date, *, hourly: bool = False) -> Window:
    """The window of `chart_range` ending today; `hourly` charts show the 7-day range hour by hour."""
    if chart_range is ChartRange.WEEK:
        return Window(Grain.HOUR if hourly else Grain.DAY, today - timedelta(days=6), today)
    if chart_range is ChartRange.MONTH:
        return Window(Grain.DAY, today - timedelta(days=29), today)
    first = month_of(today)
    for _ in range(11):
        first = month_of(first - timedelta(days=1))
    return Window(Grain.MONTH, first, today)


@dataclass(frozen=True, slots=True)
class Clamped:
    """The window to draw, and the day the data starts when that cut the asked range short (else None)."""

    window: Window
    starts_later: date | None


def clamp(asked: Window, data_start: date | None) -> Clamped:
    """Draw from the first day with data when the range reaches back before it: a chart of empty months before
    the platform existed says nothing, and the note says why the chart is shorter than asked."""
    if data_start is None or data_start <= asked.first or data_start > asked.last:
        return Clamped(asked, None)
    return Clamped(Window(asked.grain, data_start, asked.last), data_start)
