"""Clean-up: delivered messages, decided reminders, handled events and handled updates are deleted after a while.

Without it the outbox, the reminders table, the events table and the update inbox grow for ever. A clock job
(bot.scheduler) runs `Retention.clean_up()` every `delivery.cleanup_interval_seconds`; each table is
trimmed in short transactions of `delivery.cleanup_batch_size` rows, so SQLite's writer is never held for
long and chat transactions go in between. Nothing still waiting or in flight is touched.

Why deleting a reminder's row can never cause a second send: the row is what makes a reminder unique per
(kind, subject, period), so a sweep that raised the same reminder again after the row was deleted would
record and judge it afresh. A reminder's due time follows from its subject and period (three days before
that term ends, the notice's due time, a dunning step after the missed payment), so the same reminder is
raised with the same due time, and the scheduler skips as stale every reminder due more than
`scheduler.stale_after_hours` ago. A row is deleted only once its send time (never before its due time) is
`delivery.reminder_retention_days` old, and the configuration refuses a retention that is not longer than
`stale_after_hours`: whatever raises a deleted reminder again finds it stale and records it as skipped.
With the defaults (30 days against 48 hours) a deleted reminder is not even raised again: no built-in
kind's window reaches back that far (renewal and trial: until the term ends, three days after the
reminder; notices: two days; dunning: until the subscription is canceled, 30 days after the payment).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Config
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.clock import Clock

Delete = Callable[[UnitOfWork, int], Awaitable[int]]


@dataclass(frozen=True)
class RetentionPolicy:
    outbox: timedelta
    reminders: timedelta
    events: timedelta
    inbox: timedelta
    batch_size: int

    @classmethod
    def from_config(cls, config: Config) -> RetentionPolicy:
        delivery = config.delivery
        return cls(
            outbox=timedelta(days=delivery.outbox_retention_days),
            reminders=timedelta(days=delivery.reminder_retention_days),
            events=timedelta(days=delivery.event_retention_days),
            inbox=timedelta(days=delivery.inbox_retention_days),
            batch_size=delivery.cleanup_batch_size,
        )


@dataclass(frozen=True)
class CleanupReport:
    outbox: int = 0
    reminders: int = 0
    events: int = 0
    inbox: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.reminders + self.events + self.inbox


class Retention:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: RetentionPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self.policy = policy

    async def clean_up(self) -> CleanupReport:
        """Delete every row past its retention, a batch per transaction; returns how many went."""
        now, policy = self._clock.now(), self.policy
        outbox = await self._in_batches(
            lambda uow, limit: uow.delivery.retention.delete_finished_outbox(before=now - policy.outbox, limit=limit))
        reminders = await self._in_batches(
            lambda uow, limit: uow.delivery.retention.delete_decided_reminders(before=now - policy.reminders,
                                                                              limit=limit))
        events = await self._in_batches(
            lambda uow, limit: uow.delivery.retention.delete_handled_events(before=now - policy.events, limit=limit))
        inbox = await self._in_batches(
            lambda uow, limit: uow.inbox.delete_done(before=now - policy.inbox, limit=limit))
        return CleanupReport(outbox, reminders, events, inbox)

    async def _in_batches(self, delete: Delete) -> int:
        deleted = 0
        while True:
            async with self._uow() as uow:
                batch = await delete(uow, self.policy.batch_size)
                await uow.commit()
            deleted += batch
            if batch < self.policy.batch_size:
                return deleted
            await asyncio.sleep(0)  # whatever waits for the database goes before the next batch
