"""Who paces bulk sending: one leader per database, so the bot-wide limit holds across workers.

On PostgreSQL the leader holds a session advisory lock on a connection of its own; if that worker dies
its connection closes, the lock is free, and another worker takes it at its next try (every few
seconds). SQLite means one process, which is always the leader.

Chat replies leave from whichever worker took the update, at once. So that bulk sends and replies together
stay within the bot-wide limit, every worker tells the leader a few times a second how many replies it
sent (`InteractiveSharing`, a NOTIFY), and the leader, listening on its lock connection, books them in its
limiter: its bulk pace leaves room for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery.interactive import InteractiveTally
from bot.delivery.problems import Problems

log = logging.getLogger(__name__)
# A fixed 64-bit key: every jigap worker on the database contends for this one lock.
LEADER_LOCK_KEY = 0x6A6967_6170_0001
# Where workers announce "<worker> <replies sent>" to the leader, and how often each one does.
INTERACTIVE_CHANNEL = "jigap_interactive_sends"
SHARE_EVERY = 0.2


class Leadership(Protocol):
    @property
    def leading(self) -> bool:
        """Whether this worker led at its last check."""
        ...

    async def ensure(self) -> bool:
        """True while this worker leads; tries to become leader when it does not (at most every few seconds)."""
        ...

    async def release(self) -> None: ...


class SoleProcess:
    """SQLite: a single process, always the leader."""

    @property
    def leading(self) -> bool:
        return True

    async def ensure(self) -> bool:
        return True

    async def release(self) -> None:
        """Nothing is held."""


class AdvisoryLockLeader:
    def __init__(self, engine: AsyncEngine, *, check_every: float = 2.0, key: int = LEADER_LOCK_KEY,
                 monotonic: Callable[[], float] = time.monotonic, worker: str = "",
                 on_others_sent: Callable[[int], None] | None = None) -> None:
        self._engine = engine
        self._check_every = check_every
        self._key = key
        self._monotonic = monotonic
        self._worker = worker
        self._on_others_sent = on_others_sent
        self._connection: AsyncConnection | None = None
        self._last = -check_every
        self._problems = Problems(log)

    @property
    def leading(self) -> bool:
        return self._connection is not None

    async def ensure(self) -> bool:
        now = self._monotonic()
        if now - self._last < self._check_every:
            return self._connection is not None
        self._last = now
        if self._connection is not None:
            return await self._still_held()
        return await self._try_acquire()

    async def _still_held(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.execute(text("SELECT 1"))
            return True
        except (SQLAlchemyError, OSError) as error:
            log.warning("lost the delivery leader lock (%s); another worker may take over", type(error).__name__)
            await self._discard()
            return False

    async def _try_acquire(self) -> bool:
        connection: AsyncConnection | None = None
        try:
            connection = await self._engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})).scalar()
            if got and self._on_others_sent is not None:
                await self._listen(connection)
        except (SQLAlchemyError, OSError) as error:
            self._problems.report("leader", f"cannot reach the database to contend for leadership ({error!r})")
            if connection is not None:
                await _close_quietly(connection)
            return False
        self._problems.resolved("leader", "database reachable again for leadership")
        if got:
            self._connection = connection
            log.info("this worker is now the delivery leader")
            return True
        await _close_quietly(connection)
        return False

    async def _listen(self, connection: AsyncConnection) -> None:
        """Hear the other workers' reply counts on the lock connection, for as long as it is held."""
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None, "the lock connection is open"
        await driver.add_listener(INTERACTIVE_CHANNEL, self._heard)

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        worker, _, count = payload.rpartition(" ")
        if worker == self._worker or not count.isdigit() or self._on_others_sent is None:
            return  # our own replies are booked already as they go out
        self._on_others_sent(int(count))

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except (SQLAlchemyError, OSError):
                log.debug("the lost leader connection could not be invalidated cleanly")
            await _close_quietly(connection)

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except (SQLAlchemyError, OSError):
            log.debug("could not unlock on release; closing the connection frees the lock anyway")
        await _close_quietly(connection)


async def _close_quietly(connection: AsyncConnection) -> None:
    try:
        await connection.close()
    except (SQLAlchemyError, OSError):
        log.debug("closing a database connection failed; it is gone either way")


class InteractiveSharing:
    """A worker's chat replies, announced to the leader every SHARE_EVERY seconds (PostgreSQL only)."""

    def __init__(self, engine: AsyncEngine, tally: InteractiveTally, worker: str, leadership: Leadership) -> None:
        self._engine = engine
        self._tally = tally
        self._worker = worker
        self._leadership = leadership
        self._task: asyncio.Task[None] | None = None
        self._problems = Problems(log)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="interactive-sharing")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(SHARE_EVERY)
            count = self._tally.take()
            if not count or self._leadership.leading:
                continue  # the leader's own replies are booked in its limiter as they go out
            try:
                await self.announce(count)
            except (SQLAlchemyError, OSError) as error:
                self._tally.give_back(count)
                self._problems.report("share", f"cannot tell the delivery leader about chat replies ({error!r})")
                continue
            self._problems.resolved("share", "the delivery leader hears about chat replies again")

    async def announce(self, count: int) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                                     {"channel": INTERACTIVE_CHANNEL, "payload": f"{self._worker} {count}"})
            await connection.commit()  # a notification is delivered when its transaction commits


async def led_elsewhere(engine: AsyncEngine, key: int = LEADER_LOCK_KEY) -> bool:
    """Whether some session on this PostgreSQL database holds the leader lock (for /healthz of a worker that
    does not lead). A bigint advisory lock shows in pg_locks as its high and low 32 bits."""
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND ((classid::bigint << 32) | objid::bigint) = :key")
    async with engine.connect() as connection:
        return bool((await connection.execute(query, {"key": key})).scalar())
