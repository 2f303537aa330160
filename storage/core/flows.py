"""The flows table (`subscriptions.flows`): every domain's multi-step conversations, their state sealed."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import FLOW_PURPOSE, flows
from storage.envelope import Envelope
from storage.metadata import as_utc
from subscriptions.flows import Flow, FlowStatus


class FlowRepository:
    def __init__(self, connection: AsyncConnection, envelope: Envelope) -> None:
        self._connection = connection
        self._envelope = envelope

    async def start(self, flow: Flow, *, now: Any) -> None:
        await self._connection.execute(
            update(flows).where(flows.c.owner_id == flow.owner_id, flows.c.status == FlowStatus.OPEN.value)
            .values(status=FlowStatus.CANCELED.value, state=self.seal({}), version=flows.c.version + 1)
        )
        await self._connection.execute(insert(flows).values(
            id=flow.id, owner_id=flow.owner_id, kind=flow.kind, step=flow.step, state=self.seal(flow.state),
            status=flow.status.value, version=flow.version, chat_id=flow.chat_id, message_id=flow.message_id,
            created_at=now, expires_at=flow.expires_at,
        ))

    async def get(self, flow_id: str) -> Flow | None:
        row = (await self._connection.execute(select(flows).where(flows.c.id == flow_id))).first()
        return None if row is None else self.read(row)

    async def open_of(self, owner_id: int) -> Flow | None:
        query = (select(flows).where(flows.c.owner_id == owner_id, flows.c.status == FlowStatus.OPEN.value)
                 .order_by(flows.c.created_at.desc()))
        row = (await self._connection.execute(query)).first()
        return None if row is None else self.read(row)

    async def save(self, flow: Flow, *, expected_version: int) -> bool:
        state = flow.state if flow.status is FlowStatus.OPEN else {}
        result = await self._connection.execute(
            update(flows)
            .where(flows.c.id == flow.id, flows.c.version == expected_version,
                   flows.c.status == FlowStatus.OPEN.value)
            .values(step=flow.step, state=self.seal(state), status=flow.status.value, version=flow.version,
                    message_id=flow.message_id)
        )
        return bool(result.rowcount)

    def seal(self, state: Any) -> bytes:
        return self._envelope.seal(json.dumps(dict(state), ensure_ascii=False).encode(), purpose=FLOW_PURPOSE)

    def read(self, row: Any, prefix: str = "") -> Flow:
        """A flow from a row of this table, or from columns another query selected as `<prefix>id`, ..."""
        def column(name: str) -> Any:
            return row._mapping[prefix + name]

        state = json.loads(self._envelope.open(column("state"), purpose=FLOW_PURPOSE))
        return Flow(column("id"), column("owner_id"), column("kind"), column("step"), state,
                    FlowStatus(column("status")), column("version"), column("chat_id"), column("message_id"),
                    as_utc(column("expires_at")))
