"""An admin's action that waits for their Confirm: a flow of one step, used once.

Proposing keeps what was asked in the flow's sealed state; confirming takes the flow (saved against the version
read, so of two taps only the first acts) inside the caller's unit of work, which then makes the change and
commits both together. Another admin's confirmation, an expired one or one already used is `ActionGone`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from subscriptions.accounts import Accounts
from subscriptions.accounts.access import Member
from subscriptions.accounts.errors import ActionGone
from subscriptions.accounts.ports import AccountsUnitOfWork
from subscriptions.flows import Flow, FlowStatus, moved, new_flow

CONFIRM_WINDOW = timedelta(minutes=10)


async def propose(accounts: Accounts, admin: Member, kind: str, state: Mapping[str, Any]) -> str:
    """Keep the action as a flow awaiting the admin's Confirm; its id goes on the Confirm button."""
    now = accounts.clock.now()
    flow = new_flow(accounts.ids.token(12), admin.id, kind, "confirm", state, now=now, lifetime=CONFIRM_WINDOW)
    async with accounts.uow() as uow:
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return flow.id


async def take(uow: AccountsUnitOfWork, admin: Member, action_id: str, kind: str, now: datetime) -> Flow:
    """The admin's own open confirmation of `kind`, marked used in `uow` (committed with the change)."""
    flow = await uow.flows.get(action_id)
    if flow is None or not flow.is_for(admin.id, kind, now):
        raise ActionGone(action_id)
    if not await uow.flows.save(moved(flow, status=FlowStatus.DONE), expected_version=flow.version):
        raise ActionGone(action_id)  # a second tap of Confirm: the first one acted
    return flow


async def cancel(accounts: Accounts, admin: Member, action_id: str, kind: str) -> bool:
    """Drop the admin's own confirmation; False when there was none to drop."""
    async with accounts.uow() as uow:
        flow = await uow.flows.get(action_id)
        if flow is None or not flow.is_for(admin.id, kind, accounts.clock.now()):
            return False
        done = await uow.flows.save(moved(flow, status=FlowStatus.CANCELED), expected_version=flow.version)
        await uow.commit()
    return done
