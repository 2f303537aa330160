"""The wallet's multi-step conversations (a PIN being entered, a card being issued) as rows that survive a
restart; a concurrent press finds its step done.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from wallet.qr_session import new_token
from wallet.records import (
    FlowRecord,
)
from wallet.services.common import FLOW_LIFETIME, Wallet


async def start_flow(wallet: Wallet, user_id: int, kind: str, state: dict[str, Any], *, chat_id: int | None = None,
                     lifetime: timedelta = FLOW_LIFETIME) -> FlowRecord:
    """A new flow for the user; any open one is cancelled (one conversation at a time)."""
    now = wallet.now()
    flow = FlowRecord(new_token(9), user_id, kind, state, "open", 1, chat_id, None, now + lifetime)
    async with wallet.uow() as uow:
        await uow.wallet.add_flow(flow, now=now)
        await uow.commit()
    return flow


async def flow(wallet: Wallet, user_id: int, flow_id: str, kind: str | None = None) -> FlowRecord | None:
    """The user's open flow with that id, or None (someone else's, finished, expired, or another kind)."""
    async with wallet.uow() as uow:
        flow = await uow.wallet.flow(flow_id)
    if flow is None or flow.user_id != user_id or flow.status != "open" or wallet.now() >= flow.expires_at:
        return None
    return flow if kind is None or flow.kind == kind else None


async def open_flow(wallet: Wallet, user_id: int) -> FlowRecord | None:
    async with wallet.reader() as uow:
        flow = await uow.wallet.open_flow_of(user_id)
    if flow is None or wallet.now() >= flow.expires_at:
        return None
    return flow


async def save_flow(wallet: Wallet, flow: FlowRecord, state: dict[str, Any] | None = None, *, status: str | None = None,
                    message_id: int | None = None) -> FlowRecord | None:
    """Store the flow's next state; None when a concurrent press got there first."""
    updated = replace(flow, state=state if state is not None else flow.state)
    async with wallet.uow() as uow:
        saved = await uow.wallet.save_flow(updated, status=status, message_id=message_id)
        await uow.commit()
    if not saved:
        return None
    return replace(updated, version=flow.version + 1, status=status or flow.status,
                   message_id=message_id if message_id is not None else flow.message_id)
