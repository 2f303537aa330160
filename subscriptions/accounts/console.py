"""What the admin console waits for them to type: a person to look up, an audit search, a new organisation.

One flow kind, a step per input; the flow stays open while its screen is shown, so a second search on the
same screen needs no button, and the audit search kept in its state lets the screen's buttons page and export
what was searched (callback data is too small to carry the search).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

from subscriptions.accounts import Accounts
from subscriptions.accounts.access import Member
from subscriptions.flows import Flow, advance, find, new_flow, start

INPUT = "admin.input"
# Long enough to read a page of the audit log and page on; a stale screen's buttons then say so.
INPUT_WINDOW = timedelta(minutes=30)


class InputStep(StrEnum):
    USER_SEARCH = "user"
    AUDIT_QUERY = "audit"
    NEW_ORGANISATION = "neworg"


async def wait_for(accounts: Accounts, admin: Member, step: InputStep, state: Mapping[str, Any] | None = None,
                   *, chat_id: int | None = None) -> Flow:
    """The console waits for the admin to type `step`'s input (any other flow of theirs ends)."""
    now = accounts.clock.now()
    flow = new_flow(accounts.ids.token(12), admin.id, INPUT, step.value, state or {}, now=now,
                    lifetime=INPUT_WINDOW, chat_id=chat_id)
    return await start(accounts.uow, flow, now=now)


async def waiting(accounts: Accounts, admin: Member, flow_id: str, step: InputStep) -> Flow | None:
    """The admin's own open console input of `step` with that id (None: expired, replaced, someone else's)."""
    flow = await find(accounts.uow, accounts.clock, admin.id, flow_id, INPUT)
    return flow if flow is not None and flow.step == step.value else None


async def remember(accounts: Accounts, flow: Flow, state: Mapping[str, Any]) -> Flow:
    """Keep what was typed in the flow's state (the audit search its page buttons come back to)."""
    return await advance(accounts.uow, flow, state=state) or flow
