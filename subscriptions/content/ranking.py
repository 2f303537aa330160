"""Popularity that fades: reads, unlocks and tips weigh in, and the weight of each halves every few days.

Rescoring every post as time passes would touch the whole table. Instead each event adds
`weight * 2 ** ((t - EPOCH) / HALF_LIFE)`: a later event weighs more in the same proportion that decay would
shrink an earlier one, so comparing two sums compares decayed popularity at any moment. The sum outgrows
floats within years, so the stored score is its base-2 logarithm, added to with a log-sum-exp step.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import StrEnum

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
HALF_LIFE = timedelta(days=3)
NO_SCORE = 0.0  # a post nobody has touched; every real score is far above it after 2024


class Signal(StrEnum):
    READ = "read"
    UNLOCK = "unlock"
    TIP = "tip"


WEIGHTS = {Signal.READ: 1.0, Signal.UNLOCK: 8.0, Signal.TIP: 5.0}


def signal_score(signal: Signal, at: datetime, count: int = 1) -> float:
    """log2 of one signal's growing weight at `at`."""
    return math.log2(WEIGHTS[signal] * count) + (at - EPOCH) / HALF_LIFE


def add_score(hot: float, signal: Signal, at: datetime, count: int = 1) -> float:
    """`hot` after `count` more of `signal` at `at`: log2(2**hot + weight) without overflow."""
    new = signal_score(signal, at, count)
    if hot == NO_SCORE:
        return new
    high, low = max(hot, new), min(hot, new)
    return high + math.log2(1.0 + 2.0 ** (low - high))


def publication_score(at: datetime) -> float:
    """A new post starts as if read once when published, so fresh posts rank among the lately popular."""
    return signal_score(Signal.READ, at)
