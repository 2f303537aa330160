"""What content's chat flows share (becoming a creator, adding a tier, composing a post): kernel flows kept in
storage, each step saved against the version it was read at, so a second tap of one button finds the step done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from subscriptions import flows
from subscriptions.content import Content
from subscriptions.content.errors import ContentError
from subscriptions.flows import Flow, FlowStatus, new_flow


class WrongStep(ContentError):
    """The flow is not at the step this input or button belongs to (an old button, a second tap), or it is
    gone: finished, expired, someone else's."""

    code = "wrong_step"


class NotANumber(ContentError):
    """A price, an amount of days or a time that is not written as one."""

    code = "not_a_number"


async def begin(content: Content, owner_id: int, kind: str, step: str, state: Mapping[str, Any], *,
                chat_id: int | None, lifetime: timedelta) -> Flow:
    """A new flow for the person; any other open flow of theirs is closed (one conversation at a time)."""
    now = content.clock.now()
    flow = new_flow(content.ids.token(9), owner_id, kind, step, state, now=now, lifetime=lifetime, chat_id=chat_id)
    return await flows.start(content.uow, flow, now=now)


async def find(content: Content, owner_id: int, flow_id: str, kind: str) -> Flow:
    """The person's open flow of that kind with that id; WrongStep for anything else (forged, expired...)."""
    flow = await flows.find(content.uow, content.clock, owner_id, flow_id, kind)
    if flow is None:
        raise WrongStep(flow_id[:20])
    return flow


def expect(flow: Flow, *steps: str) -> None:
    if flow.step not in steps:
        raise WrongStep(flow.step)


async def move(content: Content, flow: Flow, step: str, state: Mapping[str, Any]) -> Flow:
    """The flow at its next step; WrongStep when a concurrent press moved it first."""
    following = await flows.advance(content.uow, flow, step=step, state=state)
    if following is None:
        raise WrongStep(flow.step)
    return following


async def close(content: Content, flow: Flow, status: FlowStatus = FlowStatus.DONE) -> bool:
    return await flows.finish(content.uow, flow, status)
