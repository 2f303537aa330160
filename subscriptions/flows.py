"""Multi-step flows: a conversation that takes several updates (a PIN entered twice, a card being issued, an
admin's confirmation), kept as one row with its kind, owner, step, version, expiry and sealed state.

A flow lives in storage, not in a process: a restart or a second worker continues where the person was. Each
step is saved against the version it was read at, so of two presses of one button only the first moves the
flow on; the second finds the step done (`advance` answers None). A person has one open flow at a time:
starting one closes any other. The steps themselves are each domain's state machine (the wallet's PIN
keypad and issuing, accounts' confirmations); this module is what they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from subscriptions.clock import Clock


class FlowStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELED = "canceled"


@dataclass(frozen=True)
class Flow:
    id: str
    owner_id: int
    kind: str  # "wallet.pin", "wallet.issue", "admin.role_change", ...
    step: str
    state: Mapping[str, Any] = field(default_factory=dict)
    status: FlowStatus = FlowStatus.OPEN
    version: int = 1
    chat_id: int | None = None
    message_id: int | None = None
    expires_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.status is FlowStatus.OPEN and (self.expires_at is None or now < self.expires_at)

    def is_for(self, owner_id: int, kind: str | None, now: datetime) -> bool:
        """Open, this person's, and (if given) of this kind: what every press checks again."""
        return self.owner_id == owner_id and (kind is None or self.kind == kind) and self.is_open(now)


class FlowStore(Protocol):
    """Where flows are kept (storage implements it); the state is sealed at rest."""

    async def start(self, flow: Flow, *, now: datetime) -> None:
        """Store a new open flow, closing the owner's other open flows (one conversation at a time)."""
        ...

    async def get(self, flow_id: str) -> Flow | None: ...

    async def open_of(self, owner_id: int) -> Flow | None:
        """The owner's newest open flow (expired or not: the caller judges by its clock)."""
        ...

    async def save(self, flow: Flow, *, expected_version: int) -> bool:
        """Write `flow` if the stored one is still open at `expected_version`; False when a concurrent step
        got there first. A finished flow forgets its state."""
        ...


class FlowUnitOfWork(Protocol):
    @property
    def flows(self) -> FlowStore: ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> FlowUnitOfWork: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: Any) -> None: ...


class FlowUnits(Protocol):
    def __call__(self) -> FlowUnitOfWork: ...


def new_flow(flow_id: str, owner_id: int, kind: str, step: str, state: Mapping[str, Any], *, now: datetime,
             lifetime: timedelta, chat_id: int | None = None) -> Flow:
    return Flow(flow_id, owner_id, kind, step, dict(state), chat_id=chat_id, expires_at=now + lifetime)


async def start(units: FlowUnits, flow: Flow, *, now: datetime) -> Flow:
    async with units() as uow:
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return flow


async def find(units: FlowUnits, clock: Clock, owner_id: int, flow_id: str, kind: str | None = None) -> Flow | None:
    """The owner's open flow with that id (of that kind), or None for anything else: another person's,
    finished, expired, forged."""
    async with units() as uow:
        flow = await uow.flows.get(flow_id)
    return flow if flow is not None and flow.is_for(owner_id, kind, clock.now()) else None


def moved(flow: Flow, *, step: str | None = None, state: Mapping[str, Any] | None = None,
          status: FlowStatus | None = None, message_id: int | None = None) -> Flow:
    """The flow's next version: a new step, state, status or message (to save against `flow.version`)."""
    return replace(
        flow, step=step if step is not None else flow.step, state=dict(state) if state is not None else flow.state,
        status=status or flow.status, message_id=message_id if message_id is not None else flow.message_id,
        version=flow.version + 1,
    )


async def advance(units: FlowUnits, flow: Flow, *, step: str | None = None, state: Mapping[str, Any] | None = None,
                  status: FlowStatus | None = None, message_id: int | None = None) -> Flow | None:
    """Move the flow on (a new step, state, status or message); None when a concurrent press got there first."""
    following = moved(flow, step=step, state=state, status=status, message_id=message_id)
    async with units() as uow:
        saved = await uow.flows.save(following, expected_version=flow.version)
        await uow.commit()
    return following if saved else None


async def finish(units: FlowUnits, flow: Flow, status: FlowStatus = FlowStatus.DONE) -> bool:
    """Close the flow (done or canceled); False when it was closed or moved on meanwhile."""
    return await advance(units, flow, status=status) is not None
