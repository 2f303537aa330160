"""Banning and unbanning people, with a confirmation step.

A banned person gets one polite refusal for whatever they send (at most one a minute, so a flood of theirs does
not make the bot talk) and nothing else runs for them; what was waiting for them in the delivery outbox is
dropped in the ban's transaction. An admin cannot ban themselves, nor the last platform admin who could act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from subscriptions.accounts import Accounts, pending
from subscriptions.accounts.access import PLATFORM, Member, Role
from subscriptions.accounts.errors import AccountsError, CannotBanYourself, LastPlatformAdmin, UnknownUser
from subscriptions.accounts.ports import AccountsUnitOfWork
from subscriptions.accounts.records import UserRecord

BAN = "admin.ban"  # the flow that waits for the admin's Confirm
BAN_ACTION, UNBAN_ACTION = "admin.ban", "admin.unban"
DROP_REASON = "banned"
# A banned person hears why at most this often, whatever they send.
NOTICE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class BanProposal:
    action_id: str
    target: UserRecord
    banned: bool  # True: a ban; False: lifting one


@dataclass(frozen=True)
class BanDone:
    target: UserRecord
    banned: bool
    changed: bool  # False: they already were so
    dropped: int  # waiting messages dropped from the outbox


async def propose(accounts: Accounts, admin: Member, user_id: int, *, banned: bool) -> BanProposal:
    """Check the ban (or unban) now, so a refusal comes before the confirmation, and keep it awaiting Confirm."""
    async with accounts.uow() as uow:
        target = await uow.users.get(user_id)
        if target is None:
            raise UnknownUser(str(user_id))
        refusal = await _protected(uow, admin, target) if banned else None
    if refusal is not None:
        await _refused(accounts, admin, target, refusal)
    action_id = await pending.propose(accounts, admin, BAN, {"target": target.id, "banned": banned})
    return BanProposal(action_id, target, banned)


async def confirm(accounts: Accounts, admin: Member, action_id: str) -> BanDone:
    """Apply a confirmed ban or unban once: the flag, the outbox and the audit entry in one transaction."""
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        flow = await pending.take(uow, admin, action_id, BAN, now)
        banned = bool(flow.state["banned"])
        target = await uow.users.get(int(flow.state["target"]))
        if target is None:
            raise UnknownUser(str(flow.state["target"]))
        refusal = await _protected(uow, admin, target) if banned else None
        if refusal is None:
            changed = await uow.users.set_banned(target.id, banned)
            # In a private chat the chat is the person: what waits for that chat waits for them.
            dropped = await uow.outbox.drop_pending_for_chat(target.id, DROP_REASON) if banned else 0
            await uow.audit.record(actor_id=admin.id, action=BAN_ACTION if banned else UNBAN_ACTION,
                                   outcome="ok" if changed else "unchanged", target=str(target.id),
                                   detail={"dropped": dropped}, now=now)
            target = await uow.users.get(target.id)
            await uow.commit()
    assert target is not None
    if refusal is not None:  # nothing was committed: the confirmation stays unused, the refusal is audited
        await _refused(accounts, admin, target, refusal)
    return BanDone(target, banned, changed, dropped)


async def cancel(accounts: Accounts, admin: Member, action_id: str) -> bool:
    return await pending.cancel(accounts, admin, action_id, BAN)


async def _protected(uow: AccountsUnitOfWork, admin: Member, target: UserRecord) -> AccountsError | None:
    """Why this person may not be banned: it is the admin themselves, or the last platform admin not banned."""
    if target.id == admin.id:
        return CannotBanYourself(target.display_name)
    admins = await uow.roles.holders(Role.PLATFORM_ADMIN.value, PLATFORM)
    if target.id not in admins:
        return None
    for user_id in admins:
        other = await uow.users.get(user_id) if user_id != target.id else None
        if other is not None and not other.is_banned:
            return None
    return LastPlatformAdmin(target.display_name)


async def _refused(accounts: Accounts, admin: Member, target: UserRecord, refusal: AccountsError) -> NoReturn:
    async with accounts.uow() as uow:
        await uow.audit.record(actor_id=admin.id, action=BAN_ACTION, outcome="refused", target=str(target.id),
                               detail={"reason": refusal.code}, now=accounts.clock.now())
        await uow.commit()
    raise refusal


class NoticeThrottle:
    """Whether a banned person may be told again that they are banned: once per `NOTICE_EVERY` each."""

    def __init__(self) -> None:
        self._told: dict[int, datetime] = {}

    def may_tell(self, user_id: int, now: datetime) -> bool:
        last = self._told.get(user_id)
        if last is not None and now - last < NOTICE_EVERY:
            return False
        self._told[user_id] = now
        return True
