"""The unit of work: one transaction, the repositories that work inside it, commit or roll back."""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.envelope import Envelope
from storage.repositories.accounts import (
    AuditRepository,
    OrganisationRepository,
    PendingActionRepository,
    RoleRepository,
    UserRepository,
)
from storage.repositories.billing import BillingRepositories
from storage.repositories.delivery import DeliveryRepository, OutboxRepository
from storage.repositories.wallet import WalletRepository

_SQLITE_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """SQLite allows one writer: queue in-process transactions on an asyncio lock instead of letting
    them spin in SQLite's sleeping busy handler, which would add tens of milliseconds under load."""
    if engine.dialect.name != "sqlite":
        return None
    lock = _SQLITE_LOCKS.get(engine)
    if lock is None:
        lock = _SQLITE_LOCKS[engine] = asyncio.Lock()
    return lock


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving without `commit()` rolls it back."""

    users: UserRepository
    organisations: OrganisationRepository
    roles: RoleRepository
    audit: AuditRepository
    pending: PendingActionRepository
    wallet: WalletRepository
    outbox: OutboxRepository
    delivery: DeliveryRepository
    billing: BillingRepositories

    def __init__(self, engine: AsyncEngine, envelope: Envelope) -> None:
        self._engine = engine
        self._envelope = envelope
        self._connection: AsyncConnection | None = None
        self._lock = _writer_lock(engine)
        self.committed = False

    @property
    def connection(self) -> AsyncConnection:
        assert self._connection is not None, "use the unit of work inside `async with`"
        return self._connection

    async def __aenter__(self) -> UnitOfWork:
        if self._lock is not None:
            await self._lock.acquire()
        try:
            # The connection begins a transaction on first use and again after each commit.
            self._connection = await self._engine.connect()
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self.committed = False
        self._bind(self._connection)
        return self

    def _bind(self, connection: AsyncConnection) -> None:
        self.users = UserRepository(connection, self._envelope)
        self.organisations = OrganisationRepository(connection)
        self.roles = RoleRepository(connection)
        self.audit = AuditRepository(connection)
        self.pending = PendingActionRepository(connection)
        self.wallet = WalletRepository(connection, self._envelope)
        self.outbox = OutboxRepository(connection)
        self.delivery = DeliveryRepository(connection)
        self.billing = BillingRepositories(connection)

    async def commit(self) -> None:
        await self.connection.commit()
        self.committed = True

    async def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            await self._connection.rollback()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.rollback()
        finally:
            try:
                if self._connection is not None:
                    await self._connection.close()
            finally:
                self._connection = None
                if self._lock is not None:
                    self._lock.release()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; services hold this, never a connection."""

    def __init__(self, engine: AsyncEngine, envelope: Envelope) -> None:
        self.engine = engine
        self.envelope = envelope

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.envelope)
