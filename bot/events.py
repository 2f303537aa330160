"""The one event path: hands the events domains recorded to the handlers registered for their kind.

A domain writes its events in the same transaction as their cause (`uow.events.add`). The dispatcher claims
them in batches (each claim is a lease: an event whose worker died is handed out again once it lapses),
reads each back into its class, asks its handlers (`Routes.on_event`) what to send, and in one transaction
queues those messages in the delivery outbox and marks the events handled. Outbox rows are keyed by the
event, so an event handed out twice queues its messages once. A handler that fails is retried with the
delivery engine's backoff and attempts; after the last attempt the event is marked failed and logged.

It runs as a background task woken whenever a chat's update may have recorded events and by the scheduler's
tick; `drain()` hands out everything available now (shutdown, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.problems import Problems
from handlers.core.notices import Notice, NoticeContext
from handlers.core.routing import EventRoute
from storage.core.events import StoredEvent
from storage.delivery.repositories import PRIORITY_NORMAL, NewOutboxRow
from storage.documents import decode
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.clock import Clock

log = logging.getLogger(__name__)
IDLE_WAIT = 5.0  # seconds between looks when nobody wakes the dispatcher (a backoff that ran out, another worker)


@dataclass(frozen=True)
class DispatchSettings:
    batch_size: int = 100
    max_attempts: int = 8
    lease: timedelta = timedelta(seconds=30)
    backoff_base: float = 1.0
    backoff_max: float = 300.0


class EventDispatcher:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, routes: dict[str, EventRoute],
                 settings: DispatchSettings, on_queued: Callable[[], None] | None = None,
                 context: NoticeContext | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._routes = routes
        self._settings = settings
        self._on_queued = on_queued or (lambda: None)
        self._context = context
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._problems = Problems(log)

    # --- running ------------------------------------------------------------------------------------

    def start(self, context: NoticeContext) -> None:
        """Run in the background, giving handlers `context` (the services and the bot's @username, known
        once the bot has started); a second call changes nothing."""
        self._context = self._context or context
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="event-dispatcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)
            self._wake.clear()
            try:
                await self.drain()
            except (SQLAlchemyError, OSError) as error:
                self._problems.report("events", f"events wait for the database ({error!r})")
                continue
            self._problems.resolved("events", "events are handed out again")

    async def drain(self) -> int:
        """Hand out every event available now, batch by batch; returns how many were handled or failed."""
        handled = 0
        while True:
            claimed = await self._claim()
            if not claimed:
                return handled
            await self._handle_batch(claimed)
            handled += len(claimed)

    # --- one batch ----------------------------------------------------------------------------------

    async def _claim(self) -> list[StoredEvent]:
        async with self._uow() as uow:
            claimed = await uow.events.claim(now=self._clock.now(), lease=self._settings.lease,
                                             limit=self._settings.batch_size)
            await uow.commit()
        return claimed

    async def _handle_batch(self, claimed: list[StoredEvent]) -> None:
        rows: list[NewOutboxRow] = []
        handled: list[int] = []
        failures: list[tuple[StoredEvent, str]] = []
        for stored in claimed:
            try:
                notices = await self._notices_for(stored)
            except (SQLAlchemyError, OSError):
                raise  # the database is away: the lease hands the batch out again
            except Exception as error:  # a handler's bug or an event it cannot read: this event only
                log.exception("event %s (%s) could not be handled", stored.id, stored.kind)
                failures.append((stored, repr(error)))
                continue
            rows += [NewOutboxRow(notice.chat_id, "notice", notice.payload, f"event:{stored.id}:{index}",
                                  PRIORITY_NORMAL) for index, notice in enumerate(notices)]
            handled.append(stored.id)
        async with self._uow() as uow:
            if rows:
                await uow.outbox.enqueue_many(rows, now=self._clock.now())
            await uow.events.done(handled)
            for stored, reason in failures:
                await self._failed(uow, stored, reason)
            await uow.commit()
        if rows:
            self._on_queued()

    async def _notices_for(self, stored: StoredEvent) -> list[Notice]:
        route = self._routes.get(stored.kind)
        if route is None:
            return []  # nobody listens to this kind: handled by doing nothing
        if self._context is None:
            raise RuntimeError("the dispatcher was not given its context (EventDispatcher.use)")
        event: object = decode(route.kind, stored.payload)
        notices: list[Notice] = []
        for handler in route.handlers:
            notices += await handler(event, self._context)
        return notices

    async def _failed(self, uow: UnitOfWork, stored: StoredEvent, error: str) -> None:
        events = uow.events
        if stored.attempts >= self._settings.max_attempts:
            log.warning("event %s (%s) failed after %d tries: %s", stored.id, stored.kind, stored.attempts, error)
            await events.fail(stored.id, error=error)
            return
        delay = min(self._settings.backoff_max, self._settings.backoff_base * 2 ** (stored.attempts - 1))
        delay *= 0.5 + random.random() / 2  # jitter, so failed events of one moment do not retry together
        await events.retry(stored.id, at=self._clock.now() + timedelta(seconds=delay), error=error)
