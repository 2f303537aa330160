"""What one account can make the bot do: a budget of updates per person, so one flood slows only itself.

Each person has a token bucket (a burst, refilled at a steady rate). Within it, updates are handled as ever;
beyond it, they are dropped before they take a place among the updates waiting to be handled, and the person
gets one "slow down" notice per episode. Payments and chat membership changes are never budgeted: a payment
Telegram reports is credited whatever else its payer sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from telegram import Update

# Buckets full again for this long are forgotten so the table does not grow with every person ever seen.
FORGET_AFTER = 300.0


@dataclass(frozen=True)
class Budget:
    burst: int = 100
    per_second: float = 2.0
    notice_every: float = 30.0  # seconds between two "slow down" notices to one person


class Verdict(Enum):
    HANDLE = "handle"
    DROP_AND_TELL = "drop and tell"
    DROP = "drop"


class _Bucket:
    __slots__ = ("tokens", "stamp", "told_at")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.stamp = now
        self.told_at = float("-inf")


class UserBudget:
    def __init__(self, budget: Budget, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._budget = budget
        self._monotonic = monotonic
        self._buckets: dict[int, _Bucket] = {}
        self._last_forget = monotonic()

    def judge(self, update: object) -> Verdict:
        person = _budgeted_person(update)
        if person is None:
            return Verdict.HANDLE
        now = self._monotonic()
        self._forget_full(now)
        bucket = self._buckets.get(person)
        if bucket is None:
            bucket = self._buckets[person] = _Bucket(float(self._budget.burst), now)
        bucket.tokens = min(float(self._budget.burst), bucket.tokens + (now - bucket.stamp) * self._budget.per_second)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.HANDLE
        if now - bucket.told_at >= self._budget.notice_every:
            bucket.told_at = now
            return Verdict.DROP_AND_TELL
        return Verdict.DROP

    def _forget_full(self, now: float) -> None:
        if now - self._last_forget < FORGET_AFTER:
            return
        self._last_forget = now
        refill = self._budget.burst / self._budget.per_second
        idle = [person for person, bucket in self._buckets.items() if now - bucket.stamp > max(refill, FORGET_AFTER)]
        for person in idle:
            del self._buckets[person]


def _budgeted_person(update: object) -> int | None:
    """The person an update counts against: what people send and press; never payments or membership."""
    if not isinstance(update, Update) or update.effective_user is None:
        return None
    message = update.message or update.edited_message
    if message is not None and (message.successful_payment is not None or message.refunded_payment is not None):
        return None
    if message is None and update.callback_query is None and update.inline_query is None:
        return None
    return update.effective_user.id
