"""Users, roles and the audit log: who someone is, what they may do, and what was done."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.access import PLATFORM, ROLE_ORG_KINDS, Decision, Permission, Role, decide
from storage.records import AuditEntry, Organisation, PendingAction, RoleGrant, UserRecord
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.clock import Clock

log = logging.getLogger(__name__)
CONFIRM_WINDOW = timedelta(minutes=10)
# A user row is rewritten at most this often when nothing about them changed.
SEEN_REFRESH = timedelta(minutes=5)


class AccountsError(Exception):
    """Base of the named refusals below; handlers map each to a sentence in the user's language."""


class UnknownUser(AccountsError):
    """No user with that id or @username has talked to the bot."""


class UnknownOrganisation(AccountsError):
    """No organisation has that slug."""


class UnknownRole(AccountsError):
    """Not one of the roles in bot.access.Role."""


class RoleNeedsOrganisation(AccountsError):
    """An organisation role was asked for without an organisation, or for one of another kind."""


class ActionGone(AccountsError):
    """The confirmation expired, was already used, or belongs to someone else."""


@dataclass(frozen=True)
class Member:
    """The user behind an update, with their roles: what every handler starts from."""

    user: UserRecord
    grants: tuple[RoleGrant, ...]

    @property
    def id(self) -> int:
        return self.user.id

    def may(self, permission: Permission, org_id: int | None = None) -> bool:
        return decide(self.grants, permission, org_id).allowed


@dataclass(frozen=True)
class TelegramProfile:
    id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    language_code: str | None


@dataclass(frozen=True)
class RoleChange:
    action_id: str
    kind: str  # "grant" | "revoke"
    target: UserRecord
    role: Role
    organisation: Organisation | None


@dataclass(frozen=True)
class Whois:
    user: UserRecord
    grants: tuple[RoleGrant, ...]
    organisations: dict[int, Organisation]


