"""The unit of work: one transaction, the repositories of every domain that work inside it, commit or roll back.

It implements each domain's unit-of-work port (`subscriptions.billing.ports.UnitOfWork`,
`subscriptions.accounts.ports.AccountsUnitOfWork`, `wallet.ports.WalletUnitOfWork`) through its parts, one per
room of storage (`storage/<room>/unit.py`): the repositories a domain names are attributes here. Entering it again inside its own block joins the
transaction already open (the inner commit leaves committing to the outer block), which is how a sweep
or a bench credits a batch of payments in one commit while each payment's service commits "once".
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.billing.unit import BillingPart
from storage.content.unit import ContentPart
from storage.core.inbox import HANDLING, HandledUpdate
from storage.core.unit import CorePart, Now
from storage.delivery.unit import DeliveryPart
from storage.engine import INLINE_OPTION, ONE_STATEMENT_OPTION, READ_ONLY_OPTION
from storage.envelope import Envelope
from storage.rentals.unit import RentalsPart
from storage.shops.unit import ShopsPart
from storage.stats.unit import StatsPart
from storage.wallet.unit import WalletPart


class ReadOnlyUnitOfWork(Exception):
    """A unit of work opened for reading was asked to commit: open a writing one instead."""


class WriterLock:
    """SQLite allows one writer at a time. In-process transactions queue here instead of spinning in
    SQLite's sleeping busy handler (tens of milliseconds under load), and when the lock is released a
    waiting interactive transaction goes before waiting background ones (delivery, sweeps), so a chat
    reply waits for at most the one background transaction already running."""

    def __init__(self) -> None:
        self._held = False
        self._interactive: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, background: bool) -> None:
        if not self._held and not self._interactive and not self._background:
            self._held = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._background if background else self._interactive).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the lock was handed to us just as we were cancelled: pass it on
            else:
                (self._background if background else self._interactive).remove(waiter)
            raise

    def release(self) -> None:
        for queue in (self._interactive, self._background):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # ownership moves to the waiter; the lock stays held
                    return
        self._held = False


_SQLITE_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, WriterLock] = weakref.WeakKeyDictionary()


def _writer_lock(engine: AsyncEngine) -> WriterLock | None:
    """The engine's writer lock on SQLite; PostgreSQL needs none."""
    if engine.dialect.name != "sqlite":
        return None
    lock = _SQLITE_LOCKS.get(engine)
    if lock is None:
        lock = _SQLITE_LOCKS[engine] = WriterLock()
    return lock


def _system_now() -> datetime:
    return datetime.now(UTC)


