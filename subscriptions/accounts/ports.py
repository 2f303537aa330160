"""The contract between accounts and whatever stores them: users, organisations, roles, the audit log,
confirmations and reminder preferences, in one unit of work (one transaction).

Rules every implementation keeps: a user's names are sealed at rest; confirmations are flows
(`subscriptions.flows`), saved against the version read; nothing is visible to other units of work before
`commit()`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from subscriptions.accounts.records import (
    AuditEntry,
    AuditFilter,
    Organisation,
    Preferences,
    RoleGrant,
    UserRecord,
)
from subscriptions.events import EventLog
from subscriptions.flows import Flow, FlowStore


class Users(Protocol):
    async def get(self, user_id: int) -> UserRecord | None: ...

    async def with_grants(self, user_id: int) -> tuple[UserRecord, list[RoleGrant], Flow | None] | None:
        """The user, their roles and their open flow, in one statement (the hot path)."""
        ...

    async def find_by_username(self, username: str) -> UserRecord | None: ...

    async def upsert_seen(self, *, user_id: int, username: str | None, first_name: str | None,
                          last_name: str | None, telegram_language: str | None, default_timezone: str,
                          now: datetime, reachable: bool = True) -> UserRecord:
        """Create or refresh the user. `reachable`: they wrote in their private chat with the bot, so it may
        write to them; a user first seen elsewhere (a channel post's button) is kept as not reachable."""
        ...

    async def note_seen(self, user_id: int, now: datetime) -> None: ...

    async def set_language(self, user_id: int, language: str) -> None: ...

    async def set_timezone(self, user_id: int, timezone: str) -> None: ...

    async def set_banned(self, user_id: int, banned: bool) -> bool:
        """Ban or unban; False when they already were so."""
        ...


class Organisations(Protocol):
    async def get(self, org_id: int) -> Organisation | None: ...

    async def get_by_slug(self, slug: str) -> Organisation | None: ...


class OrganisationBook(Organisations, Protocol):
    """Organisations a domain also creates (a creator page, a shop)."""

    async def add(self, *, slug: str, name: str, kind: str, now: datetime) -> Organisation: ...

    async def page(self, kind: str, *, after: int, limit: int) -> list[Organisation]:
        """Organisations of `kind` with ids above `after`, in id order."""
        ...

    async def set_suspended(self, org_id: int, at: datetime | None) -> bool:
        """Suspend (at a time) or restore (None); False when it already was so."""
        ...


class Roles(Protocol):
    async def of_user(self, user_id: int) -> list[RoleGrant]: ...

    async def holders(self, role: str, org_id: int = 0) -> list[int]:
        """Who holds `role` in organisation `org_id` (0: the platform)."""
        ...

    async def grant(self, grant: RoleGrant, *, granted_by: int | None, now: datetime) -> bool: ...

    async def revoke(self, grant: RoleGrant) -> bool: ...

    async def has(self, grant: RoleGrant) -> bool: ...

    async def in_organisation(self, org_id: int) -> list[RoleGrant]: ...


class Audit(Protocol):
    async def record(self, *, actor_id: int | None, action: str, outcome: str, org_id: int | None = None,
                     target: str | None = None, detail: dict[str, Any] | None = None,
                     now: datetime) -> None: ...

    async def recent(self, *, actor_id: int | None = None, limit: int = 20) -> list[AuditEntry]: ...

    async def search(self, found: AuditFilter, *, before: int | None = None, after: int | None = None,
                     limit: int) -> list[AuditEntry]:
        """Matching entries newest first: below id `before`, or the `limit` just above id `after`."""
        ...


class WaitingMessages(Protocol):
    """The delivery outbox, as far as accounts touch it: a banned person's waiting messages are dropped."""

    async def drop_pending_for_chat(self, chat_id: int, reason: str) -> int: ...


class PreferenceStore(Protocol):
    async def get(self, user_id: int) -> Preferences: ...

    async def save(self, user_id: int, preferences: Preferences, now: datetime) -> None: ...


class AccountsUnitOfWork(Protocol):
    @property
    def users(self) -> Users: ...
    @property
    def organisations(self) -> OrganisationBook: ...
    @property
    def roles(self) -> Roles: ...
    @property
    def outbox(self) -> WaitingMessages: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def flows(self) -> FlowStore: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def preferences(self) -> PreferenceStore: ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> AccountsUnitOfWork: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...


class AccountsUnitsOfWork(Protocol):
    """Where units of work come from: a writing one, one that reads a single statement (the hot path),
    and a factory for work nobody waits on in a chat."""

    def __call__(self) -> AccountsUnitOfWork: ...

    def one_read(self) -> AccountsUnitOfWork: ...

    def background(self) -> Callable[[], AccountsUnitOfWork]: ...
