"""Fault injection: make a share of Bot API calls fail the ways real networks and Telegram do."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.errors import SandboxError

FaultKind = Literal["429", "500", "hang", "drop"]
_KINDS: dict[str, FaultKind] = {"429": "429", "500": "500", "hang": "hang", "drop": "drop"}
FAULT_KINDS: tuple[str, ...] = tuple(_KINDS)
# Calls that keep a bot alive rather than deliver anything; faults skip them unless named.
_SPARED_BY_DEFAULT = frozenset({"getupdates", "getme", "setwebhook", "deletewebhook", "getwebhookinfo"})


class InvalidFault(SandboxError):
    """A fault plan that cannot be applied (unknown kind, rate outside 0..1)."""


@dataclass(frozen=True)
class FaultPlan:
    """Which calls fail, how, and how often.

    ``kind``: "429" (Too Many Requests with ``retry_after``), "500" (Internal Server Error),
    "hang" (no answer until the client gives up) or "drop" (connection closed without an answer).
    ``methods``: Bot API method names it applies to; empty means every method except the
    polling and webhook ones. ``bot_id``: only this bot, or every bot. ``count``: fail only this
    many calls, then the plan clears itself (deterministic tests: "the next sendMessage gets 429").
    """

    kind: FaultKind
    rate: float = 1.0
    retry_after: int = 1
    methods: frozenset[str] = field(default_factory=frozenset)
    bot_id: int | None = None
    seed: int | None = None
    count: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        """A plan from the admin route's JSON; anything malformed raises :class:`InvalidFault`."""
        kind = _KINDS.get(str(data.get("kind", "")))
        if kind is None:
            raise InvalidFault(f"kind must be one of {', '.join(FAULT_KINDS)}")
        try:
            rate = float(data.get("rate", 1.0))
            retry_after = int(data.get("retry_after", 1))
            bot_id = int(data["bot_id"]) if data.get("bot_id") is not None else None
            seed = int(data["seed"]) if data.get("seed") is not None else None
            count = int(data["count"]) if data.get("count") is not None else None
            methods = frozenset(str(m).lower() for m in data.get("methods") or [])
        except (TypeError, ValueError) as exc:
            raise InvalidFault(f"malformed fault plan: {exc}") from exc
        if not 0.0 <= rate <= 1.0:
            raise InvalidFault("rate must be between 0 and 1")
        if count is not None and count < 1:
            raise InvalidFault("count must be at least 1")
        return cls(kind=kind, rate=rate, retry_after=retry_after, methods=methods, bot_id=bot_id, seed=seed,
                   count=count)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rate": self.rate, "retry_after": self.retry_after,
                "methods": sorted(self.methods), "bot_id": self.bot_id, "seed": self.seed, "count": self.count}


class FaultInjector:
    """Holds the active plan and draws, call by call, whether this one fails."""

    def __init__(self) -> None:
        self.plan: FaultPlan | None = None
        self._random = random.Random()
        self.injected = 0

    def set_plan(self, plan: FaultPlan | None) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed if plan else None)
        self.injected = 0

    def draw(self, bot_id: int, method: str) -> FaultPlan | None:
        plan = self.plan
        if plan is None or (plan.bot_id is not None and plan.bot_id != bot_id):
            return None
        name = method.lower()
        if plan.methods and name not in plan.methods:
            return None
        if not plan.methods and name in _SPARED_BY_DEFAULT:
            return None
        if self._random.random() >= plan.rate:
            return None
        self.injected += 1
        if plan.count is not None and self.injected >= plan.count:
            self.plan = None  # the promised number of failures happened; calls succeed again
        return plan
