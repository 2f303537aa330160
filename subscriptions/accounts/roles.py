"""Granting and revoking roles (kept as a flow until the admin confirms), /whois, and finding
the person an admin names by @username or Telegram id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.accounts import Accounts, usernames
from subscriptions.accounts.access import PLATFORM, POLICY, ROLE_ORG_KINDS, Member, Permission, Role
from subscriptions.accounts.errors import (
    ActionGone,
    RoleNeedsOrganisation,
    StaleUsername,
    UnknownOrganisation,
    UnknownRole,
    UnknownUser,
)
from subscriptions.accounts.ports import AccountsUnitOfWork
from subscriptions.accounts.records import Organisation, RoleGrant, UserRecord
from subscriptions.flows import FlowStatus, moved, new_flow
from subscriptions.numbers import telegram_id

CONFIRM_WINDOW = timedelta(minutes=10)
ROLE_CHANGE = "admin.role_change"  # the flow that waits for the admin's Confirm


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


async def propose_role_change(accounts: Accounts, admin: Member, kind: str, who: str, role_name: str,
                              org_slug: str | None) -> RoleChange:
    """Check a /grant or /revoke_role request and keep it as a flow awaiting the admin's confirmation."""
    role = _role(role_name)
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        target = await find_user(uow, who, now)
        organisation = await _organisation_for(uow, role, org_slug)
        state = {"change": kind, "target": target.id, "role": role.value,
                 "org_id": organisation.id if organisation else 0}
        flow = new_flow(accounts.ids.token(12), admin.id, ROLE_CHANGE, "confirm", state, now=now,
                        lifetime=CONFIRM_WINDOW)
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return RoleChange(flow.id, kind, target, role, organisation)


async def confirm_role_change(accounts: Accounts, admin: Member, action_id: str) -> tuple[RoleChange, bool]:
    """Apply a confirmed change once. Returns the change and whether it altered anything."""
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        flow = await uow.flows.get(action_id)
        if flow is None or not flow.is_for(admin.id, ROLE_CHANGE, now):
            raise ActionGone(action_id)
        if not await uow.flows.save(moved(flow, status=FlowStatus.DONE), expected_version=flow.version):
            raise ActionGone(action_id)  # a second tap of Confirm: the first one applied it
        grant = RoleGrant(flow.state["target"], flow.state["role"], flow.state["org_id"])
        kind = str(flow.state["change"])
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


async def cancel_pending(accounts: Accounts, admin: Member, action_id: str) -> bool:
    async with accounts.uow() as uow:
        flow = await uow.flows.get(action_id)
        if flow is None or not flow.is_for(admin.id, ROLE_CHANGE, accounts.clock.now()):
            return False
        done = await uow.flows.save(moved(flow, status=FlowStatus.CANCELED), expected_version=flow.version)
        await uow.commit()
    return done


async def whois(accounts: Accounts, who: str) -> Whois:
    async with accounts.uow() as uow:
        user = await find_user(uow, who, accounts.clock.now())
        grants = tuple(await uow.roles.of_user(user.id))
        organisations = {}
        for grant in grants:
            if grant.org_id != PLATFORM:
                organisation = await uow.organisations.get(grant.org_id)
                if organisation is not None:
                    organisations[grant.org_id] = organisation
    return Whois(user, grants, organisations)


async def bootstrap_platform_admins(accounts: Accounts, user_ids: list[int]) -> None:
    """Make the ids in [admin] platform admins; they may not have talked to the bot yet."""
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        for user_id in user_ids:
            if await uow.users.get(user_id) is None:
                await uow.users.upsert_seen(
                    user_id=user_id, username=None, first_name=None, last_name=None, telegram_language=None,
                    default_timezone=accounts.default_timezone, now=now, reachable=False,
                )
            await uow.roles.grant(RoleGrant(user_id, Role.PLATFORM_ADMIN.value, PLATFORM), granted_by=None, now=now)
        await uow.commit()


async def person(accounts: Accounts, user_id: int) -> UserRecord | None:
    async with accounts.uow.one_read() as uow:  # one statement: no transaction, no wait for a writer
        return await uow.users.get(user_id)


async def people_with(accounts: Accounts, permission: Permission, org_id: int) -> list[int]:
    """Who may do `permission` for organisation `org_id`: its people with a role that grants it, and the
    platform admins when the permission is theirs too; each once, in id order."""
    wanted = POLICY[permission]
    found: set[int] = set()
    async with accounts.uow() as uow:
        for role in wanted:
            found.update(await uow.roles.holders(role.value, PLATFORM if role is Role.PLATFORM_ADMIN else org_id))
    return sorted(found)


async def organisation(accounts: Accounts, org_id: int) -> Organisation | None:
    async with accounts.uow() as uow:
        return await uow.organisations.get(org_id)


async def find_user(uow: AccountsUnitOfWork, who: str, now: datetime) -> UserRecord:
    """The user an admin means by an id or a @username; a name seen on its account long ago is not guessed at
    (`StaleUsername` says whose it was)."""
    text = who.strip()
    user = None
    number = telegram_id(text)
    if number is not None:
        user = await uow.users.get(number)
    elif text.startswith("@") or text.replace("_", "").isalnum():
        user = await uow.users.find_by_username(text)
        if user is not None and usernames.is_stale(user.last_seen_at, now):
            raise StaleUsername(who, user.id, user.display_name, user.last_seen_at)
    if user is None:
        raise UnknownUser(who)
    return user


def _role(name: str) -> Role:
    try:
        return Role(name.strip().lower())
    except ValueError:
        raise UnknownRole(name) from None


async def _organisation_for(uow: AccountsUnitOfWork, role: Role, org_slug: str | None) -> Organisation | None:
    if role == Role.PLATFORM_ADMIN:
        return None
    if not org_slug:
        raise RoleNeedsOrganisation(role.value)
    found = await uow.organisations.get_by_slug(org_slug)
    if found is None:
        raise UnknownOrganisation(org_slug)
    if found.kind not in ROLE_ORG_KINDS[role]:
        raise RoleNeedsOrganisation(role.value)
    return found
