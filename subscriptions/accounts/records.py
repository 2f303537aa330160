"""What the house knows of people and organisations: users, organisations, role grants, the audit log,
and reminder preferences. Plain values: storage returns them, services work on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    telegram_language: str | None
    language: str | None
    timezone: str
    is_bot_blocked: bool
    is_banned: bool
    created_at: datetime
    last_seen_at: datetime

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or (f"@{self.username}" if self.username else str(self.id))


@dataclass(frozen=True)
class Organisation:
    id: int
    slug: str
    name: str
    kind: str
    suspended_at: datetime | None = None  # a platform admin suspended it: its people's roles grant nothing

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


@dataclass(frozen=True)
class RoleGrant:
    user_id: int
    role: str
    org_id: int
    suspended: bool = False  # its organisation is suspended: the grant stays, and grants nothing until restored


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    outcome: str
    org_id: int | None
    target: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class AuditFilter:
    """What an audit search keeps: entries by this actor, about this target, with actions starting so, at or
    after `since` and before `until` (UTC); None keeps everything."""

    actor_id: int | None = None
    target: str | None = None
    action_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Preferences:
    """What a user chose about reminders (their time zone is on the user)."""

    muted_kinds: frozenset[str]
    quiet_start: str | None
    quiet_end: str | None
    quiet_off: bool
