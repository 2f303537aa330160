"""When the platform's admins hear that something is wrong: the rules alone, with no database, clock or chat.

Once a minute the bot observes a few figures (`Observation`) and these rules say which problems they show:

- the outbox is behind: its oldest due message has waited longer than `[admin] alert_lag_minutes`;
- Telegram's 429s persist: rate-limited answers came in each of the last `[admin] alert_429_minutes` minutes
  (one burst of 429s is Telegram pacing a broadcast, which the pump handles by itself);
- a sweep falls behind: a scheduler run took longer than its interval, or has been running longer than that;
- the error rate jumps: the last minute's failed updates are several times the recent baseline, and more than
  a handful (one failure in a quiet hour is not a jump).

`bot.alerts` sends what these find, at most once per kind per `[admin] alert_every_minutes`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

# The error rate has jumped when the last minute has this many times the baseline's errors, and at least
# ERROR_FLOOR of them.
ERROR_JUMP = 3
ERROR_FLOOR = 5
# Minutes of errors the baseline is the mean of (the minutes before the last).
BASELINE_MINUTES = 30


class AlertKind(StrEnum):
    OUTBOX_LAG = "outbox_lag"
    RATE_LIMITED = "rate_limited"
    SWEEP_BEHIND = "sweep_behind"
    ERROR_RATE = "error_rate"


@dataclass(frozen=True)
class AlertSettings:
    lag: timedelta
    rate_limited_minutes: int
    every: timedelta


@dataclass(frozen=True)
class SweepRun:
    """A scheduler job's runs as seen now: how long its last finished run took, and for how long a run that
    has not finished has been going (None: none is running)."""

    name: str
    interval_seconds: float
    last_took_seconds: float | None
    running_for_seconds: float | None

    @property
    def slowest_seconds(self) -> float:
        return max(self.last_took_seconds or 0.0, self.running_for_seconds or 0.0)

    @property
    def behind(self) -> bool:
        return self.slowest_seconds > self.interval_seconds


@dataclass(frozen=True)
class Observation:
    """What one check saw. Per-minute figures are oldest first and end with the minute just past."""

    outbox_lag: timedelta
    outbox_pending: int
    rate_limited_per_minute: Sequence[int]
    errors_per_minute: Sequence[int]
    sweeps: Sequence[SweepRun]


@dataclass(frozen=True)
class Finding:
    """A problem found, with the figures its alert names."""

    kind: AlertKind
    figures: dict[str, int]


def findings(observation: Observation, settings: AlertSettings) -> dict[AlertKind, Finding]:
    """Every problem the observation shows, by kind; a kind missing from the answer is normal."""
    found = [
        outbox_behind(observation, settings),
        rate_limits_persist(observation.rate_limited_per_minute, settings.rate_limited_minutes),
        sweep_behind(observation.sweeps),
        errors_jumped(observation.errors_per_minute),
    ]
    return {finding.kind: finding for finding in found if finding is not None}


def outbox_behind(observation: Observation, settings: AlertSettings) -> Finding | None:
    if observation.outbox_lag <= settings.lag:
        return None
    return Finding(AlertKind.OUTBOX_LAG, {"minutes": int(observation.outbox_lag.total_seconds() // 60),
                                          "pending": observation.outbox_pending})


def rate_limits_persist(per_minute: Sequence[int], minutes: int) -> Finding | None:
    recent = list(per_minute)[-minutes:]
    if len(recent) < minutes or not all(recent):
        return None
    return Finding(AlertKind.RATE_LIMITED, {"minutes": minutes, "answers": sum(recent)})


def sweep_behind(sweeps: Iterable[SweepRun]) -> Finding | None:
    late = [sweep for sweep in sweeps if sweep.behind]
    if not late:
        return None
    worst = max(late, key=lambda sweep: sweep.slowest_seconds / sweep.interval_seconds)
    return Finding(AlertKind.SWEEP_BEHIND, {"seconds": round(worst.slowest_seconds),
                                            "interval": round(worst.interval_seconds)})


def errors_jumped(per_minute: Sequence[int]) -> Finding | None:
    if not per_minute:
        return None
    *before, last = per_minute
    earlier = before[-BASELINE_MINUTES:]
    baseline = sum(earlier) / len(earlier) if earlier else 0.0
    if last < ERROR_FLOOR or last < ERROR_JUMP * baseline:
        return None
    return Finding(AlertKind.ERROR_RATE, {"errors": last, "baseline": round(baseline)})


class MinuteRecord:
    """A running total turned into what each minute added, the last `keep` minutes of it."""

    def __init__(self, keep: int) -> None:
        self._minutes: deque[int] = deque(maxlen=keep)
        self._last_total: int | None = None

    def record(self, total: int) -> None:
        """The total as it stands at the end of a minute. A total lower than the last (its source started
        again) counts from zero."""
        previous = self._last_total if self._last_total is not None and total >= self._last_total else 0
        if self._last_total is not None:
            self._minutes.append(total - previous)
        self._last_total = total

    @property
    def per_minute(self) -> list[int]:
        return list(self._minutes)
