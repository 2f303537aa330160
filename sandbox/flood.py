"""Flood control with Telegram's limits: token buckets per bot, per chat and per group or channel."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from sandbox.errors import SandboxError, too_many_requests


class InvalidLimits(SandboxError):
    """Flood limits that cannot be applied (not numbers, or zero rates)."""


@dataclass(frozen=True)
class FloodLimits:
    """How fast a bot may send; the defaults are Telegram's published limits."""

    per_bot_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 4
    per_group_per_minute: float = 20.0
    enabled: bool = True

    @classmethod
    def off(cls) -> FloodLimits:
        """No flood control at all (fast tests)."""
        return cls(enabled=False)

    def scaled(self, factor: float) -> FloodLimits:
        """Every rate multiplied by ``factor`` (benchmarks use e.g. 1,000 messages a second per bot)."""
        return replace(
            self,
            per_bot_per_second=self.per_bot_per_second * factor,
            per_chat_per_second=self.per_chat_per_second * factor,
            per_chat_burst=max(1, math.ceil(self.per_chat_burst * factor)),
            per_group_per_minute=self.per_group_per_minute * factor,
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], base: FloodLimits | None = None) -> FloodLimits:
        """Limits from a config request: named fields override ``base``; ``scale`` multiplies them."""
        limits = base or cls()
        try:
            fields = {key: _coerce(value, data[key]) for key, value in asdict(limits).items() if key in data}
            limits = replace(limits, **fields)
            if "scale" in data:
                limits = limits.scaled(float(data["scale"]))
        except (TypeError, ValueError) as exc:
            raise InvalidLimits(f"malformed flood limits: {exc}") from exc
        if min(limits.per_bot_per_second, limits.per_chat_per_second, limits.per_group_per_minute) <= 0:
            raise InvalidLimits("flood limits must be positive (use enabled: false to turn them off)")
        return limits


def _coerce(current: Any, given: Any) -> Any:
    """``given`` as the type of the field it replaces (JSON numbers may come as ints or floats)."""
    if isinstance(current, bool):
        if not isinstance(given, bool):
            raise TypeError("enabled must be true or false")
        return given
    return type(current)(given)


class _Bucket:
    """A token bucket: ``capacity`` tokens refilled at ``rate`` tokens a second."""

    __slots__ = ("capacity", "rate", "tokens", "stamp")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class FloodControl:
    """Decides whether a bot's next message may go out now, or how long it must wait."""

    def __init__(self, limits: FloodLimits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._buckets: dict[tuple[int, int], _Bucket] = {}

    def configure(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._buckets.clear()

    def check_send(self, bot_id: int, chat_id: int, is_group: bool) -> None:
        """Take one message from the bot's and the chat's budgets, or raise a 429."""
        if not self.limits.enabled:
            return
        now = self._monotonic()
        buckets = [self._bucket((bot_id, 0), self.limits.per_bot_per_second, self.limits.per_bot_per_second, now)]
        if is_group:
            rate = self.limits.per_group_per_minute / 60
            buckets.append(self._bucket((bot_id, chat_id), self.limits.per_group_per_minute, rate, now))
        else:
            buckets.append(self._bucket((bot_id, chat_id), self.limits.per_chat_burst,
                                        self.limits.per_chat_per_second, now))
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.take()

    def _bucket(self, key: tuple[int, int], capacity: float, rate: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(max(1.0, capacity), rate, now)
        return bucket
