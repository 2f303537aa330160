"""Operations' queries: the outbox's backlog (how much waits, how long the oldest due row has waited) and the
alerts' shared state.

An alert is claimed by a conditional UPDATE: of several workers that see the same problem in the same minute,
the one whose UPDATE changes the row sends it; the others' UPDATEs find nothing to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.delivery.tables import outbox
from storage.metadata import as_utc
from storage.ops.tables import ops_alerts


@dataclass(frozen=True)
class Backlog:
    pending: int  # rows waiting, due or not
    oldest_due: datetime | None  # the next attempt of the longest-waiting due row

    def lag(self, now: datetime) -> timedelta:
        """How long the oldest due row has waited past its time (zero when nothing is due)."""
        return max(now - self.oldest_due, timedelta()) if self.oldest_due is not None else timedelta()


class OpsRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def outbox_backlog(self, now: datetime) -> Backlog:
        due = func.min(outbox.c.next_attempt_at).filter(outbox.c.next_attempt_at <= now)
        row = (await self.connection.execute(
            select(func.count(), due).select_from(outbox).where(outbox.c.status == "pending"))).one()
        return Backlog(int(row[0]), as_utc(row[1]) if row[1] is not None else None)

    async def claim_alert(self, kind: str, now: datetime, every: timedelta) -> bool:
        """Mark `kind` firing and sent now, unless one was sent less than `every` ago; True: send it."""
        await self._ensure(kind, now)
        claimed = await self.connection.execute(
            update(ops_alerts)
            .where(ops_alerts.c.kind == kind,
                   or_(ops_alerts.c.last_sent_at.is_(None), ops_alerts.c.last_sent_at <= now - every))
            .values(firing=True, last_sent_at=now, changed_at=now))
        return _changed(claimed)

    async def clear_alert(self, kind: str, now: datetime) -> bool:
        """Mark `kind` back to normal if an alert of it is out; True: say so."""
        cleared = await self.connection.execute(
            update(ops_alerts).where(ops_alerts.c.kind == kind, ops_alerts.c.firing.is_(True))
            .values(firing=False, changed_at=now))
        return _changed(cleared)

    async def firing(self) -> set[str]:
        rows = await self.connection.execute(select(ops_alerts.c.kind).where(ops_alerts.c.firing.is_(True)))
        return {row.kind for row in rows}

    async def _ensure(self, kind: str, now: datetime) -> None:
        insert = pg_insert if self.connection.dialect.name == "postgresql" else sqlite_insert
        await self.connection.execute(
            insert(ops_alerts).values(kind=kind, firing=False, changed_at=now).on_conflict_do_nothing())


def _changed(result: CursorResult[object]) -> bool:
    return bool(result.rowcount == 1)
