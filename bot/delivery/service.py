"""The delivery service as the rest of the house sees it: built once in the runtime, started with the bot.

`services.delivery.enqueue(...)` is for code without a unit of work of its own; services that change
something and send because of it write `uow.outbox.enqueue(...)` inside their own unit of work instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config
from bot.delivery.broadcasts import BroadcastService
from bot.delivery.composers import Composers
from bot.delivery.interactive import InteractiveTally
from bot.delivery.leader import AdvisoryLockLeader, InteractiveSharing, Leadership, SoleProcess
from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.notices import NoticeService, NoticeSource, ScheduledNoticeKind, render_notice
from bot.delivery.problems import Problems
from bot.delivery.pump import BLOCKED_REASON, DeliveryPump, PumpSettings, worker_name
from bot.delivery.reminders import (
    ReminderCatalog,
    ReminderMessages,
    ReminderScheduler,
    SweepReport,
    parse_clock,
)
from bot.delivery.sender import BotApiSender, Sender, TimedSender
from bot.delivery.sender_process import ProcessSender
from bot.i18n import Translations
from handlers.core.text import N_
from storage.delivery.repositories import PRIORITY_NORMAL
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import Clock
from subscriptions.reminders import QuietHours

log = logging.getLogger(__name__)


class BackgroundWork(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


def limits_from(config: Config) -> Limits:
    delivery = config.delivery
    return Limits(bot_per_second=delivery.bot_rate, bot_burst=delivery.bot_burst, chat_per_second=delivery.chat_rate,
                  chat_burst=delivery.chat_burst, group_per_minute=delivery.group_per_minute)


class DeliveryService:
    def __init__(self, config: Config, engine: AsyncEngine, uow: UnitOfWorkFactory, clock: Clock,
                 translations: Translations, *, observe_call: Callable[[str, float], None] | None = None) -> None:
        self.config = config
        self._observe_call = observe_call  # each bulk Bot API call's method and time (the bot's metrics)
        self._engine = engine
        self._uow = uow
        self._clock = clock
        self.limiter = RateLimiter(limits_from(config))
        self.worker = worker_name()
        # Chat replies this worker sends; the Application's meter counts them (see bot.app).
        self.interactive = InteractiveTally()
        self.catalog = ReminderCatalog()
        self.scheduler = ReminderScheduler(
            uow.background(), clock, self.catalog,
            default_quiet=QuietHours(parse_clock(config.i18n.quiet_start), parse_clock(config.i18n.quiet_end)),
            default_timezone=config.i18n.default_timezone,
            stale_after=timedelta(hours=config.scheduler.stale_after_hours),
            batch_size=config.scheduler.batch_size,
        )
        self.reminder_messages = ReminderMessages(uow.background(), clock, translations, self.catalog)
        # What rows that hold only a reference say, written when they are claimed; features add theirs.
        self.composers = Composers()
        self.composers.register("reminder", self.reminder_messages)
        self.broadcasts = BroadcastService(uow, clock, translations, self.wake)
        self.notices = NoticeService(uow, clock)
        self.catalog.register(ScheduledNoticeKind(), NoticeSource(), render_notice, N_("Scheduled notices"))
        self.pump: DeliveryPump | None = None
        self.sender: Sender | None = None
        several_workers = engine.dialect.name == "postgresql"
        self._leadership: Leadership = (
            AdvisoryLockLeader(engine, check_every=config.delivery.leader_check_seconds, worker=self.worker,
                               on_others_sent=self.limiter.record_elsewhere)
            if several_workers else SoleProcess()
        )
        self._sharing = (InteractiveSharing(engine, self.interactive, self.worker, self._leadership)
                         if several_workers else None)
        self._last_sweep: float | None = None
        # Background work that starts and stops with the pump (a new post's fan-out).
        self._workers: list[BackgroundWork] = []
        self._problems = Problems(log)

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self, token: str) -> None:
        """Start the pump for the bot with this token (called once the Application is initialised)."""
        if self.pump is not None:
            return
        delivery = self.config.delivery
        if delivery.sender_process:
            process_sender = ProcessSender(self.config.bot.api_url, token, timeout=delivery.send_timeout,
                                           connections=delivery.connections)
            process_sender.start()
            self.sender = process_sender
        else:
            self.sender = BotApiSender(self.config.bot.api_url, token, timeout=delivery.send_timeout,
                                       connections=delivery.connections)
        settings = PumpSettings(
            batch_size=delivery.batch_size, max_attempts=delivery.max_attempts,
            lease=timedelta(seconds=delivery.lease_seconds), backoff_base=delivery.backoff_first_ms / 1000,
            backoff_max=float(delivery.backoff_max_seconds),
            max_in_flight=2 * delivery.batch_size,
        )
        pump_sender = self.sender if self._observe_call is None else TimedSender(self.sender, self._observe_call)
        self.pump = DeliveryPump(self._uow.background().inline(), pump_sender, self.limiter, self._leadership, self._clock,
                                 settings, worker=self.worker, composer=self.composers)
        self.pump.start()
        if self._sharing is not None:
            self._sharing.start()
        for worker in self._workers:
            worker.start()

    def attach(self, worker: BackgroundWork) -> None:
        """Run `worker` with the pump: started with it (at once if it runs already), stopped before it."""
        self._workers.append(worker)
        if self.pump is not None:
            worker.start()

    async def stop(self) -> None:
        for worker in self._workers:
            await worker.stop()
        if self._sharing is not None:
            await self._sharing.stop()
        if self.pump is not None:
            await self.pump.stop()
            self.pump = None
        if self.sender is not None:
            await self.sender.close()
            self.sender = None

    async def lead(self) -> bool:
        """Whether this worker leads bulk sending now (trying to become the leader if it does not)."""
        return await self._leadership.ensure()

    @property
    def leading(self) -> bool:
        """Whether this worker paces bulk sending (and hears the others' chat replies)."""
        return self._leadership.leading

    def wake(self) -> None:
        if self.pump is not None:
            self.pump.wake()

    # --- enqueueing ----------------------------------------------------------------------------

    async def chat_blocked(self, chat_id: int) -> int:
        """The user blocked the bot (Telegram said so in `my_chat_member`): as after a 403, mark them so
        reminders and broadcasts pass them by and drop what waits for them. Returns how many rows were
        dropped. Writing to the bot again (/start) makes them reachable again."""
        async with self._uow() as uow:
            await uow.users.set_bot_blocked(chat_id, True)
            dropped = await uow.outbox.drop_pending_for_chat(chat_id, BLOCKED_REASON)
            await uow.commit()
        log.info("chat %s blocked the bot: %s queued messages dropped", chat_id, dropped)
        return dropped

    async def enqueue(self, chat_id: int, kind: str, payload: Mapping[str, Any], *, idempotency_key: str,
                      priority: int = PRIORITY_NORMAL) -> bool:
        """Queue one message in a unit of work of its own; False when the key was used before."""
        async with self._uow() as uow:
            added = await uow.outbox.enqueue(chat_id, kind, payload, idempotency_key=idempotency_key,
                                             now=self._clock.now(), priority=priority)
            await uow.commit()
        self.wake()
        return added

    # --- the clock -----------------------------------------------------------------------------

    async def tick(self, monotonic_now: float) -> SweepReport | None:
        """One scheduler tick: refresh cancellations, sweep reminders when due, release held ones."""
        if not await self._leadership.ensure():
            return None
        try:
            report = await self._tick(monotonic_now)
        except (SQLAlchemyError, OSError) as error:
            self._problems.report("tick", f"the scheduler cannot reach the database ({error!r}); next tick retries")
            return None
        self._problems.resolved("tick", "the scheduler reaches the database again")
        if report.queued:
            self.wake()
        return report

    async def _tick(self, monotonic_now: float) -> SweepReport:
        if self.pump is not None:
            since = self._clock.now() - timedelta(hours=1)
            self.pump.canceled_broadcasts = await self.broadcasts.canceled_since(since)
        sweep_due = self._last_sweep is None or monotonic_now - self._last_sweep >= self.config.scheduler.sweep_seconds
        if sweep_due:
            self._last_sweep = monotonic_now
            report = await self.scheduler.sweep()
            if report.recorded:
                log.info("reminder sweep: %d recorded, %d queued, %d held for quiet hours, %d skipped",
                         report.recorded, report.queued, report.held, report.skipped)
            return report
        return await self.scheduler.release_held()

    async def report_progress(self) -> None:
        if self.sender is None or not await self._leadership.ensure():
            return
        try:
            await self.broadcasts.report_progress(self.sender)
        except (SQLAlchemyError, OSError) as error:
            self._problems.report("progress", f"broadcast progress waits for the database ({error!r})")
            return
        self._problems.resolved("progress", "broadcast progress reaches the database again")
