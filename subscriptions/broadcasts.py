"""Broadcasts, as the rest of the house sees them: a broadcast's record, its counts and progress, and the
refusals. The delivery engine (`bot.delivery.broadcasts`) sends them; handlers show their progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from subscriptions.errors import SubscriptionsError


@dataclass(frozen=True)
class BroadcastRecord:
    id: int
    sender_id: int
    org_id: int | None
    audience: str
    payload: dict[str, Any]
    status: str
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class BroadcastCounts:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    waiting: int = 0  # pending or sending

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.dropped


class BroadcastError(SubscriptionsError):
    """Base of the named refusals below."""


class NothingToSend(BroadcastError):
    """The audience is empty: no broadcast is created."""


class BroadcastGone(BroadcastError):
    """No such broadcast, it has finished, or it belongs to someone else."""


@dataclass(frozen=True)
class Progress:
    broadcast: BroadcastRecord
    counts: BroadcastCounts
    rate: float | None  # messages a second, measured between progress updates

    @property
    def remaining(self) -> int:
        return max(0, self.broadcast.total - self.counts.done)

    @property
    def percent(self) -> int:
        total = self.broadcast.total
        return 100 if total == 0 else min(100, self.counts.done * 100 // total)

    @property
    def eta_seconds(self) -> int | None:
        if not self.remaining:
            return 0
        if not self.rate:
            return None
        return int(self.remaining / self.rate + 0.999)