# The parts of every transaction, one per room of storage; a new domain's storage adds its part here. Each
# flushes its writes and hands on, so the core's part (the events) writes last.
class UnitOfWork(StatsPart, RentalsPart, ShopsPart, ContentPart, BillingPart, WalletPart, DeliveryPart, CorePart):
    """`async with uow:` opens a transaction; leaving without `commit()` rolls it back."""

    def __init__(self, engine: AsyncEngine, envelope: Envelope, *, background: bool = False,
                 read_only: bool = False, one_statement: bool = False, now: Now = _system_now,
                 marks_update: bool = True, inline: bool = False) -> None:
        self._engine = engine
        self._inline = inline and not read_only and not one_statement
        # Whether committing marks the update being handled done (not for bookkeeping beside the handler,
        # such as noting a member's profile, nor for background work).
        self._marks_update = marks_update and not background
        self._envelope = envelope
        self._now = now
        self._connection: AsyncConnection | None = None
        self._depth = 0
        # A reader needs no writer lock: in SQLite's WAL mode it reads the last committed state meanwhile.
        self._lock = None if read_only or one_statement else _writer_lock(engine)
        self._background = background
        self._read_only = read_only or one_statement
        self._one_statement = one_statement
        self.committed = False

    async def __aenter__(self) -> UnitOfWork:
        if self._depth:
            self._depth += 1  # a service's own block inside a batch: the batch's transaction goes on
            return self
        handled = None if self._read_only else self._update_to_mark()
        if handled is not None:
            # Its commit marks the update's row done: the row must be there. Waited for before the writer
            # lock, which the row's own write may be queued for.
            await handled.until_stored()
        if self._lock is not None:
            await self._lock.acquire(background=self._background)
        try:
            # The connection begins a transaction on first use and again after each commit.
            self._connection = await self._engine.connect()
            if self._read_only:
                await self._connection.execution_options(
                    **{READ_ONLY_OPTION: True, ONE_STATEMENT_OPTION: self._one_statement})
            elif self._inline:
                await self._connection.execution_options(**{INLINE_OPTION: True})
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self._depth = 1
        self.committed = False
        self._bind(self._connection)
        return self

    async def commit(self) -> None:
        if self._read_only:
            raise ReadOnlyUnitOfWork("a reading unit of work cannot commit")
        if self._depth > 1:
            return  # inside a batch: the outermost block commits once for all
        handled = self._update_to_mark()
        if handled is not None:
            await self.inbox.mark_done(handled.bot_id, [handled.update_id])
        await self.flush()
        await self.connection.commit()
        self.committed = True
        if handled is not None:
            handled.marked = True

    def _update_to_mark(self) -> HandledUpdate | None:
        """The update this task handles, if this is the first transaction to commit an effect of it."""
        if not self._marks_update:
            return None
        handled = HANDLING.get()
        return handled if handled is not None and not handled.marked else None

    async def rollback(self) -> None:
        if self._depth > 1:
            return  # inside a batch: the outermost block decides
        if self._connection is not None and self._connection.in_transaction():
            await self._connection.rollback()
        self._forget()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth:
            return
        try:
            if not self._read_only:  # closing a reader's connection ends its transaction: no extra round trip
                await self.rollback()
        finally:
            # The transaction has ended (committed or rolled back): the next writer may go while the pool
            # takes the connection back, which costs a trip to the database thread of its own.
            if self._lock is not None:
                self._lock.release()
            try:
                if self._connection is not None:
                    await self._connection.close()
            finally:
                self._connection = None


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; services hold this, never a connection.

    `background()` gives a factory for work nobody is waiting on in a chat (delivery, sweeps): on SQLite
    its transactions yield the writer lock to interactive ones. `reader()` is for reads on hot paths.
    `now` stamps what the units of work write by themselves (the time an event was recorded).
    """

    def __init__(self, engine: AsyncEngine, envelope: Envelope, *, background: bool = False,
                 now: Now = _system_now, marks_update: bool = True, inline: bool = False) -> None:
        self.engine = engine
        self.envelope = envelope
        self.is_background = background
        self.now = now
        self.marks_update = marks_update
        self.is_inline = inline

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.envelope, background=self.is_background, now=self.now,
                          marks_update=self.marks_update, inline=self.is_inline)

    def background(self) -> UnitOfWorkFactory:
        return UnitOfWorkFactory(self.engine, self.envelope, background=True, now=self.now, inline=self.is_inline)

    def inline(self) -> UnitOfWorkFactory:
        """For short writes made many times a second (an update's row, the pump's claims): on SQLite they run
        on the event loop's thread, without waiting for it between statements (storage.sqlite_driver)."""
        return UnitOfWorkFactory(self.engine, self.envelope, background=self.is_background, now=self.now,
                                 marks_update=self.marks_update, inline=True)

    def bookkeeping(self) -> UnitOfWorkFactory:
        """For writes beside a handler's effect (noting who a member is): committing one does not count as
        having handled the update."""
        return UnitOfWorkFactory(self.engine, self.envelope, background=self.is_background, now=self.now,
                                 marks_update=False)

    def reader(self) -> UnitOfWork:
        """A unit of work that only reads: it never waits for the writer lock, and cannot commit."""
        return UnitOfWork(self.engine, self.envelope, read_only=True, now=self.now)

    def one_read(self) -> UnitOfWork:
        """A reader for exactly one statement (the member load of every update): on SQLite it skips the
        transaction around it. Two statements in it could each see a different moment: use `reader()`."""
        return UnitOfWork(self.engine, self.envelope, one_statement=True, now=self.now)
