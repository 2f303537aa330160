"""The unit of work is put together from parts, one per room of storage.

Each part builds its room's repositories on the transaction's connection (`_bind`), writes what they
buffered (`flush`) and forgets it after a rollback (`_forget`), then hands on to the next part (`super()`), so
`storage.unit_of_work.UnitOfWork` is the list of its parts and a new domain's storage adds one to it.
This module holds the base every part builds on, and the core's part: people, roles, flows and events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.accounts import AuditRepository, OrganisationRepository, RoleRepository, UserRepository
from storage.core.events import EventRepository
from storage.core.flows import FlowRepository
from storage.core.inbox import InboxRepository
from storage.envelope import Envelope

Now = Callable[[], datetime]


class UnitPart:
    """The end of the chain every part hands on to."""

    _envelope: Envelope
    _now: Now
    _connection: AsyncConnection | None = None

    @property
    def connection(self) -> AsyncConnection:
        """The transaction's connection, which the unit of work opens and closes."""
        assert self._connection is not None, "use the unit of work inside `async with`"
        return self._connection

    def _bind(self, connection: AsyncConnection) -> None:
        """Build the repositories for a transaction just begun."""

    async def flush(self) -> None:
        """Write what the repositories buffered (before a query that must see it, and at commit)."""

    def _forget(self) -> None:
        """Drop what was buffered: the transaction rolled back."""


class CorePart(UnitPart):
    """People, organisations, roles and their audit, multi-step flows, the update inbox and domain events."""

    users: UserRepository
    organisations: OrganisationRepository
    roles: RoleRepository
    audit: AuditRepository
    flows: FlowRepository
    inbox: InboxRepository
    _events: EventRepository | None = None

    def _bind(self, connection: AsyncConnection) -> None:
        self.users = UserRepository(connection, self._envelope)
        self.organisations = OrganisationRepository(connection)
        self.roles = RoleRepository(connection)
        self.audit = AuditRepository(connection)
        self.flows = FlowRepository(connection, self._envelope)
        self.inbox = InboxRepository(connection, self._envelope)
        self._events = None
        super()._bind(connection)

    @property
    def events(self) -> EventRepository:
        """Domain events, written when the transaction commits (after every other part's writes)."""
        if self._events is None:
            self._events = EventRepository(self.connection, self._now)
        return self._events

    async def flush(self) -> None:
        await super().flush()
        if self._events is not None:
            await self._events.flush()

    def _forget(self) -> None:
        self._events = None
        super()._forget()
