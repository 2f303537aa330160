"""Card refund tasks in SQL: plain columns, written at once (they are few), saved compare-and-set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.tables import billing_refund_tasks
from storage.metadata import as_utc
from subscriptions.billing.refunds import RefundTask, RefundTaskStatus
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import UserId
from subscriptions.money import Money


def _values(task: RefundTask) -> dict[str, Any]:
    return {"payment_id": task.payment_id, "merchant_id": task.merchant_id, "user_id": int(task.user_id),
            "provider": task.provider, "provider_charge_id": task.provider_charge_id,
            "amount_minor": task.amount.amount_minor, "currency": task.amount.currency,
            "description": task.description[:300], "status": task.status.value, "created_at": task.created_at,
            "done_at": task.done_at, "done_by": task.done_by, "version": task.version}


def _task(row: Any) -> RefundTask:
    return RefundTask(row.id, row.payment_id, row.merchant_id, UserId(row.user_id), row.provider,
                      row.provider_charge_id, Money(row.amount_minor, row.currency), row.description,
                      as_utc(row.created_at), RefundTaskStatus(row.status),
                      None if row.done_at is None else as_utc(row.done_at), row.done_by, row.version)


class SqlRefundTasks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, task: RefundTask) -> None:
        await self._connection.execute(insert(billing_refund_tasks).values(id=task.id, **_values(task)))

    async def get(self, task_id: str) -> RefundTask | None:
        query = select(billing_refund_tasks).where(billing_refund_tasks.c.id == task_id)
        row = (await self._connection.execute(query)).first()
        return None if row is None else _task(row)

    async def save(self, task: RefundTask, expected_version: int) -> None:
        table = billing_refund_tasks
        result = await self._connection.execute(
            update(table).where(table.c.id == task.id, table.c.version == expected_version).values(**_values(task)))
        if not result.rowcount:
            raise ConcurrentUpdate(f"refund task {task.id}: not at version {expected_version}")

    async def open_for(self, merchant_ids: Sequence[str] | None, limit: int) -> list[RefundTask]:
        table = billing_refund_tasks
        query = select(table).where(table.c.status == RefundTaskStatus.OPEN.value)
        if merchant_ids is not None:
            query = query.where(table.c.merchant_id.in_(list(merchant_ids)))
        rows = (await self._connection.execute(query.order_by(table.c.created_at, table.c.id).limit(limit))).all()
        return [_task(row) for row in rows]
