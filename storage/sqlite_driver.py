"""SQLAlchemy's aiosqlite adapter with one trip to the database thread per statement instead of four.

aiosqlite runs every call on its connection's own thread and hands the answer back to the event loop. SQLAlchemy's
adapter makes four such calls for one statement (open a cursor, execute, fetch the rows, close the cursor), and
each answer waits for its turn on the event loop. When the loop is busy (a broadcast going out while people chat)
those waits added up inside transactions that hold SQLite's single writer lock: a claim of the delivery pump held
it for a median of 4 ms but 20 ms at the 99th percentile, and every chat reply's write queued behind it. Here
the four steps run as one function on the database thread, so a statement costs one wait, whatever the loop does;
and a transaction's BEGIN goes with its first statement rather than on a trip of its own.

Only the cursor changes: the connection, its transactions and its errors are SQLAlchemy's own, and so is every
statement. The `module=` argument of `create_async_engine` is SQLAlchemy's documented way to hand a dialect its
DB-API module; the module here is the dialect's own adapter with this cursor.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, list[Any], int, int | None]


def _run(connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any,
         many: bool) -> Outcome:
    """On the database thread: the transaction's BEGIN if it is the first statement, then the whole statement,
    its rows and its counts."""
    cursor = connection.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def _at_once() -> None:
    return None


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, fetch and close are one call on aiosqlite's thread; the rows are kept here."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No cursor is opened on the database thread until a statement runs (the base class opens one at once).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = cast(Any, None)
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Description = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            if cast(OneTripConnection, self._adapt_connection).inline:
                return self._here(operation, parameters, many=False)
            return await_(self._trip(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            if cast(OneTripConnection, self._adapt_connection).inline:
                return self._here(operation, seq_of_parameters, many=True)
            return await_(self._trip(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def _here(self, operation: str, parameters: Any, *, many: bool) -> None:
        """The statement on the event loop's own thread (an inline transaction, see `OneTripConnection`)."""
        adapted = cast(OneTripConnection, self._adapt_connection)
        begin, adapted.pending_begin = adapted.pending_begin, None
        self._keep(_run(adapted.sqlite, begin, operation, parameters, many))
        # SQLAlchemy's async layer checks that a statement awaited something (else the driver is taken for a
        # blocking one): this awaits a coroutine that finishes at once, without giving the loop a turn.
        await_(_at_once())

    async def _trip(self, operation: str, parameters: Any, *, many: bool) -> None:
        driver = cast(aiosqlite.Connection, self._connection)
        adapted = cast(OneTripConnection, self._adapt_connection)
        begin, adapted.pending_begin = adapted.pending_begin, None
        async with adapted._execute_mutex:
            outcome: Outcome = await driver._execute(_run, driver._conn, begin, operation, parameters, many)
        self._keep(outcome)

    def _keep(self, outcome: Outcome) -> None:
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None  # nothing is open on the database thread between statements

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """A connection whose BEGIN travels with the transaction's first statement (`begin_with_next`).

    An inline transaction (`inline`) runs its statements and its commit on the event loop's thread, with no
    trip at all. It is for the short writes that come many times a second (an update's row in the inbox, the
    delivery pump's claim and results): their SQLite work is a fraction of a millisecond, while each trip to
    the database thread waited for the busy event loop and for the interpreter's lock, so they held SQLite's
    single writer lock some ten times longer than their work took, and a chat's update waited behind them.
    The loop's thread is blocked the fraction of a millisecond the work takes instead. Only this process
    writes a SQLite database, and it queues its writers (storage.unit_of_work.WriterLock), so an inline
    statement does not wait for SQLite's lock.
    """

    __slots__ = ("pending_begin", "inline")
    _cursor_cls = cast(type[AsyncAdapt_aiosqlite_cursor], OneTripCursor)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None
        self.inline = False

    @property
    def sqlite(self) -> sqlite3.Connection:
        return cast(sqlite3.Connection, self._connection._conn)

    def begin_with_next(self, begin: str) -> None:
        """Run `begin` (BEGIN or BEGIN IMMEDIATE) on the database thread just before the next statement, in
        the same trip: a writer takes SQLite's lock one wait for the event loop sooner, and holds it so much
        less long. A transaction that runs no statement never begins, which is what an empty one means."""
        self.pending_begin = begin

    def rollback(self) -> None:
        self._end(sqlite3.Connection.rollback, super().rollback)

    def commit(self) -> None:
        self._end(sqlite3.Connection.commit, super().commit)

    def _end(self, here: Callable[[sqlite3.Connection], None], by_trip: Callable[[], None]) -> None:
        """End the transaction: on this thread if it was inline, else by a trip; with nothing begun (nothing
        written, or the pool's reset of a committed connection), not at all."""
        self.pending_begin = None  # a transaction that never ran a statement has nothing to end
        inline, self.inline = self.inline, False
        if not self.sqlite.in_transaction:
            return
        if not inline:
            by_trip()
            return
        try:
            here(self.sqlite)
        except Exception as error:
            self._handle_exception(error)


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite dialect's DB-API module, making connections whose cursors take one trip a statement."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)
