"""What the stats service needs from storage: the roll-ups to read, the job that keeps them, the days people were
active, and a unit of work that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from subscriptions.stats.charts import Metric


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What one run of the roll-up recomputed: from when, how many figures it wrote, how long it took."""

    since: datetime
    figures: int
    seconds: float


class StatsFigures(Protocol):
    async def daily(self, metric: Metric, keys: Sequence[str] | None, first: date, last: date
                    ) -> list[tuple[str, date, int]]:
        """(key, day, value) of `metric` from `first` to `last`, days in order; `keys` None: every key."""
        ...

    async def hourly(self, metric: Metric, keys: Sequence[str] | None, start: datetime, end: datetime
                     ) -> list[tuple[str, datetime, int]]:
        """(key, hour, value) of `metric` for the hours in [start, end), hours as aware UTC instants."""
        ...

    async def first_day(self, metrics: Sequence[Metric]) -> date | None:
        """The first day any of `metrics` has a figure (None: none has)."""
        ...

    async def keys(self, metric: Metric) -> list[str]:
        """Every key `metric` has figures for (currencies, reasons), sorted."""
        ...

    async def note_active(self, day: date, user_ids: Sequence[int]) -> None:
        """These people were active on `day` (a second note of the same day changes nothing)."""
        ...

    async def roll_up(self, now: datetime, timezone: str) -> RollupReport:
        """Recompute (days in `timezone`) the figures of the hours and days since the last run (all of them on the first)."""
        ...


class StatsUnitOfWork(Protocol):
    @property
    def stats(self) -> StatsFigures: ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> StatsUnitOfWork: ...

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None: ...


class StatsUnits(Protocol):
    """Storage's unit-of-work factory: one for writing, `reader()` for a read that holds no lock."""

    def __call__(self) -> StatsUnitOfWork: ...

    def reader(self) -> StatsUnitOfWork: ...

    def background(self) -> StatsUnits: ...
