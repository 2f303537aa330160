"""Users, organisations, roles and the audit log."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.core.flows import FlowRepository
from storage.core.tables import audit_log, flows, organisations, roles, users
from storage.envelope import Envelope
from storage.metadata import as_utc
from subscriptions.accounts.records import AuditEntry, AuditFilter, Organisation, RoleGrant, UserRecord
from subscriptions.flows import Flow, FlowStatus

NAME_PURPOSE = "user.name"


# The member load of every update, built once: composing it (labels, joins) cost more than running it.
MEMBER_QUERY = (
    select(users, roles.c.role.label("granted_role"), roles.c.org_id.label("granted_org"),
           organisations.c.suspended_at.label("granted_org_suspended_at"),
           *(column.label(f"flow_{column.name}") for column in flows.c))
    .select_from(
        users.outerjoin(roles, roles.c.user_id == users.c.id)
        .outerjoin(organisations, organisations.c.id == roles.c.org_id)
        .outerjoin(flows, (flows.c.owner_id == users.c.id) & (flows.c.status == FlowStatus.OPEN.value)))
    .where(users.c.id == bindparam("user_id"))
    .order_by(flows.c.created_at.desc(), roles.c.id)
)


class UserRepository:
    def __init__(self, connection: AsyncConnection, envelope: Envelope) -> None:
        self._connection = connection
        self._envelope = envelope

    async def upsert_seen(
        self,
        *,
        user_id: int,
        username: str | None,
        first_name: str | None,
        last_name: str | None,
        telegram_language: str | None,
        default_timezone: str,
        now: datetime,
        reachable: bool = True,
    ) -> UserRecord:
        """Create the user on first contact, refresh names and language on every update. Only a message in
        the private chat makes the bot able to write to them; anything else leaves that as it was (and a new
        row unreachable), so nobody who never started the bot, or who blocked it, is counted as reachable.

        A username belongs to the account Telegram shows it on now: a row that had it before (its owner
        changed it, and Telegram gave it to this person) lets it go in the same transaction."""
        existing = await self.get(user_id)
        name = username.lower() if username else None
        if name is not None and (existing is None or existing.username != name):
            await self._connection.execute(
                update(users).where(users.c.username == name, users.c.id != user_id).values(username=None))
        values: dict[str, Any] = {
            "username": name,
            "telegram_language": telegram_language,
            "last_seen_at": now,
        }
        if reachable or existing is None:
            values["is_bot_blocked"] = not reachable
        if existing is None or (existing.first_name, existing.last_name) != (first_name, last_name):
            values["first_name"] = self._envelope.seal_text(first_name, purpose=NAME_PURPOSE)
            values["last_name"] = self._envelope.seal_text(last_name, purpose=NAME_PURPOSE)
        if existing is None:
            await self._connection.execute(
                insert(users).values(id=user_id, timezone=default_timezone, created_at=now, **values)
            )
        else:
            await self._connection.execute(update(users).where(users.c.id == user_id).values(**values))
        user = await self.get(user_id)
        assert user is not None
        return user

    async def note_seen(self, user_id: int, now: datetime) -> None:
        await self._connection.execute(update(users).where(users.c.id == user_id).values(last_seen_at=now))

    async def get(self, user_id: int) -> UserRecord | None:
        row = (await self._connection.execute(select(users).where(users.c.id == user_id))).mappings().first()
        return None if row is None else self._record(row)

    async def with_grants(self, user_id: int) -> tuple[UserRecord, list[RoleGrant], Flow | None] | None:
        """The user, their roles and their open flow in one statement: every update needs all three, so one
        round trip, not three. (A person has at most one open flow; their newest wins should two race.)"""
        rows = (await self._connection.execute(MEMBER_QUERY, {"user_id": user_id})).all()
        if not rows:
            return None
        grants = list(dict.fromkeys(
            RoleGrant(user_id, row.granted_role, row.granted_org, row.granted_org_suspended_at is not None)
            for row in rows if row.granted_role is not None))
        first = rows[0]
        flow = FlowRepository(self._connection, self._envelope).read(first, "flow_") if first.flow_id else None
        return self._record(first._mapping), grants, flow

    async def find_by_username(self, username: str) -> UserRecord | None:
        name = username.lstrip("@").lower()
        query = select(users).where(users.c.username == name)
        row = (await self._connection.execute(query)).mappings().first()
        return None if row is None else self._record(row)

    async def set_language(self, user_id: int, language: str) -> None:
        await self._connection.execute(update(users).where(users.c.id == user_id).values(language=language))

    async def set_timezone(self, user_id: int, timezone: str) -> None:
        await self._connection.execute(update(users).where(users.c.id == user_id).values(timezone=timezone))

    async def set_banned(self, user_id: int, banned: bool) -> bool:
        """Ban or unban; False when they already were so."""
        result = await self._connection.execute(
            update(users).where(users.c.id == user_id, users.c.is_banned == (not banned)).values(is_banned=banned))
        return bool(result.rowcount)

    async def set_bot_blocked(self, user_id: int, blocked: bool) -> None:
        await self._connection.execute(
            update(users).where(users.c.id == user_id).values(is_bot_blocked=blocked)
        )

    async def count(self) -> int:
        return int((await self._connection.execute(select(func.count()).select_from(users))).scalar_one())

    def _record(self, row: Any) -> UserRecord:
        return UserRecord(
            id=row["id"],
            username=row["username"],
            first_name=self._envelope.open_text(row["first_name"], purpose=NAME_PURPOSE),
            last_name=self._envelope.open_text(row["last_name"], purpose=NAME_PURPOSE),
            telegram_language=row["telegram_language"],
            language=row["language"],
            timezone=row["timezone"],
            is_bot_blocked=bool(row["is_bot_blocked"]),
            is_banned=bool(row["is_banned"]),
            created_at=as_utc(row["created_at"]),
            last_seen_at=as_utc(row["last_seen_at"]),
        )


class OrganisationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, *, slug: str, name: str, kind: str, now: datetime) -> Organisation:
        result = await self._connection.execute(
            insert(organisations).values(slug=slug, name=name, kind=kind, created_at=now).returning(organisations.c.id)
        )
        return Organisation(id=int(result.scalar_one()), slug=slug, name=name, kind=kind)

    async def get(self, org_id: int) -> Organisation | None:
        row = (await self._connection.execute(select(organisations).where(organisations.c.id == org_id))).first()
        return None if row is None else _organisation(row)

    async def get_by_slug(self, slug: str) -> Organisation | None:
        query = select(organisations).where(organisations.c.slug == slug.lower())
        row = (await self._connection.execute(query)).first()
        return None if row is None else _organisation(row)

    async def list(self, kind: str | None = None) -> list[Organisation]:
        query = select(organisations).order_by(organisations.c.id)
        if kind is not None:
            query = query.where(organisations.c.kind == kind)
        rows = (await self._connection.execute(query)).all()
        return [_organisation(row) for row in rows]

    async def page(self, kind: str, *, after: int, limit: int) -> builtins.list[Organisation]:
        """Organisations of `kind` with ids above `after`, in id order (keyset: a page costs the same anywhere)."""
        query = (select(organisations).where(organisations.c.kind == kind, organisations.c.id > after)
                 .order_by(organisations.c.id).limit(limit))
        return [_organisation(row) for row in (await self._connection.execute(query)).all()]

    async def set_suspended(self, org_id: int, at: datetime | None) -> bool:
        """Suspend (at a time) or restore (None); False when it already was so."""
        already = organisations.c.suspended_at.is_(None) if at is None else organisations.c.suspended_at.is_not(None)
        result = await self._connection.execute(
            update(organisations).where(organisations.c.id == org_id, ~already).values(suspended_at=at))
        return bool(result.rowcount)


def _organisation(row: Any) -> Organisation:
    suspended_at = as_utc(row.suspended_at) if row.suspended_at is not None else None
    return Organisation(row.id, row.slug, row.name, row.kind, suspended_at)


class RoleRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def of_user(self, user_id: int) -> list[RoleGrant]:
        query = (select(roles.c.user_id, roles.c.role, roles.c.org_id, organisations.c.suspended_at)
                 .select_from(roles.outerjoin(organisations, organisations.c.id == roles.c.org_id))
                 .where(roles.c.user_id == user_id))
        rows = (await self._connection.execute(query.order_by(roles.c.id))).all()
        return [RoleGrant(row.user_id, row.role, row.org_id, row.suspended_at is not None) for row in rows]

    async def in_organisation(self, org_id: int) -> list[RoleGrant]:
        """Everyone's roles in the organisation, in the order they were granted."""
        query = select(roles.c.user_id, roles.c.role, roles.c.org_id).where(roles.c.org_id == org_id)
        rows = (await self._connection.execute(query.order_by(roles.c.id))).all()
        return [RoleGrant(row.user_id, row.role, row.org_id) for row in rows]

    async def grant(self, grant: RoleGrant, *, granted_by: int | None, now: datetime) -> bool:
        """Add the role; False when the user already had it."""
        if await self.has(grant):
            return False
        await self._connection.execute(
            insert(roles).values(
                user_id=grant.user_id, role=grant.role, org_id=grant.org_id, granted_by=granted_by, granted_at=now
            )
        )
        return True

    async def revoke(self, grant: RoleGrant) -> bool:
        result = await self._connection.execute(
            delete(roles).where(
                roles.c.user_id == grant.user_id, roles.c.role == grant.role, roles.c.org_id == grant.org_id
            )
        )
        return bool(result.rowcount)

    async def has(self, grant: RoleGrant) -> bool:
        query = select(roles.c.id).where(
            roles.c.user_id == grant.user_id, roles.c.role == grant.role, roles.c.org_id == grant.org_id
        )
        return (await self._connection.execute(query)).first() is not None

    async def holders(self, role: str, org_id: int = 0) -> list[int]:
        query = select(roles.c.user_id).where(roles.c.role == role, roles.c.org_id == org_id)
        return [row.user_id for row in (await self._connection.execute(query)).all()]


class AuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(
        self,
        *,
        actor_id: int | None,
        action: str,
        outcome: str,
        now: datetime,
        org_id: int | None = None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self._connection.execute(
            insert(audit_log).values(
                at=now, actor_id=actor_id, action=action, outcome=outcome, org_id=org_id, target=target, detail=detail
            )
        )

    async def recent(self, *, actor_id: int | None = None, limit: int = 20) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if actor_id is not None:
            query = query.where(audit_log.c.actor_id == actor_id)
        rows = (await self._connection.execute(query)).all()
        return [_entry(row) for row in rows]

    async def search(self, found: AuditFilter, *, before: int | None = None, after: int | None = None,
                     limit: int) -> list[AuditEntry]:
        """Entries matching `found`, newest first: those with ids below `before` (the next page), or the
        `limit` just above `after` (the page before). Keyset by id, so a deep page costs what the first does."""
        conditions: list[ColumnElement[bool]] = []
        if found.actor_id is not None:
            conditions.append(audit_log.c.actor_id == found.actor_id)
        if found.target is not None:
            conditions.append(audit_log.c.target == found.target)
        if found.action_prefix is not None:
            conditions.append(audit_log.c.action.startswith(found.action_prefix, autoescape=True))
        if found.since is not None:
            conditions.append(audit_log.c.at >= found.since)
        if found.until is not None:
            conditions.append(audit_log.c.at < found.until)
        query = select(audit_log).where(*conditions).limit(limit)
        if after is not None:
            rows = (await self._connection.execute(
                query.where(audit_log.c.id > after).order_by(audit_log.c.id))).all()
            return [_entry(row) for row in reversed(rows)]
        if before is not None:
            query = query.where(audit_log.c.id < before)
        return [_entry(row) for row in (await self._connection.execute(query.order_by(audit_log.c.id.desc()))).all()]


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.id, as_utc(row.at), row.actor_id, row.action, row.outcome, row.org_id, row.target,
                      row.detail)
