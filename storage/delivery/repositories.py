"""The outbox, broadcasts, reminders, delivery preferences and scheduled notices, as stored.

Claims take rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never take the same row;
SQLite has one writer process, where a conditional UPDATE is the whole claim. A claim is a lease: a row
whose lease ran out (its worker died) is handed out again, so delivery is at least once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import events, users
from storage.delivery.tables import broadcasts, delivery_preferences, outbox, reminders, scheduled_notices
from storage.json_text import column_json
from storage.metadata import as_utc
from subscriptions.accounts.records import Preferences
from subscriptions.broadcasts import BroadcastCounts, BroadcastRecord
from subscriptions.reminders import Reminder

PRIORITY_URGENT = 0
PRIORITY_NORMAL = 5
PRIORITY_BULK = 9
REASON_LENGTH = 200
FINISHED_OUTBOX = ("sent", "failed", "dropped")
DECIDED_REMINDERS = ("queued", "stale", "muted", "blocked")


@dataclass(frozen=True)
class NewOutboxRow:
    """A message to enqueue: who gets it, what it is, and the key that makes enqueueing it twice a no-op."""

    chat_id: int
    kind: str
    payload: Mapping[str, Any]
    idempotency_key: str
    priority: int = PRIORITY_NORMAL
    broadcast_id: int | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    priority: int
    status: str
    attempts: int
    broadcast_id: int | None
    idempotency_key: str


@dataclass(frozen=True)
class Sent:
    row_id: int
    at: datetime


@dataclass(frozen=True)
class Retry:
    row_id: int
    attempts: int
    next_attempt_at: datetime
    reason: str
    count_attempt: bool = True


@dataclass(frozen=True)
class Finished:
    """A row that will not be tried again: failed (an error that retrying cannot fix) or dropped."""

    row_id: int
    status: str
    reason: str


@dataclass(frozen=True)
class NewReminder:
    kind: str
    subject_id: str
    period_key: str
    user_id: int
    due_at: datetime
    send_at: datetime
    urgent: bool
    status: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_id, self.period_key)


@dataclass(frozen=True)
class Recorded:
    """What one `ReminderRepository.record` call recorded ((kind, subject_id, period_key) keys) and queued."""

    keys: set[tuple[str, str, str]]
    queued: int


@dataclass(frozen=True)
class Decided:
    """The held reminders one `ReminderRepository.decide` call decided, and how many of them it queued."""

    ids: set[int]
    queued: int


@dataclass(frozen=True)
class RecordedReminder:
    """A row of the `reminders` table: held for quiet hours, or queued and about to be sent."""

    id: int
    kind: str
    subject_id: str
    period_key: str
    user_id: int
    due_at: datetime
    urgent: bool

    @property
    def reminder(self) -> Reminder:
        return Reminder(self.kind, self.subject_id, self.period_key, self.user_id, self.due_at, self.urgent)


@dataclass(frozen=True)
class Recipient:
    """What the scheduler needs to know about a user to decide when and whether to remind them."""

    user_id: int
    language: str | None
    telegram_language: str | None
    timezone: str
    blocked: bool  # blocked the bot, or banned by the platform: nothing that can wait goes to them
    muted_kinds: frozenset[str]
    quiet_start: str | None
    quiet_end: str | None
    quiet_off: bool


@dataclass(frozen=True)
class Notice:
    id: int
    user_id: int
    topic: str
    text: str
    buttons: list[list[dict[str, str]]] | None
    urgent: bool
    status: str
    due_at: datetime
    expires_at: datetime


def _insert_ignoring_duplicates(connection: AsyncConnection, table: Any) -> Any:
    """INSERT that skips rows whose unique key exists: how idempotency keys make a second enqueue a no-op."""
    if connection.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


def sqlite_time(value: datetime) -> str:
    """An aware datetime as SQLAlchemy's SQLite DateTime stores it: UTC, "2026-11-25 03:00:00.000000"."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


