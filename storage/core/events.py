"""The events table: domain events written in their cause's transaction, claimed in batches by the dispatcher.

Writes are buffered and go in with one `executemany` when the unit of work commits, as billing's documents
do, so a sweep that renews a thousand subscriptions writes their events in one statement. A claim moves a
row's `available_at` a lease ahead: if the worker that took it dies, the row is handed out again once the
lease lapses. On PostgreSQL several workers claim at once with `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import events
from storage.json_text import to_json_text

ERROR_LENGTH = 200


@dataclass(frozen=True)
class StoredEvent:
    """A claimed event: its kind (the class name), its fields as JSON, and how many times it was handed out."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class EventRepository:
    def __init__(self, connection: AsyncConnection, clock: Callable[[], datetime]) -> None:
        self._connection = connection
        self._clock = clock
        self._pending: list[dict[str, Any]] = []

    async def add(self, happened: Sequence[object]) -> None:
        """Record events (dataclasses) in this transaction; they are written when it commits."""
        now = self._clock()
        self._pending.extend(
            {"kind": type(event).__name__, "payload": to_json_text(event), "status": "pending", "attempts": 0,
             "created_at": now, "available_at": now}
            for event in happened
        )

    async def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            await self._connection.execute(insert(events), pending)

    async def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[StoredEvent]:
        """Up to `limit` pending events that are available now, oldest first, each held for `lease`."""
        query = (
            select(events.c.id, events.c.kind, events.c.payload, events.c.attempts)
            .where(events.c.status == "pending", events.c.available_at <= now)
            .order_by(events.c.available_at, events.c.id)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._connection.execute(query)).all()
        if rows:
            await self._connection.execute(
                update(events).where(events.c.id.in_([row.id for row in rows]))
                .values(available_at=now + lease, attempts=events.c.attempts + 1)
            )
        return [StoredEvent(row.id, row.kind, dict(row.payload), row.attempts + 1) for row in rows]

    async def done(self, event_ids: Sequence[int]) -> None:
        if event_ids:
            await self._connection.execute(
                update(events).where(events.c.id.in_(list(event_ids))).values(status="done", error=None))

    async def retry(self, event_id: int, *, at: datetime, error: str) -> None:
        """Hand the event out again at `at` (after a failure that a later try may not meet)."""
        await self._connection.execute(
            update(events).where(events.c.id == event_id).values(available_at=at, error=error[:ERROR_LENGTH]))

    async def fail(self, event_id: int, *, error: str) -> None:
        await self._connection.execute(
            update(events).where(events.c.id == event_id).values(status="failed", error=error[:ERROR_LENGTH]))

    async def counts(self) -> dict[str, int]:
        query = select(events.c.status, func.count()).group_by(events.c.status)
        return {row[0]: int(row[1]) for row in (await self._connection.execute(query)).all()}
