"""The update inbox (`storage.core.tables.inbox`): updates stored on arrival, handled from here, marked done
in the transaction that carries the handler's effect.

`HANDLING` names the update the current task is handling. The first writing unit of work to commit while it
is set marks that update done in the same transaction (see `storage.unit_of_work.UnitOfWork.commit`), so an
update whose effect was committed is never handled again, and one whose handler died before committing is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import inbox
from storage.envelope import Envelope

PURPOSE = "inbox.update"


@dataclass
class HandledUpdate:
    """The update a task is handling; `marked` once a committed transaction recorded it done. `stored` is
    set while the update's own row is still being written (handling starts meanwhile, see bot.inbox): a
    transaction that will mark it done waits for that first."""

    bot_id: int
    update_id: int
    marked: bool = False
    stored: asyncio.Future[None] | None = None

    async def until_stored(self) -> None:
        if self.stored is not None and not self.stored.done():
            await asyncio.shield(self.stored)  # one handler giving up does not cancel the batch's write


HANDLING: ContextVar[HandledUpdate | None] = ContextVar("jigap_handling_update", default=None)


@dataclass(frozen=True)
class ReceivedUpdate:
    update_id: int
    chat_id: int | None
    payload: dict[str, Any]


class InboxRepository:
    def __init__(self, connection: AsyncConnection, envelope: Envelope) -> None:
        self._connection = connection
        self._envelope = envelope

    async def add(self, bot_id: int, updates: Sequence[ReceivedUpdate], *, now: datetime,
                  lease: timedelta) -> set[int]:
        """Store the updates not stored yet, taken by this worker for `lease`. Returns the ids that were
        already here: Telegram delivered them again, and they are handled (or were) from the first copy."""
        if not updates:
            return set()
        rows = [
            {"bot_id": bot_id, "update_id": item.update_id, "chat_id": item.chat_id, "status": "pending",
             "payload": self._envelope.seal(orjson.dumps(item.payload), purpose=PURPOSE),
             "received_at": now, "lease_until": now + lease}
            for item in updates
        ]
        dialect = sqlite if self._connection.dialect.name == "sqlite" else postgresql
        statement = dialect.insert(inbox).on_conflict_do_nothing().returning(inbox.c.update_id)
        stored = set((await self._connection.execute(statement, rows)).scalars().all())
        return {item.update_id for item in updates} - stored

    async def highest_update_id(self, bot_id: int) -> int:
        """The highest update id stored for the bot (0: none yet). Telegram numbers updates in order, so one
        above it cannot be a copy of one stored."""
        found = (await self._connection.execute(
            select(func.max(inbox.c.update_id)).where(inbox.c.bot_id == bot_id))).scalar_one_or_none()
        return int(found or 0)

    async def mark_done(self, bot_id: int, update_ids: Sequence[int]) -> None:
        if update_ids:
            await self._connection.execute(
                update(inbox).where(inbox.c.bot_id == bot_id, inbox.c.update_id.in_(list(update_ids)),
                                    inbox.c.status == "pending").values(status="done"))

    async def take_pending(self, bot_id: int, *, now: datetime, lease: timedelta, limit: int,
                           leased_too: bool = False) -> list[ReceivedUpdate]:
        """Pending updates whose worker's lease lapsed (with `leased_too`, every pending one: the single
        process of a SQLite database, just started), oldest first, taken for `lease`."""
        query = select(inbox.c.update_id, inbox.c.chat_id, inbox.c.payload).where(
            inbox.c.bot_id == bot_id, inbox.c.status == "pending")
        if not leased_too:
            query = query.where(inbox.c.lease_until <= now)
        query = query.order_by(inbox.c.update_id).limit(limit)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._connection.execute(query)).all()
        if rows:
            await self.extend_lease(bot_id, [row.update_id for row in rows], until=now + lease)
        return [ReceivedUpdate(row.update_id, row.chat_id,
                               orjson.loads(self._envelope.open(row.payload, purpose=PURPOSE))) for row in rows]

    async def extend_lease(self, bot_id: int, update_ids: Sequence[int], *, until: datetime) -> None:
        if update_ids:
            await self._connection.execute(
                update(inbox).where(inbox.c.bot_id == bot_id, inbox.c.update_id.in_(list(update_ids)),
                                    inbox.c.status == "pending").values(lease_until=until))

    async def statuses(self, bot_id: int) -> dict[int, str]:
        """Every stored update's status (for tests and support; the bot's own paths never read all)."""
        query = select(inbox.c.update_id, inbox.c.status).where(inbox.c.bot_id == bot_id)
        return {row.update_id: row.status for row in (await self._connection.execute(query)).all()}

    async def delete_done(self, *, before: datetime, limit: int) -> int:
        """Handled updates received before `before`, at most `limit` of them (retention)."""
        chosen = select(inbox.c.bot_id, inbox.c.update_id).where(
            inbox.c.status == "done", inbox.c.received_at < before).limit(limit)
        keys = [tuple(row) for row in (await self._connection.execute(chosen)).all()]
        if keys:
            await self._connection.execute(delete(inbox).where(tuple_(inbox.c.bot_id, inbox.c.update_id).in_(keys)))
        return len(keys)
