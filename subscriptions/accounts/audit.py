"""The one permission check, which writes every refusal to the audit log, and the audit log itself."""

from __future__ import annotations

from typing import Any

from subscriptions.accounts import Accounts
from subscriptions.accounts.access import Decision, Member, Permission, decide
from subscriptions.accounts.records import AuditEntry


async def authorize(accounts: Accounts, member: Member, permission: Permission, *, org_id: int | None = None,
                    target: str | None = None) -> Decision:
    """May `member` do this (in `org_id`)? A refusal is written to the audit log before it is answered."""
    decision = decide(member.grants, permission, org_id)
    if not decision.allowed:
        async with accounts.uow() as uow:
            await uow.audit.record(actor_id=member.id, action=permission.value, outcome="refused", org_id=org_id,
                                   target=target, now=accounts.clock.now())
            await uow.commit()
    return decision


async def refused(accounts: Accounts, member: Member, action: str, *, org_id: int | None = None,
                  target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """A refusal the role alone did not decide (a technician at another's visit), for the audit log."""
    async with accounts.uow() as uow:
        await uow.audit.record(actor_id=member.id, action=action, outcome="refused", org_id=org_id, target=target,
                               detail=detail, now=accounts.clock.now())
        await uow.commit()


async def record(accounts: Accounts, member: Member, action: str, *, org_id: int | None = None,
                 target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """What an admin, issuer or merchant did, for the audit log."""
    async with accounts.uow() as uow:
        await uow.audit.record(actor_id=member.id, action=action, outcome="ok", org_id=org_id, target=target,
                               detail=detail, now=accounts.clock.now())
        await uow.commit()


async def recent(accounts: Accounts, limit: int = 20) -> list[AuditEntry]:
    async with accounts.uow() as uow:
        return await uow.audit.recent(limit=limit)