async def _insert_many_ignoring_duplicates(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> int:
    """Bulk INSERT ... ON CONFLICT DO NOTHING on PostgreSQL; returns how many rows were new.

    asyncpg reports no row count for executemany; RETURNING lists exactly the rows inserted. (SQLite callers
    hand the driver ready-made tuples instead: SQLAlchemy's per-row type processing costs more than SQLite.)
    """
    if not rows:
        return 0
    statement = _insert_ignoring_duplicates(connection, table).returning(table.c.id)
    return len((await connection.execute(statement, rows)).all())


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_SQLITE_ENQUEUE = (
    "INSERT INTO outbox (chat_id, kind, payload, priority, status, attempts, next_attempt_at, idempotency_key, "
    "broadcast_id, created_at) VALUES "
)


class OutboxRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def enqueue(
        self,
        chat_id: int,
        kind: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str,
        now: datetime,
        priority: int = PRIORITY_NORMAL,
        broadcast_id: int | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Add one message to the outbox in the caller's transaction; False when the key was already used."""
        row = NewOutboxRow(chat_id, kind, payload, idempotency_key, priority, broadcast_id, not_before)
        return await self.enqueue_many([row], now=now) == 1

    async def enqueue_many(self, rows: Sequence[NewOutboxRow], *, now: datetime) -> int:
        """Add many messages at once (broadcasts, sweeps); returns how many were new."""
        if self._connection.dialect.name == "sqlite":
            return await self._enqueue_many_sqlite(rows, now)
        added = 0
        for chunk in _chunks(rows, 2000):
            values = [
                {
                    "chat_id": row.chat_id, "kind": row.kind, "payload": dict(row.payload), "priority": row.priority,
                    "status": "pending", "attempts": 0, "next_attempt_at": row.not_before or now,
                    "idempotency_key": row.idempotency_key, "broadcast_id": row.broadcast_id, "created_at": now,
                }
                for row in chunk
            ]
            added += await _insert_many_ignoring_duplicates(self._connection, outbox, values)
        return added

    async def _enqueue_many_sqlite(self, rows: Sequence[NewOutboxRow], now: datetime) -> int:
        """Multi-row INSERTs of ready-made values, a thousand rows each: a sweep or a broadcast writes
        thousands of rows at a time, and SQLAlchemy's per-row type processing costs more than SQLite's own work.
        One statement is one step of SQLite: the driver's executemany hands the interpreter lock back and forth
        once per row, which stalls it whenever other Python code is running meanwhile."""
        created = sqlite_time(now)
        added = 0
        for chunk in _chunks(rows, 1000):
            values: list[Any] = []
            for row in chunk:
                payload = row.payload if isinstance(row.payload, dict) else dict(row.payload)
                values += (row.chat_id, row.kind, column_json(payload), row.priority,
                           sqlite_time(row.not_before) if row.not_before else created, row.idempotency_key,
                           row.broadcast_id, created)
            sql = _SQLITE_ENQUEUE + ", ".join(["(?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"] * len(chunk))
            result = await self._connection.exec_driver_sql(sql + " ON CONFLICT DO NOTHING", tuple(values))
            added += max(result.rowcount, 0)
        return added

    async def enqueue_select(self, chat_ids: Select[Any], *, kind: str, payload: Mapping[str, str], key_prefix: str,
                             now: datetime, priority: int = PRIORITY_NORMAL, broadcast_id: int | None = None) -> int:
        """One message of `payload` for every chat id `chat_ids` selects, copied inside the database (a new
        post's thousands of followers: no row passes through Python); returns how many were new. Each row's key
        is `key_prefix` and its chat id zero-padded, so rows already queued are skipped and a batch's keys land
        together at the end of the unique index."""
        source = chat_ids.subquery("recipients")
        chat = source.c[0]
        body: ColumnElement[Any]
        key: ColumnElement[Any]
        pairs = [part for name, value in payload.items() for part in (literal(name), literal(value))]
        if self._connection.dialect.name == "sqlite":
            body = func.json_object(*pairs)
            key = func.printf(f"{key_prefix.replace('%', '%%')}%016d", chat)
        else:
            body = func.json_build_object(*pairs)
            digits = cast(chat, Text)
            key = literal(key_prefix) + func.lpad(digits, func.greatest(16, func.length(digits)), "0")
        rows = select(
            chat, literal(kind), body, literal(priority), literal("pending"), literal(0),
            literal(now, outbox.c.next_attempt_at.type), key, literal(broadcast_id, outbox.c.broadcast_id.type),
            literal(now, outbox.c.created_at.type),
        ).where(true())  # SQLite reads INSERT ... SELECT ... ON CONFLICT right only after a WHERE
        columns = ["chat_id", "kind", "payload", "priority", "status", "attempts", "next_attempt_at",
                   "idempotency_key", "broadcast_id", "created_at"]
        statement = _insert_ignoring_duplicates(self._connection, outbox).from_select(columns, rows)
        result = await self._connection.execute(statement)
        return max(result.rowcount, 0)

    async def claim(self, worker: str, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxRow]:
        """Take up to `limit` due rows for `worker` until `now + lease`, most urgent first."""
        candidates: Select[Any] = (
            select(outbox.c.id)
            .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.priority, outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        chosen: Any = candidates.scalar_subquery()
        if self._connection.dialect.name == "postgresql":
            # PostgreSQL may run an IN (subquery) again for each row it updates; with SKIP LOCKED every run
            # finds other rows, and one claim took the whole queue. A materialized CTE runs exactly once.
            locked = candidates.with_for_update(skip_locked=True).cte("claimable").prefix_with("MATERIALIZED")
            chosen = select(locked.c.id)
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(chosen), outbox.c.status == "pending")
            .values(status="sending", claimed_by=worker, claimed_until=now + lease)
            .returning(
                outbox.c.id, outbox.c.chat_id, outbox.c.kind, outbox.c.payload, outbox.c.priority, outbox.c.status,
                outbox.c.attempts, outbox.c.broadcast_id, outbox.c.idempotency_key,
            )
        )
        rows = (await self._connection.execute(statement)).all()
        claimed = [
            OutboxRow(row.id, row.chat_id, row.kind, row.payload, row.priority, row.status, row.attempts,
                      row.broadcast_id, row.idempotency_key)
            for row in rows
        ]
        return sorted(claimed, key=lambda row: (row.priority, row.id))

    async def reclaim_expired(self, now: datetime) -> int:
        """Hand rows whose lease ran out (their worker died mid-send) back to the queue."""
        result = await self._connection.execute(
            update(outbox)
            .where(outbox.c.status == "sending", outbox.c.claimed_until < now)
            .values(status="pending", claimed_by=None, claimed_until=None)
        )
        return max(result.rowcount, 0)

    async def mark_sent(self, results: Sequence[Sent]) -> None:
        """One statement per batch: the rows of a flush went out within a fraction of a second of each other."""
        if not results:
            return
        at = max(result.at for result in results)
        for chunk in _chunks([result.row_id for result in results], 900):
            await self._connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(chunk)))
                .values(status="sent", sent_at=at, claimed_by=None, claimed_until=None, reason=None)
            )

    async def mark_retry(self, results: Sequence[Retry]) -> None:
        if not results:
            return
        statement = (
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"), outbox.c.status == "sending")
            .values(status="pending", attempts=bindparam("tries"), next_attempt_at=bindparam("next_at"),
                    reason=bindparam("why"), claimed_by=None, claimed_until=None)
        )
        await self._connection.execute(
            statement,
            [{"row_id": r.row_id, "tries": r.attempts, "next_at": r.next_attempt_at, "why": r.reason[:REASON_LENGTH]}
             for r in results],
        )

    async def mark_finished(self, results: Sequence[Finished]) -> None:
        if not results:
            return
        statement = (
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"))
            .values(status=bindparam("final"), reason=bindparam("why"), claimed_by=None, claimed_until=None)
        )
        await self._connection.execute(
            statement, [{"row_id": r.row_id, "final": r.status, "why": r.reason[:REASON_LENGTH]} for r in results]
        )

    async def drop_pending_for_chat(self, chat_id: int, reason: str) -> int:
        """The user blocked the bot: nothing still waiting for them will be sent. (Only the waiting part of
        the claim index is read: it ends with the chat.)"""
        result = await self._connection.execute(
            update(outbox)
            .where(outbox.c.chat_id == chat_id, outbox.c.status == "pending")
            .values(status="dropped", reason=reason[:REASON_LENGTH])
        )
        return max(result.rowcount, 0)

    async def drop_pending_for_broadcast(self, broadcast_id: int, reason: str) -> int:
        result = await self._connection.execute(
            update(outbox)
            .where(outbox.c.broadcast_id == broadcast_id, outbox.c.status == "pending")
            .values(status="dropped", reason=reason[:REASON_LENGTH])
        )
        return max(result.rowcount, 0)

    async def counts_by_status(self) -> dict[str, int]:
        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        return {row[0]: int(row[1]) for row in (await self._connection.execute(query)).all()}

    async def rows_for_chat(self, chat_id: int) -> list[tuple[str, str, str | None]]:
        """(kind, status, reason) of every row for a chat, oldest first: what tests and support look at. No
        index leads with the chat, so this reads the whole outbox: not for the bot's own paths."""
        query = select(outbox.c.kind, outbox.c.status, outbox.c.reason).where(outbox.c.chat_id == chat_id)
        return [(row.kind, row.status, row.reason) for row in (await self._connection.execute(query.order_by(outbox.c.id))).all()]


class BroadcastRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self, *, sender_id: int, org_id: int | None, audience: str, payload: Mapping[str, Any],
        progress_chat_id: int | None, now: datetime,
    ) -> int:
        result = await self._connection.execute(
            insert(broadcasts)
            .values(sender_id=sender_id, org_id=org_id, audience=audience, payload=dict(payload), status="running",
                    total=0, progress_chat_id=progress_chat_id, created_at=now)
            .returning(broadcasts.c.id)
        )
        return int(result.scalar_one())

    async def set_total(self, broadcast_id: int, total: int) -> None:
        await self._connection.execute(update(broadcasts).where(broadcasts.c.id == broadcast_id).values(total=total))

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._connection.execute(
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id)
            .values(progress_chat_id=chat_id, progress_message_id=message_id)
        )

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        row = (await self._connection.execute(select(broadcasts).where(broadcasts.c.id == broadcast_id))).first()
        return None if row is None else self._record(row)

    async def running(self) -> list[BroadcastRecord]:
        query = select(broadcasts).where(broadcasts.c.status == "running").order_by(broadcasts.c.id)
        return [self._record(row) for row in (await self._connection.execute(query)).all()]

    async def recently_canceled(self, since: datetime) -> list[int]:
        query = select(broadcasts.c.id).where(broadcasts.c.status == "canceled", broadcasts.c.finished_at >= since)
        return [int(row.id) for row in (await self._connection.execute(query)).all()]

    async def finish(self, broadcast_id: int, status: str, now: datetime) -> bool:
        """Move a running broadcast to done or canceled; False when it was not running any more."""
        result = await self._connection.execute(
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id, broadcasts.c.status == "running")
            .values(status=status, finished_at=now)
        )
        return bool(result.rowcount)

    async def counts(self, broadcast_id: int) -> BroadcastCounts:
        query = (
            select(outbox.c.status, func.count())
            .where(outbox.c.broadcast_id == broadcast_id)
            .group_by(outbox.c.status)
        )
        found = {row[0]: int(row[1]) for row in (await self._connection.execute(query)).all()}
        return BroadcastCounts(
            sent=found.get("sent", 0), failed=found.get("failed", 0), dropped=found.get("dropped", 0),
            waiting=found.get("pending", 0) + found.get("sending", 0),
        )

    async def all_started_users(self, *, after: int, limit: int) -> list[int]:
        """Users who have started the bot and not blocked it (nor been banned), by id, a page at a time."""
        query = (
            select(users.c.id)
            .where(users.c.id > after, users.c.is_bot_blocked.is_(False), users.c.is_banned.is_(False))
            .order_by(users.c.id)
            .limit(limit)
        )
        return [int(row.id) for row in (await self._connection.execute(query)).all()]

    @staticmethod
    def _record(row: Any) -> BroadcastRecord:
        return BroadcastRecord(
            id=row.id, sender_id=row.sender_id, org_id=row.org_id, audience=row.audience, payload=row.payload,
            status=row.status, total=row.total, progress_chat_id=row.progress_chat_id,
            progress_message_id=row.progress_message_id, created_at=as_utc(row.created_at),
            finished_at=as_utc(row.finished_at) if row.finished_at else None,
        )


