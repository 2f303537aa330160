"""The wallet's multi-step conversations (a PIN being entered, a card being issued, a check waiting for a
photo) as kernel flows (`subscriptions.flows`): rows that survive a restart, where a concurrent press finds
its step done. Their steps are the machines in `pin_entry` and `issuing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from subscriptions import flows
from subscriptions.flows import Flow, FlowStatus, new_flow
from wallet.services.common import Wallet

FLOW_LIFETIME = timedelta(minutes=15)
PIN = "wallet.pin"  # the keypad: its step is what the PIN is for (set, present, ...), then "preset"
ISSUE = "wallet.issue"  # an issuer admin's /issue: org -> type -> holder -> claims -> photo
VERIFY = "wallet.verify"  # /verify, waiting for a photo or the pasted text of a QR
SHARE = "wallet.share"  # a verifier's request, waiting for Share or Decline


async def start_flow(wallet: Wallet, user_id: int, kind: str, step: str, state: Mapping[str, Any], *,
                     chat_id: int | None = None, lifetime: timedelta = FLOW_LIFETIME) -> Flow:
    """A new flow for the user; any open one is closed (one conversation at a time)."""
    now = wallet.now()
    flow = new_flow(wallet.ids.token(9), user_id, kind, step, state, now=now, lifetime=lifetime, chat_id=chat_id)
    return await flows.start(wallet.uow, flow, now=now)


async def find_flow(wallet: Wallet, user_id: int, flow_id: str, kind: str | None = None) -> Flow | None:
    """The user's open flow with that id (of that kind), or None: someone else's, finished, expired, forged."""
    return await flows.find(wallet.uow, wallet.clock, user_id, flow_id, kind)


async def open_flow(wallet: Wallet, user_id: int) -> Flow | None:
    async with wallet.reader() as uow:
        flow = await uow.flows.open_of(user_id)
    return flow if flow is not None and flow.is_open(wallet.now()) else None


async def move(wallet: Wallet, flow: Flow, *, step: str | None = None, state: Mapping[str, Any] | None = None,
               message_id: int | None = None) -> Flow | None:
    """The flow's next step; None when a concurrent press got there first."""
    return await flows.advance(wallet.uow, flow, step=step, state=state, message_id=message_id)


async def close(wallet: Wallet, flow: Flow, status: FlowStatus = FlowStatus.DONE) -> bool:
    return await flows.finish(wallet.uow, flow, status)
