"""Card refunds the merchant makes: the open ones for whoever may see them, and marking one done."""

from __future__ import annotations

from collections.abc import Sequence

from subscriptions.billing.errors import RefundTaskNotFound
from subscriptions.billing.events import CardRefundDone
from subscriptions.billing.refunds import RefundTask, RefundTaskStatus
from subscriptions.billing.services.common import Billing

LISTED = 20


async def open_refund_tasks(billing: Billing, merchant_ids: Sequence[str] | None) -> list[RefundTask]:
    """Open card refunds of these merchants (every merchant's for a platform admin: None), oldest first."""
    if merchant_ids is not None and not merchant_ids:
        return []
    async with billing.uow() as uow:
        return await uow.refund_tasks.open_for(merchant_ids, LISTED)


async def mark_refund_done(billing: Billing, task_id: str, *, by: int,
                           merchant_ids: Sequence[str] | None) -> RefundTask:
    """The merchant refunded it: the task closes once and the customer is told (raises RefundTaskNotFound
    for a task of another merchant, RefundTaskClosed for one already done)."""
    async with billing.uow() as uow:
        task = await uow.refund_tasks.get(task_id)
        if task is None or (merchant_ids is not None and task.merchant_id not in merchant_ids):
            raise RefundTaskNotFound(task_id)
        before = task.version
        task.mark_done(by, billing.clock.now())
        await uow.refund_tasks.save(task, before)
        assert task.done_at is not None and task.status is RefundTaskStatus.DONE
        await uow.events.add([CardRefundDone(task.id, task.payment_id, task.user_id, task.merchant_id, task.amount,
                                             task.done_at)])
        await uow.commit()
    return task