def _recorded(row: Any) -> RecordedReminder:
    return RecordedReminder(row.id, row.kind, row.subject_id, row.period_key, row.user_id, as_utc(row.due_at),
                            bool(row.urgent))


class ReminderRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def existing_keys(self, kind: str, subject_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(subject_id, period_key) already recorded for these subjects: what a sweep must not decide again."""
        if not subject_ids:
            return set()
        query = select(reminders.c.subject_id, reminders.c.period_key).where(
            reminders.c.kind == kind, reminders.c.subject_id.in_(list(subject_ids))
        )
        return {(row.subject_id, row.period_key) for row in (await self._connection.execute(query)).all()}

    async def record(self, rows: Sequence[NewReminder], *, now: datetime) -> Recorded:
        """Insert reminders, a thousand to a statement, skipping any already recorded, and queue the outbox row
        of each one this call recorded as "queued"; returns what it recorded and how many it queued.

        The unique key on (kind, subject_id, period_key) decides who records a reminder, and only the caller
        that recorded it queues its message: two workers sweeping at once never both send one, even when the
        outbox row that would have caught the second has long been cleaned up. The outbox rows are copied from
        the reminder rows inside the database; their message is written when it is sent (`ReminderMessages`).
        """
        recorded = Recorded(set(), 0)
        for chunk in _chunks(rows, 1000):
            if self._connection.dialect.name == "sqlite":
                keys, ids = await self._record_sqlite(chunk, now)
            else:
                statement = _insert_ignoring_duplicates(self._connection, reminders).returning(
                    reminders.c.id, reminders.c.kind, reminders.c.subject_id, reminders.c.period_key)
                result = (await self._connection.execute(statement, [self._values(row, now) for row in chunk])).all()
                keys = {(row.kind, row.subject_id, row.period_key) for row in result}
                ids = reminders.c.id.in_([row.id for row in result])
            queued = await self._queue(ids, now) if any(row.status == "queued" for row in chunk) else 0
            recorded = Recorded(recorded.keys | keys, recorded.queued + queued)
        return recorded

    async def _record_sqlite(self, rows: Sequence[NewReminder], now: datetime) -> tuple[set[tuple[str, str, str]], Any]:
        """One multi-row INSERT ... ON CONFLICT DO NOTHING; the rows this call added are the ones above the
        highest id before it.

        A writing transaction on SQLite holds the database's only write lock from its BEGIN IMMEDIATE, and
        SQLite gives each new row the highest id so far plus one, so nobody else's row lands in between.
        (RETURNING would say the same in one statement, but SQLite returns its rows one step at a time, each
        step a hand-over of the interpreter lock that waits while other Python code runs.)
        """
        highest = (await self._connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM reminders")).scalar_one()
        created = sqlite_time(now)
        values: list[Any] = []
        for row in rows:
            values += (row.kind, row.subject_id, row.period_key, row.user_id, sqlite_time(row.due_at),
                       sqlite_time(row.send_at), int(row.urgent), row.status, created,
                       None if row.status == "pending" else created)
        sql = (
            "INSERT INTO reminders (kind, subject_id, period_key, user_id, due_at, send_at, urgent, status, "
            f"created_at, decided_at) VALUES {', '.join(['(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'] * len(rows))} "
            "ON CONFLICT DO NOTHING"
        )
        result = await self._connection.exec_driver_sql(sql, tuple(values))
        mine = reminders.c.id > highest
        if result.rowcount == len(rows):
            return {row.key for row in rows}, mine
        added = await self._connection.exec_driver_sql(
            "SELECT kind, subject_id, period_key FROM reminders WHERE id > ?", (highest,))
        return {(row.kind, row.subject_id, row.period_key) for row in added.all()}, mine

    async def _queue(self, chosen: Any, now: datetime) -> int:
        """The outbox row of each reminder `chosen` picks whose status is "queued": a reference to the reminder,
        rendered in the user's language when it is sent. Returns how many rows were new."""
        # The key is the reminder's id, zero-padded: new keys sort after every earlier one, so the unique index
        # grows at its end instead of rewriting pages all over it at each commit. (The reminder's own unique
        # (kind, subject, period) already makes sure there is one such row per reminder.)
        payload: ColumnElement[Any]
        key: ColumnElement[Any]
        if self._connection.dialect.name == "sqlite":
            payload = func.json_object("reminder", reminders.c.id)
            key = func.printf("reminder:%012d", reminders.c.id)
        else:
            payload = func.json_build_object("reminder", reminders.c.id)
            digits = cast(reminders.c.id, Text)
            key = literal("reminder:") + func.lpad(digits, func.greatest(12, func.length(digits)), "0")
        priority = case((reminders.c.urgent, PRIORITY_URGENT), else_=PRIORITY_NORMAL)
        source = select(
            reminders.c.user_id, literal("reminder"), payload, priority, literal("pending"), literal(0),
            literal(now, outbox.c.next_attempt_at.type), key, literal(now, outbox.c.created_at.type),
        ).where(chosen, reminders.c.status == "queued")
        columns = ["chat_id", "kind", "payload", "priority", "status", "attempts", "next_attempt_at",
                   "idempotency_key", "created_at"]
        statement = _insert_ignoring_duplicates(self._connection, outbox).from_select(columns, source)
        result = await self._connection.execute(statement)
        return max(result.rowcount, 0)

    @staticmethod
    def _values(row: NewReminder, now: datetime) -> dict[str, Any]:
        decided = None if row.status == "pending" else now
        return {
            "kind": row.kind, "subject_id": row.subject_id, "period_key": row.period_key, "user_id": row.user_id,
            "due_at": row.due_at, "send_at": row.send_at, "urgent": row.urgent, "status": row.status,
            "created_at": now, "decided_at": decided,
        }

    async def held_until(self, now: datetime, *, limit: int) -> list[RecordedReminder]:
        """Reminders held back (quiet hours) whose time has come, oldest first."""
        query = (
            select(reminders)
            .where(reminders.c.status == "pending", reminders.c.send_at <= now)
            .order_by(reminders.c.send_at, reminders.c.id)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_recorded(row) for row in (await self._connection.execute(query)).all()]

    async def decide(self, decisions: Sequence[tuple[int, str]], now: datetime) -> Decided:
        """Set the final status (queued, stale, muted, blocked) of held reminders, one statement per status, and
        queue the outbox row of each this call decided as "queued" (a reminder another worker decided first is
        left as it is, and is that worker's to send)."""
        by_status: dict[str, list[int]] = {}
        for reminder_id, status in decisions:
            by_status.setdefault(status, []).append(reminder_id)
        decided: set[int] = set()
        queued = 0
        for status, ids in by_status.items():
            for chunk in _chunks(ids, 900):
                result = await self._connection.execute(
                    update(reminders)
                    .where(reminders.c.id.in_(list(chunk)), reminders.c.status == "pending")
                    .values(status=status, decided_at=now)
                    .returning(reminders.c.id)
                )
                moved = [int(row.id) for row in result.all()]
                decided.update(moved)
                if status == "queued" and moved:
                    queued += await self._queue(reminders.c.id.in_(moved), now)
        return Decided(decided, queued)

    async def by_ids(self, ids: Iterable[int]) -> dict[int, RecordedReminder]:
        """Recorded reminders by id (what a queued reminder's outbox row refers to)."""
        found: dict[int, RecordedReminder] = {}
        for chunk in _chunks(sorted(set(ids)), 900):
            query = select(reminders).where(reminders.c.id.in_(list(chunk)))
            for row in (await self._connection.execute(query)).all():
                found[row.id] = _recorded(row)
        return found

    async def statuses(self, kind: str) -> dict[tuple[str, str], str]:
        query = select(reminders.c.subject_id, reminders.c.period_key, reminders.c.status).where(reminders.c.kind == kind)
        return {(r.subject_id, r.period_key): r.status for r in (await self._connection.execute(query)).all()}


class PreferencesRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: int) -> Preferences:
        row = (
            await self._connection.execute(select(delivery_preferences).where(delivery_preferences.c.user_id == user_id))
        ).first()
        if row is None:
            return Preferences(frozenset(), None, None, False)
        return Preferences(frozenset(row.muted_kinds or []), row.quiet_start, row.quiet_end, bool(row.quiet_off))

    async def save(self, user_id: int, preferences: Preferences, now: datetime) -> None:
        values = {
            "muted_kinds": sorted(preferences.muted_kinds), "quiet_start": preferences.quiet_start,
            "quiet_end": preferences.quiet_end, "quiet_off": preferences.quiet_off, "updated_at": now,
        }
        result = await self._connection.execute(
            update(delivery_preferences).where(delivery_preferences.c.user_id == user_id).values(**values)
        )
        if not result.rowcount:
            await self._connection.execute(insert(delivery_preferences).values(user_id=user_id, **values))

    async def recipients(self, user_ids: Iterable[int]) -> dict[int, Recipient]:
        """Language, time zone, blocked flag and preferences of many users in one query per thousand. A banned user
        counts as blocked: reminders, posts and shops' broadcasts queued after the ban are dropped for them too."""
        ids = sorted(set(user_ids))
        found: dict[int, Recipient] = {}
        for chunk in _chunks(ids, 900):
            query = (
                select(
                    users.c.id, users.c.language, users.c.telegram_language, users.c.timezone, users.c.is_bot_blocked,
                    users.c.is_banned, delivery_preferences.c.muted_kinds, delivery_preferences.c.quiet_start,
                    delivery_preferences.c.quiet_end, delivery_preferences.c.quiet_off,
                )
                .select_from(users.outerjoin(delivery_preferences, delivery_preferences.c.user_id == users.c.id))
                .where(users.c.id.in_(list(chunk)))
            )
            for row in (await self._connection.execute(query)).all():
                found[row.id] = Recipient(
                    user_id=row.id, language=row.language, telegram_language=row.telegram_language,
                    timezone=row.timezone, blocked=bool(row.is_bot_blocked or row.is_banned),
                    muted_kinds=frozenset(row.muted_kinds or []), quiet_start=row.quiet_start,
                    quiet_end=row.quiet_end, quiet_off=bool(row.quiet_off),
                )
        return found


class NoticeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self, *, user_id: int, topic: str, text: str, due_at: datetime, expires_at: datetime, now: datetime,
        buttons: list[list[dict[str, str]]] | None = None, urgent: bool = False,
    ) -> int:
        result = await self._connection.execute(
            insert(scheduled_notices)
            .values(user_id=user_id, topic=topic, text=text, buttons=buttons, urgent=urgent, status="scheduled",
                    due_at=due_at, expires_at=expires_at, created_at=now)
            .returning(scheduled_notices.c.id)
        )
        return int(result.scalar_one())

    async def cancel(self, notice_id: int) -> bool:
        result = await self._connection.execute(
            update(scheduled_notices)
            .where(scheduled_notices.c.id == notice_id, scheduled_notices.c.status == "scheduled")
            .values(status="canceled")
        )
        return bool(result.rowcount)

    async def due(
        self, *, not_before: datetime, not_after: datetime, statuses: Sequence[str], after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[Notice]:
        """Notices whose due time lies in the window, in (due_at, id) order after the keyset cursor."""
        query = select(scheduled_notices).where(
            scheduled_notices.c.status.in_(list(statuses)),
            scheduled_notices.c.due_at >= not_before,
            scheduled_notices.c.due_at <= not_after,
        )
        if after is not None:
            # A row-value comparison walks the (status, due_at, id) index from the cursor on; the equivalent
            # OR of two conditions makes SQLite scan the window from its start on every page.
            query = query.where(tuple_(scheduled_notices.c.due_at, scheduled_notices.c.id) > tuple_(*after))
        query = query.order_by(scheduled_notices.c.due_at, scheduled_notices.c.id).limit(limit)
        return [self._record(row) for row in (await self._connection.execute(query)).all()]

    async def load(self, ids: Sequence[int]) -> dict[int, Notice]:
        found: dict[int, Notice] = {}
        for chunk in _chunks(sorted(set(ids)), 900):
            query = select(scheduled_notices).where(scheduled_notices.c.id.in_(list(chunk)))
            found.update({row.id: self._record(row) for row in (await self._connection.execute(query)).all()})
        return found

    @staticmethod
    def _record(row: Any) -> Notice:
        return Notice(
            id=row.id, user_id=row.user_id, topic=row.topic, text=row.text, buttons=row.buttons, urgent=bool(row.urgent),
            status=row.status, due_at=as_utc(row.due_at), expires_at=as_utc(row.expires_at),
        )


class RetentionRepository:
    """Deletes what the delivery engine and the event path no longer need, a batch per call (oldest rows first).

    Each call is one short statement: the caller commits between batches, so SQLite's writer is never held
    for long and chat transactions go in between.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def delete_finished_outbox(self, *, before: datetime, limit: int) -> int:
        """Sent, failed and dropped rows whose last attempt was before `before`; rows of a broadcast still
        running stay (its progress counts them). Waiting and in-flight rows always stay."""
        running = select(broadcasts.c.id).where(broadcasts.c.status == "running")
        chosen = (
            select(outbox.c.id)
            .where(outbox.c.status.in_(FINISHED_OUTBOX), outbox.c.next_attempt_at < before,
                   or_(outbox.c.broadcast_id.is_(None), outbox.c.broadcast_id.not_in(running)))
            .limit(limit)
        )
        return await self._delete(outbox, chosen)

    async def delete_decided_reminders(self, *, before: datetime, limit: int) -> int:
        """Reminders decided (queued, skipped) whose send time was before `before`; held ones stay."""
        chosen = (
            select(reminders.c.id)
            .where(reminders.c.status.in_(DECIDED_REMINDERS), reminders.c.send_at < before)
            .limit(limit)
        )
        return await self._delete(reminders, chosen)

    async def delete_handled_events(self, *, before: datetime, limit: int) -> int:
        """Events handled (done, failed) before `before`. The newest row always stays: outbox rows are keyed
        by an event's id, and SQLite hands the highest id out again once it is deleted."""
        newest = select(func.max(events.c.id)).scalar_subquery()
        chosen = (
            select(events.c.id)
            .where(events.c.status.in_(("done", "failed")), events.c.created_at < before, events.c.id < newest)
            .limit(limit)
        )
        return await self._delete(events, chosen)

    async def _delete(self, table: Any, chosen: Select[Any]) -> int:
        ids: Any = chosen.scalar_subquery()
        if self._connection.dialect.name == "postgresql":
            # Another worker may be cleaning up too: each takes rows the other has not locked. Materialized,
            # the batch is chosen once (an IN subquery with SKIP LOCKED may run again and take more).
            doomed = chosen.with_for_update(skip_locked=True).cte("doomed").prefix_with("MATERIALIZED")
            ids = select(doomed.c.id)
        result = await self._connection.execute(delete(table).where(table.c.id.in_(ids)))
        return max(result.rowcount, 0)


class DeliveryRepository:
    """The delivery area's repositories other than the outbox, under one unit-of-work attribute."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.broadcasts = BroadcastRepository(connection)
        self.reminders = ReminderRepository(connection)
        self.preferences = PreferencesRepository(connection)
        self.notices = NoticeRepository(connection)
        self.retention = RetentionRepository(connection)