class AccountsService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, default_timezone: str) -> None:
        self._uow = uow
        self._clock = clock
        self._default_timezone = default_timezone
        self._noting_seen: dict[int, asyncio.Task[None]] = {}

    async def member_for(self, profile: TelegramProfile) -> Member:
        """Load (and keep up to date) the user behind an update."""
        now = self._clock.now()
        async with self._uow.one_read() as reader:
            known = await reader.users.with_grants(profile.id)
        if known is not None and not self._changed(known[0], profile):
            if now - known[0].last_seen_at > SEEN_REFRESH:
                self._note_seen_later(profile.id, now)
            return Member(known[0], tuple(known[1]))
        async with self._uow() as uow:
            user = await uow.users.get(profile.id)
            if user is None or self._changed(user, profile):
                user = await uow.users.upsert_seen(
                    user_id=profile.id,
                    username=profile.username,
                    first_name=profile.first_name,
                    last_name=profile.last_name,
                    telegram_language=profile.language_code,
                    default_timezone=self._default_timezone,
                    now=now,
                )
                await uow.commit()
            grants = tuple(await uow.roles.of_user(profile.id))
        return Member(user, grants)

    @staticmethod
    def _changed(user: UserRecord, profile: TelegramProfile) -> bool:
        """What the reply may depend on (names, language, being reachable) differs from the stored row."""
        username = profile.username.lower() if profile.username else None
        return (
            (user.username, user.first_name, user.last_name, user.telegram_language)
            != (username, profile.first_name, profile.last_name, profile.language_code)
            or user.is_bot_blocked
        )

    def _note_seen_later(self, user_id: int, now: datetime) -> None:
        """Only the time last seen is stale: write it behind the reply, not before it (nobody waits for it)."""
        if user_id not in self._noting_seen:
            self._noting_seen[user_id] = asyncio.create_task(self._note_seen(user_id, now))

    async def _note_seen(self, user_id: int, now: datetime) -> None:
        try:
            async with self._uow.background()() as uow:
                await uow.users.note_seen(user_id, now)
                await uow.commit()
        except (SQLAlchemyError, OSError) as error:
            log.warning("could not note that user %s was seen (%r); the next update tries again", user_id, error)
        finally:
            del self._noting_seen[user_id]

    async def seen_noted(self) -> None:
        """Wait until every time-last-seen write under way has landed (shutdown, tests)."""
        while self._noting_seen:
            await asyncio.wait(list(self._noting_seen.values()))

    async def authorize(
        self, member: Member, permission: Permission, *, org_id: int | None = None, target: str | None = None
    ) -> Decision:
        """The one permission check. A refusal is written to the audit log before it is answered."""
        decision = decide(member.grants, permission, org_id)
        if not decision.allowed:
            async with self._uow() as uow:
                await uow.audit.record(
                    actor_id=member.id,
                    action=permission.value,
                    outcome="refused",
                    org_id=org_id,
                    target=target,
                    now=self._clock.now(),
                )
                await uow.commit()
        return decision

    async def audit(
        self, member: Member, action: str, *, org_id: int | None = None, target: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        async with self._uow() as uow:
            await uow.audit.record(
                actor_id=member.id, action=action, outcome="ok", org_id=org_id, target=target, detail=detail,
                now=self._clock.now(),
            )
            await uow.commit()

    async def recent_audit(self, limit: int = 20) -> list[AuditEntry]:
        async with self._uow() as uow:
            return await uow.audit.recent(limit=limit)

    async def set_language(self, member: Member, language: str) -> None:
        async with self._uow() as uow:
            await uow.users.set_language(member.id, language)
            await uow.commit()

    async def propose_role_change(
        self, admin: Member, kind: str, who: str, role_name: str, org_slug: str | None
    ) -> RoleChange:
        """Check a /grant or /revoke_role request and keep it as a pending action awaiting confirmation."""
        role = self._role(role_name)
        now = self._clock.now()
        async with self._uow() as uow:
            target = await self._find_user(uow, who)
            organisation = await self._organisation_for(uow, role, org_slug)
            action = PendingAction(
                id=secrets.token_urlsafe(12),
                user_id=admin.id,
                kind=f"role.{kind}",
                payload={"target": target.id, "role": role.value, "org_id": organisation.id if organisation else 0},
                status="open",
                version=1,
                created_at=now,
                expires_at=now + CONFIRM_WINDOW,
            )
            await uow.pending.add(action)
            await uow.commit()
        return RoleChange(action.id, kind, target, role, organisation)

    async def confirm_role_change(self, admin: Member, action_id: str) -> tuple[RoleChange, bool]:
        """Apply a confirmed change once. Returns the change and whether it altered anything."""
        now = self._clock.now()
        async with self._uow() as uow:
            action = await uow.pending.get(action_id)
            if action is None or action.user_id != admin.id or not action.kind.startswith("role."):
                raise ActionGone(action_id)
            if action.status != "open" or action.expires_at < now:
                raise ActionGone(action_id)
            if not await uow.pending.finish(action, "done"):
                raise ActionGone(action_id)
            grant = RoleGrant(action.payload["target"], action.payload["role"], action.payload["org_id"])
            kind = action.kind.removeprefix("role.")
            if kind == "grant":
                changed = await uow.roles.grant(grant, granted_by=admin.id, now=now)
            else:
                changed = await uow.roles.revoke(grant)
            target = await uow.users.get(grant.user_id)
            organisation = await uow.organisations.get(grant.org_id) if grant.org_id else None
            await uow.audit.record(
                actor_id=admin.id, action=f"admin.{kind}_role", outcome="ok", org_id=grant.org_id or None,
                target=str(grant.user_id), detail={"role": grant.role, "changed": changed}, now=now,
            )
            await uow.commit()
        assert target is not None
        return RoleChange(action_id, kind, target, Role(grant.role), organisation), changed

    async def cancel_pending(self, admin: Member, action_id: str) -> bool:
        async with self._uow() as uow:
            action = await uow.pending.get(action_id)
            if action is None or action.user_id != admin.id:
                return False
            done = await uow.pending.finish(action, "canceled")
            await uow.commit()
        return done

    async def whois(self, who: str) -> Whois:
        async with self._uow() as uow:
            user = await self._find_user(uow, who)
            grants = tuple(await uow.roles.of_user(user.id))
            organisations = {}
            for grant in grants:
                if grant.org_id != PLATFORM:
                    organisation = await uow.organisations.get(grant.org_id)
                    if organisation is not None:
                        organisations[grant.org_id] = organisation
        return Whois(user, grants, organisations)

    async def bootstrap_platform_admins(self, user_ids: list[int]) -> None:
        """Make the ids in [admin] platform admins; they may not have talked to the bot yet."""
        now = self._clock.now()
        async with self._uow() as uow:
            for user_id in user_ids:
                if await uow.users.get(user_id) is None:
                    await uow.users.upsert_seen(
                        user_id=user_id, username=None, first_name=None, last_name=None, telegram_language=None,
                        default_timezone=self._default_timezone, now=now,
                    )
                await uow.roles.grant(RoleGrant(user_id, Role.PLATFORM_ADMIN.value, PLATFORM), granted_by=None, now=now)
            await uow.commit()

    @staticmethod
    def _role(name: str) -> Role:
        try:
            return Role(name.strip().lower())
        except ValueError:
            raise UnknownRole(name) from None

    @staticmethod
    async def _find_user(uow: UnitOfWork, who: str) -> UserRecord:
        text = who.strip()
        user = None
        if text.lstrip("-").isdigit():
            user = await uow.users.get(int(text))
        elif text.startswith("@") or text.replace("_", "").isalnum():
            user = await uow.users.find_by_username(text)
        if user is None:
            raise UnknownUser(who)
        return user

    @staticmethod
    async def _organisation_for(uow: UnitOfWork, role: Role, org_slug: str | None) -> Organisation | None:
        if role == Role.PLATFORM_ADMIN:
            return None
        if not org_slug:
            raise RoleNeedsOrganisation(role.value)
        organisation = await uow.organisations.get_by_slug(org_slug)
        if organisation is None:
            raise UnknownOrganisation(org_slug)
        if organisation.kind not in ROLE_ORG_KINDS[role]:
            raise RoleNeedsOrganisation(role.value)
        return organisation
