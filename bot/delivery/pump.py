"""The delivery pump: claims outbox rows, sends each at the moment the rate limiter books for it, records results.

Flow per row: pending -> sending (claimed with a lease) -> sent | failed (with the reason) | dropped (the user
blocked the bot, or the broadcast was canceled); 429s and transient errors put it back to pending with a later
next_attempt_at. Results are written in small batches; a crash before they are written means the rows in flight
are sent again once their lease runs out: at least once, and duplicates only within that batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import secrets
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.leader import Leadership
from bot.delivery.limiter import RateLimiter
from bot.delivery.messages import Deferred, Unsendable, already_done, api_call
from bot.delivery.problems import Problems
from bot.delivery.sender import Blocked, Delivered, Outcome, RateLimited, Rejected, Sender, Transient
from handlers.core.outbound import MessageError
from storage.delivery.repositories import Finished, OutboxRow, Retry, Sent
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.clock import Clock

log = logging.getLogger(__name__)
# A row whose chat cannot take a message within this many seconds goes back to the queue instead of
# holding a booked slot (and a place in memory) that long.
DEFER_BEYOND = 1.0
# Book slots at most this far ahead, so a reminder that arrives during a broadcast waits seconds, not minutes.
LOOKAHEAD = 1.0
IDLE_POLL = 1.0
FLUSH_EVERY = 0.5
RECLAIM_EVERY = 5.0
# Sends booked within the same few milliseconds wake together: one timer, one turn of the event loop and
# one batch to the sender instead of one of each per message. A send never goes before its booked moment,
# so the limits hold; neighbours of one chat go at most one tick closer together than booked.
SEND_TICK = 0.005
DATABASE_RETRY_MAX = 10.0
BLOCKED_REASON = "blocked by the user"
CANCELED_REASON = "broadcast canceled"


class Composer(Protocol):
    """Writes the message of rows queued as a reference (a reminder: `{"reminder": id}`) when they are claimed."""

    async def compose(self, rows: Sequence[OutboxRow]) -> Mapping[int, dict[str, Any] | Unsendable | Deferred]:
        """For each row it writes: the payload to send, why the row is dropped or failed instead, or until when
        it waits. Rows it leaves out are sent as they are. Raises only when it cannot reach the database."""
        ...


@dataclass(frozen=True)
class PumpSettings:
    batch_size: int = 100
    max_attempts: int = 8
    lease: timedelta = timedelta(seconds=30)
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    max_in_flight: int = 500


@dataclass
class PumpStats:
    """Counts since start, for metrics, tests and benches."""

    sent: int = 0
    rate_limited: int = 0
    transient: int = 0
    failed: int = 0
    dropped: int = 0
    claimed: int = 0
    first_sent_at: float | None = None
    last_sent_at: float | None = None


@dataclass
class _Results:
    sent: list[Sent] = field(default_factory=list)
    retry: list[Retry] = field(default_factory=list)
    finished: list[Finished] = field(default_factory=list)
    blocked_chats: set[int] = field(default_factory=set)
    rate_limited: int = 0  # 429s: stored nowhere but in the stats, counted with the flush that retries them

    def __len__(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.finished) + len(self.blocked_chats)


class _SendTicks:
    """Wake-ups for booked send moments, rounded up to the next tick and shared by the sends in it."""

    def __init__(self, now: Callable[[], float], tick: float) -> None:
        self._now = now
        self._tick = tick
        self._due: dict[int, asyncio.Event] = {}

    async def until(self, at: float) -> None:
        slot = math.ceil(at / self._tick)
        delay = slot * self._tick - self._now()
        if delay <= 0:
            return
        bell = self._due.get(slot)
        if bell is None:
            bell = self._due[slot] = asyncio.Event()
            asyncio.get_running_loop().call_later(delay, self._ring, slot)
        await bell.wait()  # each waiter has its own future: a canceled send leaves the others waiting

    def _ring(self, slot: int) -> None:
        bell = self._due.pop(slot, None)
        if bell is not None:
            bell.set()


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class DeliveryPump:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sender: Sender,
        limiter: RateLimiter,
        leadership: Leadership,
        clock: Clock,
        settings: PumpSettings,
        *,
        jitter: Callable[[], float] = random.random,
        worker: str | None = None,
        composer: Composer | None = None,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._limiter = limiter
        self._leadership = leadership
        self._clock = clock
        self._settings = settings
        self._jitter = jitter
        self._composer = composer
        self.worker = worker or worker_name()
        self.stats = PumpStats()
        self.canceled_broadcasts: set[int] = set()
        self._results = _Results()
        self._unwritten = _Results()
        self._in_flight: dict[int, tuple[OutboxRow, asyncio.Task[None]]] = {}
        self._sending: set[int] = set()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._ticks = _SendTicks(limiter.now, SEND_TICK)
        self._stop = asyncio.Event()
        self._problems = Problems(log)
        self._task: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        # Held across each of the pump's transactions. stop() takes it before cancelling the tasks: a task
        # cancelled inside a transaction left the statement running on aiosqlite's thread and SQLite's writer
        # lock held, and the last flush (or the next start) found the database locked.
        self._transaction = asyncio.Lock()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="delivery-pump")
            self._flusher = asyncio.create_task(self._flush_loop(), name="delivery-results")

    async def stop(self) -> None:
        """Stop claiming, hand unsent rows back, wait for sends under way, write every result."""
        self._stop.set()
        self._wake.set()
        async with self._transaction:
            for task in (self._task, self._flusher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        self._task = self._flusher = None
        waiting = [(row, task) for row, task in self._in_flight.values() if row.id not in self._sending]
        for row, task in waiting:
            task.cancel()
            self._results.retry.append(Retry(row.id, row.attempts, self._clock.now(), "worker stopped"))
        under_way = [task for row, task in self._in_flight.values() if row.id in self._sending]
        if under_way:
            await asyncio.wait(under_way, timeout=5.0)
        await self._flush()
        await self._leadership.release()

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    # --- claiming ------------------------------------------------------------------------------

    async def _run(self) -> None:
        retry_in = 1.0
        last_reclaim = -RECLAIM_EVERY
        while not self._stop.is_set():
            if not await self._leadership.ensure():
                await self._pause(2.0)
                continue
            try:
                if self._limiter.now() - last_reclaim >= RECLAIM_EVERY and not len(self._results):
                    await self._reclaim()
                    last_reclaim = self._limiter.now()
                claimed = await self._claim_when_there_is_room()
            except (SQLAlchemyError, OSError) as error:
                self._problems.report("claim", f"delivery cannot reach the database ({error!r}); retrying")
                await self._pause(retry_in)
                retry_in = min(retry_in * 2, DATABASE_RETRY_MAX)
                continue
            self._problems.resolved("claim", "delivery reaches the database again")
            retry_in = 1.0
            if not claimed:
                await self._pause(IDLE_POLL)

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _reclaim(self) -> None:
        async with self._transaction, self._uow() as uow:
            count = await uow.outbox.reclaim_expired(self._clock.now())
            await uow.commit()
        if count:
            log.info("%d outbox rows whose worker stopped mid-send are queued again", count)

    async def _claim_when_there_is_room(self) -> int:
        ahead = self._limiter.booked_until() - self._limiter.now()
        if ahead > LOOKAHEAD:
            await asyncio.sleep(ahead - LOOKAHEAD)
        room = self._room_for_rows()
        # Claim in whole batches: one transaction per row would cost more than the sends themselves.
        if room < self._whole_batch():
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), 1.0)
            return 1
        limit = min(self._settings.batch_size, room)
        try:
            # Results ride along with the claim: one transaction (and one turn at SQLite's writer lock) for both.
            async with self._transaction, self._uow() as uow:
                await self._write_results(uow)
                rows = await uow.outbox.claim(self.worker, now=self._clock.now(), limit=limit,
                                              lease=self._settings.lease)
                await uow.commit()
        except BaseException:
            self._restore_unwritten()
            raise
        self._written()
        self.stats.claimed += len(rows)
        for row in await self._composed(rows):
            self._schedule(row)
        return len(rows)

    async def _composed(self, rows: list[OutboxRow]) -> list[OutboxRow]:
        """The claimed rows with the messages the composer writes at send time; rows it will not send are
        finished with the reason."""
        if self._composer is None:
            return rows
        try:
            composed = await self._composer.compose(rows)
        except (SQLAlchemyError, OSError):
            # The rows are claimed: hand them back now rather than when their lease runs out.
            now = self._clock.now()
            self._results.retry += [Retry(row.id, row.attempts, now, "could not write the message") for row in rows]
            raise
        ready = []
        for row in rows:
            outcome = composed.get(row.id)
            if isinstance(outcome, Unsendable):
                log.info("outbox row %s to chat %s %s: %s", row.id, row.chat_id, outcome.status, outcome.reason)
                self._finish(Finished(row.id, outcome.status, outcome.reason))
            elif isinstance(outcome, Deferred):
                self._results.retry.append(Retry(row.id, row.attempts, outcome.until, outcome.reason))
            else:
                ready.append(row if outcome is None else replace(row, payload=outcome))
        return ready

    def _room_for_rows(self) -> int:
        return self._settings.max_in_flight - len(self._in_flight)

    def _whole_batch(self) -> int:
        return min(self._settings.batch_size, self._settings.max_in_flight // 2)

    def _schedule(self, row: OutboxRow) -> None:
        if row.broadcast_id is not None and row.broadcast_id in self.canceled_broadcasts:
            self._finish(Finished(row.id, "dropped", CANCELED_REASON))
            return
        now = self._limiter.now()
        wait = max(self._limiter.chat_ready_at(row.chat_id), self._limiter.bot_paused_until()) - now
        if wait > DEFER_BEYOND:
            self._results.retry.append(Retry(row.id, row.attempts, self._clock.now() + timedelta(seconds=wait),
                                             "waiting for the chat's rate limit"))
            return
        at = self._limiter.reserve(row.chat_id)
        task = asyncio.create_task(self._send_at(row, at))
        self._in_flight[row.id] = (row, task)

    # --- sending -------------------------------------------------------------------------------

    async def _send_at(self, row: OutboxRow, at: float) -> None:
        try:
            await self._ticks.until(at)
            if row.broadcast_id is not None and row.broadcast_id in self.canceled_broadcasts:
                self._finish(Finished(row.id, "dropped", CANCELED_REASON))
                return
            self._sending.add(row.id)
            try:
                method, params = api_call(row.chat_id, row.payload)
            except MessageError as error:  # a row that cannot become a request never will: no retries
                log.warning("outbox row %s cannot be sent: %s", row.id, error)
                self._finish(Finished(row.id, "failed", str(error)[:200]))
                return
            outcome = await self._sender.call(method, params)
            self._record(row, outcome)
        finally:
            self._sending.discard(row.id)
            self._in_flight.pop(row.id, None)
            if self._room_for_rows() >= self._whole_batch():
                self._room.set()  # wake the claimer once a whole batch fits, not at every send

    def _record(self, row: OutboxRow, outcome: Outcome) -> None:
        now = self._clock.now()
        if isinstance(outcome, Rejected) and already_done(row.payload, outcome.description):
            outcome = Delivered(None)  # the call's work was done before (a refund already made): nothing to redo
        if isinstance(outcome, Delivered):
            self.stats.sent += 1
            moment = self._limiter.now()
            self.stats.first_sent_at = self.stats.first_sent_at or moment
            self.stats.last_sent_at = moment
            self._results.sent.append(Sent(row.id, now))
        elif isinstance(outcome, RateLimited):
            self.stats.rate_limited += 1
            self._results.rate_limited += 1
            bot_wide = self._limiter.refused(row.chat_id, outcome.retry_after)
            log.info("429 for chat %s: waiting %ss (%s)", row.chat_id, outcome.retry_after,
                     "whole bot" if bot_wide else "this chat only")
            later = now + timedelta(seconds=outcome.retry_after)
            self._results.retry.append(Retry(row.id, row.attempts, later, outcome.description))
        elif isinstance(outcome, Blocked):
            log.info("chat %s blocked the bot: dropping what waits for it (%s)", row.chat_id, outcome.description)
            self._results.blocked_chats.add(row.chat_id)
            self._finish(Finished(row.id, "dropped", BLOCKED_REASON))
        elif isinstance(outcome, Rejected):
            log.warning("outbox row %s to chat %s refused: %s", row.id, row.chat_id, outcome.description)
            self._finish(Finished(row.id, "failed", outcome.description))
        else:
            self._retry_later(row, outcome)

    def _retry_later(self, row: OutboxRow, outcome: Transient) -> None:
        self.stats.transient += 1
        attempts = row.attempts + 1
        if attempts >= self._settings.max_attempts:
            log.warning("outbox row %s to chat %s failed after %d tries: %s", row.id, row.chat_id, attempts,
                        outcome.description)
            self._finish(Finished(row.id, "failed", outcome.description))
            return
        log.info("outbox row %s to chat %s: %s; try %d of %d later", row.id, row.chat_id, outcome.description,
                 attempts + 1, self._settings.max_attempts)
        delay = min(self._settings.backoff_max, self._settings.backoff_base * 2 ** (attempts - 1))
        delay *= 0.5 + self._jitter() / 2
        self._results.retry.append(Retry(row.id, attempts, self._clock.now() + timedelta(seconds=delay),
                                         outcome.description))

    def _finish(self, finished: Finished) -> None:
        if finished.status == "failed":
            self.stats.failed += 1
        else:
            self.stats.dropped += 1
        self._results.finished.append(finished)

    # --- results -------------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        retry_in = FLUSH_EVERY
        while True:
            await asyncio.sleep(retry_in)
            try:
                await self._flush()
            except (SQLAlchemyError, OSError) as error:
                self._problems.report("flush", f"delivery results wait for the database ({error!r})")
                retry_in = min(retry_in * 2, DATABASE_RETRY_MAX)
                continue
            self._problems.resolved("flush", "delivery results written again")
            retry_in = FLUSH_EVERY

    async def _flush(self) -> None:
        try:
            async with self._transaction, self._uow() as uow:
                await self._write_results(uow)
                await uow.commit()
        except BaseException:
            self._restore_unwritten()
            raise
        self._written()

    async def _write_results(self, uow: UnitOfWork) -> None:
        """Write what happened to sent rows inside `uow`; if the transaction fails they wait for the next one."""
        if not len(self._results):
            return
        results, self._results = self._results, _Results()
        self._unwritten = results
        await uow.outbox.mark_sent(results.sent)
        await uow.outbox.mark_retry(results.retry)
        await uow.outbox.mark_finished(results.finished)
        await uow.stats.add_delivery_faults(self._clock.now(), rate_limited=results.rate_limited,
                                            failed=sum(1 for one in results.finished if one.status == "failed"))
        for chat_id in sorted(results.blocked_chats):
            await uow.users.set_bot_blocked(chat_id, True)
            await uow.outbox.drop_pending_for_chat(chat_id, BLOCKED_REASON)

    def _written(self) -> None:
        retries, self._unwritten = self._unwritten.retry, _Results()
        if retries:
            self._wake_when_due(min(retry.next_attempt_at for retry in retries))

    def _wake_when_due(self, due: datetime) -> None:
        """A retry sooner than the next poll is claimed when it is due, not up to a poll late."""
        delay = (due - self._clock.now()).total_seconds()
        if delay < IDLE_POLL:
            asyncio.get_running_loop().call_later(max(delay, 0.0), self._wake.set)

    def _restore_unwritten(self) -> None:
        """The transaction that carried results failed: keep them for the next try, before anything newer."""
        results, self._unwritten = self._unwritten, _Results()
        self._results.sent[:0] = results.sent
        self._results.retry[:0] = results.retry
        self._results.finished[:0] = results.finished
        self._results.blocked_chats |= results.blocked_chats
        self._results.rate_limited += results.rate_limited
