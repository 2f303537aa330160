"""The stats service: a chart's figures over a range (from the roll-ups, never the source tables), the daily
digest's figures, the job that keeps the roll-ups, and who was active today (one write per person per day)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from subscriptions.clock import Clock
from subscriptions.stats.charts import (
    DELIVERY_KEYS,
    SPECS,
    ChartKind,
    ChartSpec,
    Fold,
    Line,
    Metric,
    currency_of,
    fold,
    series_name,
)
from subscriptions.stats.ports import RollupReport, StatsFigures, StatsUnits
from subscriptions.stats.ranges import ChartRange, Grain, Window, clamp, month_of, window

log = logging.getLogger(__name__)


class UnknownCurrency(Exception):
    """A chart of money was asked for in a currency it has no figures in."""


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str  # a key ("KRW", "failed", "new") or a metric's name ("updates_in")
    values: tuple[float, ...]
    total: float  # over the whole window: the sum of a flow, the last value of a level, the mean of active users


@dataclass(frozen=True, slots=True)
class Chart:
    kind: ChartKind
    chart_range: ChartRange
    grain: Grain
    buckets: tuple[datetime | date, ...]  # hours (aware, in the platform's zone), days or first days of months
    series: tuple[ChartSeries, ...]
    currency: str | None  # the one currency a chart of money shows
    currencies: tuple[str, ...]  # every currency it could show
    starts_later: date | None  # the data starts on this day, after the asked range's first

    @property
    def has_data(self) -> bool:
        return any(value for one in self.series for value in one.values)


@dataclass(frozen=True, slots=True)
class DigestFigures:
    day: date
    active_users: int
    revenue: dict[str, int]  # minor units per currency
    sent: int
    failed: int
    rate_limited: int
    applications: int


class Stats:
    """Charts and digests read the roll-ups; `roll_up` keeps them, `note_active` feeds the active users."""

    def __init__(self, units: StatsUnits, clock: Clock, timezone: str) -> None:
        self._units = units
        self._clock = clock
        self.zone = ZoneInfo(timezone)
        self._active: dict[int, date] = {}  # who was noted active, on which day: one write per person per day
        self._noting: set[asyncio.Task[None]] = set()

    def today(self) -> date:
        return self._clock.now().astimezone(self.zone).date()

    # --- charts -------------------------------------------------------------------------------------------

    async def chart(self, kind: ChartKind, chart_range: ChartRange, currency: str | None = None) -> Chart:
        """The figures of one chart over `chart_range` up to today; a chart of money in `currency` (or the first
        currency it has figures in)."""
        spec = SPECS[kind]
        async with self._units.reader() as uow:
            figures = uow.stats
            currencies = await _currencies(figures, spec)
            if spec.money:
                currency = currency or (currencies[0] if currencies else None)
                if currency is not None and currencies and currency not in currencies:
                    raise UnknownCurrency(currency)
            clamped = clamp(window(chart_range, self.today(), hourly=spec.hourly),
                            await figures.first_day(sorted({line.metric for line in spec.lines})))
            shown = clamped.window
            if shown.grain is Grain.HOUR:
                buckets: tuple[datetime | date, ...] = tuple(shown.hours(self.zone))
                series = await self._hourly_series(figures, spec, shown)
            else:
                buckets = tuple(shown.buckets())
                series = await self._daily_series(figures, spec, shown, currency)
        return Chart(kind, chart_range, shown.grain, buckets, series, currency if spec.money else None,
                     currencies if spec.money else (), clamped.starts_later)

    async def _hourly_series(self, figures: StatsFigures, spec: ChartSpec, shown: Window) -> tuple[ChartSeries, ...]:
        hours = shown.hours(self.zone)
        start, end = hours[0].astimezone(UTC), (hours[-1] + timedelta(hours=1)).astimezone(UTC)
        series = []
        for line in spec.lines:
            found = {hour: value for _, hour, value in
                     await figures.hourly(line.metric, [line.key or ""], start, end)}
            values = tuple(float(found.get(hour.astimezone(UTC), 0)) for hour in hours)
            series.append(ChartSeries(line.metric.value, values, sum(values)))
        return tuple(series)

    async def _daily_series(self, figures: StatsFigures, spec: ChartSpec, shown: Window, currency: str | None
                            ) -> tuple[ChartSeries, ...]:
        buckets = shown.buckets()
        series = []
        for line in spec.lines:
            rows = await figures.daily(line.metric, None if line.key is None else [line.key], shown.first, shown.last)
            by_key: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
            for key, day, value in rows:
                if spec.money and currency_of(key) != currency:
                    continue  # never two currencies in one chart
                by_key[key][month_of(day) if shown.grain is Grain.MONTH else day].append(value)
            for key in _ordered_keys(line, by_key):
                days = by_key.get(key, {})
                values = tuple(fold(days.get(bucket, []), line.fold) for bucket in buckets)
                every_day = [value for bucket in buckets for value in days.get(bucket, [])]
                name = series_name(key) if spec.money else (key or line.metric.value)
                series.append(ChartSeries(name, values, fold(every_day, line.fold)))
        return tuple(series)

    # --- the daily digest ---------------------------------------------------------------------------------

    async def digest(self, day: date) -> DigestFigures:
        """Yesterday's (or `day`'s) headline figures."""
        async with self._units.reader() as uow:
            figures = uow.stats

            async def one(metric: Metric, key: str | None) -> dict[str, int]:
                rows = await figures.daily(metric, None if key is None else [key], day, day)
                return {found: value for found, _, value in rows}

            sent_metric, sent_key = DELIVERY_KEYS[0][1], DELIVERY_KEYS[0][2]
            faults = await one(Metric.DELIVERY_FAULTS, None)
            return DigestFigures(
                day=day,
                active_users=sum((await one(Metric.ACTIVE_USERS, "")).values()),
                revenue={key: value for key, value in sorted((await one(Metric.REVENUE, None)).items()) if value},
                sent=sum((await one(sent_metric, sent_key)).values()),
                failed=faults.get("failed", 0),
                rate_limited=faults.get("rate_limited", 0),
                applications=sum((await one(Metric.RENTALS, "applications")).values()),
            )

    # --- keeping the roll-ups -----------------------------------------------------------------------------

    async def roll_up(self) -> RollupReport:
        """Recompute what changed since the last run (background work, a few minutes apart)."""
        async with self._units.background()() as uow:
            report = await uow.stats.roll_up(self._clock.now(), self.zone.key)
            await uow.commit()
        return report

    def note_active(self, user_id: int) -> None:
        """`user_id` did something today: written once a day per person, behind the reply (nobody waits)."""
        today = self.today()
        if self._active.get(user_id) == today:
            return
        self._active[user_id] = today
        task = asyncio.create_task(self._write_active(today, user_id))
        self._noting.add(task)
        task.add_done_callback(self._noting.discard)

    async def _write_active(self, day: date, user_id: int) -> None:
        try:
            async with self._units.background()() as uow:
                await uow.stats.note_active(day, [user_id])
                await uow.commit()
        except Exception as error:  # best effort, whatever storage raised: the next update tries again
            self._active.pop(user_id, None)
            log.warning("could not note that user %s was active (%r)", user_id, error)

    async def active_noted(self) -> None:
        """Wait until every note of who was active has landed (shutdown, tests)."""
        while self._noting:
            await asyncio.wait(list(self._noting))


async def _currencies(figures: StatsFigures, spec: ChartSpec) -> tuple[str, ...]:
    if not spec.money:
        return ()
    keys = [key for line in spec.lines for key in await figures.keys(line.metric)]
    return tuple(sorted({currency_of(key) for key in keys}))


def _ordered_keys(line: Line, by_key: dict[str, dict[date, list[int]]]) -> Sequence[str]:
    """One series per key: the line's own key (shown even when it is all zeros), or every key found."""
    if line.key is not None:
        return [line.key]
    return sorted(by_key)


__all__ = ["Chart", "ChartSeries", "DigestFigures", "Fold", "Stats", "UnknownCurrency"]
