"""New posts to their readers, through the outbox: the fan-out worker, the rows it writes and the composer that
writes each row's message when the pump claims it.

Publishing records a fan-out job in its own transaction (`subscriptions.content.services.posts`). The worker,
a background task beside the pump that runs where bulk sending is led, works each job a batch at a time
(`fanout.work_batch`: followers read by keyset, one transaction per batch, the job's cursor moved with the rows),
giving the writer lock back to chat replies between batches. A row holds only `{"post": id}` and rides on a
broadcast record, so the creator's progress message, its Cancel and the pump's bulk pace are the broadcasts'.
`PostMessages` decides what each reader gets when the row is sent: the post as they may read it then, in their
language, after their quiet hours; nothing if it was unpublished or taken down, or they muted the creator.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.messages import Deferred, Unsendable
from bot.delivery.problems import Problems
from bot.delivery.sender import Delivered
from bot.i18n import Translations, Translator
from handlers.content.deliveries import delivery_payload
from handlers.core.broadcast import cancel_markup, progress_text
from storage.delivery.repositories import PRIORITY_BULK, NewOutboxRow, OutboxRow, Recipient
from storage.unit_of_work import UnitOfWork
from subscriptions.content import Content
from subscriptions.content.fanout import FanoutJob
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.services import creators, fanout, posts
from subscriptions.content.services.creators import TierPrices
from subscriptions.content.services.posts import Reading

if TYPE_CHECKING:
    from bot.bootstrap import Services

log = logging.getLogger(__name__)
POST_KIND = "post"
IDLE_POLL = 1.0
# Between two batches the worker sleeps this long: a chat reply waiting for SQLite's writer lock takes it then,
# and the event loop answers what arrived while the batch was being written.
BETWEEN_BATCHES = 0.005
DATABASE_RETRY_MAX = 10.0
# Stopping lets the batch under way finish (a batch takes a fraction of a second). Cancelling it instead
# left SQLite's writer lock with a statement still running on the driver's thread, and the pump's last
# flush after it found the database locked.
STOP_GRACE = 10.0
GONE = "the post is no longer for this reader"
UNREACHABLE = "the reader cannot be reached"
QUIET = "waiting for the reader's quiet hours to end"


def post_key_prefix(post_id: str) -> str:
    return f"post:{post_id}:"


def post_key(post_id: str, user_id: int) -> str:
    """One row per post and reader, however often a batch is tried. Zero-padded, a post's keys grow in order
    and land at the end of the unique index (`OutboxRepository.enqueue_select` writes the same keys)."""
    return f"{post_key_prefix(post_id)}{user_id:016d}"


def _unit(uow: ContentUnitOfWork) -> UnitOfWork:
    assert isinstance(uow, UnitOfWork), "the bot's units of work carry the outbox"
    return uow


class OutboxDeliveries:
    """`fanout.DeliveryQueue` over the outbox and the broadcasts table, inside the batch's transaction."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    async def start(self, uow: ContentUnitOfWork, job: FanoutJob, expected: int) -> int:
        broadcasts = _unit(uow).delivery.broadcasts
        broadcast_id = await broadcasts.add(sender_id=job.owner_id, org_id=job.org_id, audience=f"post:{job.post_id}",
                                            payload={"post": job.post_id}, progress_chat_id=job.owner_id,
                                            now=self._now())
        await broadcasts.set_total(broadcast_id, expected)
        return broadcast_id

    async def is_canceled(self, uow: ContentUnitOfWork, job: FanoutJob) -> bool:
        assert job.broadcast_id is not None
        record = await _unit(uow).delivery.broadcasts.get(job.broadcast_id)
        return record is None or record.status == "canceled"

    async def queue(self, uow: ContentUnitOfWork, job: FanoutJob, recipients: Sequence[int]) -> int:
        unit = _unit(uow)
        payload = {"post": job.post_id}
        rows = [NewOutboxRow(user_id, POST_KIND, payload, post_key(job.post_id, user_id), PRIORITY_BULK,
                             job.broadcast_id) for user_id in recipients]
        added = await unit.outbox.enqueue_many(rows, now=self._now())
        await self._grow_total(unit, job, added)
        return added

    async def queue_followers(self, uow: ContentUnitOfWork, job: FanoutJob, after: int, last: int) -> int:
        """A page of followers, copied into the outbox inside the database: at 100,000 followers, building a
        row in Python cost three times what SQLite spends writing it."""
        unit = _unit(uow)
        audience = unit.fanouts.audience_between(job.org_id, after, last, owner_id=job.owner_id)
        added = await unit.outbox.enqueue_select(audience, kind=POST_KIND, payload={"post": job.post_id},
                                                 key_prefix=post_key_prefix(job.post_id), now=self._now(),
                                                 priority=PRIORITY_BULK, broadcast_id=job.broadcast_id)
        await self._grow_total(unit, job, added)
        return added

    async def _grow_total(self, unit: UnitOfWork, job: FanoutJob, added: int) -> None:
        assert job.broadcast_id is not None
        record = await unit.delivery.broadcasts.get(job.broadcast_id)
        if record is not None and record.total < job.queued + added:
            await unit.delivery.broadcasts.set_total(job.broadcast_id, job.queued + added)

    async def finish(self, uow: ContentUnitOfWork, job: FanoutJob) -> None:
        assert job.broadcast_id is not None
        await _unit(uow).delivery.broadcasts.set_total(job.broadcast_id, job.queued)


async def broadcasts_filling(uow: UnitOfWork, broadcast_ids: list[int]) -> set[int]:
    """Which running broadcasts are posts whose fan-out still writes rows (`BroadcastService.register_filling`)."""
    return await uow.fanouts.broadcasts_filling(broadcast_ids)


def translator_for(translations: Translations, recipient: Recipient | None) -> Translator:
    if recipient is None:
        return translations.get(translations.default)
    return translations.get(translations.pick(recipient.language, recipient.telegram_language))


class PostMessages:
    """The pump's composer for post rows (`pump.Composer`)."""

    def __init__(self, services: Services, bot_username: Callable[[], str]) -> None:
        self._services = services
        self._bot_username = bot_username
        # Read without the writer lock: composing never waits for a batch being written.
        self._content = dataclasses.replace(services.content, uow=services.uow.reader)

    async def compose(self, rows: Sequence[OutboxRow]) -> Mapping[int, dict[str, Any] | Unsendable | Deferred]:
        mine = [row for row in rows if row.kind == POST_KIND and isinstance(row.payload.get("post"), str)]
        if not mine:
            return {}
        services = self._services
        now = services.clock.now()
        async with services.uow.reader() as reader:
            recipients = await reader.delivery.preferences.recipients({row.chat_id for row in mine})
        composed: dict[int, dict[str, Any] | Unsendable | Deferred] = {}
        by_post: dict[str, list[OutboxRow]] = {}
        for row in mine:
            recipient = recipients.get(row.chat_id)
            if recipient is None or recipient.blocked:
                composed[row.id] = Unsendable("dropped", UNREACHABLE)
            elif (until := services.delivery.scheduler.quiet_until(recipient, now)) > now:
                composed[row.id] = Deferred(until, QUIET)
            else:
                by_post.setdefault(str(row.payload["post"]), []).append(row)
        for post_id, waiting in by_post.items():
            composed.update(await self._compose_post(post_id, waiting, recipients, now))
        return composed

    async def _compose_post(self, post_id: str, rows: list[OutboxRow], recipients: Mapping[int, Recipient],
                            now: datetime) -> dict[int, dict[str, Any] | Unsendable]:
        readings = await fanout.readings_for(self._content, post_id, [row.chat_id for row in rows])
        tiers: list[TierPrices] | None = None
        composed: dict[int, dict[str, Any] | Unsendable] = {}
        for row in rows:
            reading = readings.get(row.chat_id)
            if reading is None:
                composed[row.id] = Unsendable("dropped", GONE)
                continue
            if tiers is None and not reading.full:  # the teaser's Subscribe shows the tiers' prices
                tiers = await creators.tiers_with_prices(self._content, reading.post.org_id)
            composed[row.id] = self._render(row, reading, recipients[row.chat_id], tiers or [], now)
        return composed

    def _render(self, row: OutboxRow, reading: Reading, recipient: Recipient, tiers: list[TierPrices],
                now: datetime) -> dict[str, Any] | Unsendable:
        tr = translator_for(self._services.translations, recipient)
        try:
            return delivery_payload(reading, tr, chat_id=row.chat_id, timezone=recipient.timezone, now=now,
                                    bot_username=self._bot_username(), tiers=tiers)
        except Exception as error:  # one post that cannot be drawn fails its rows, not everything the pump sends
            log.exception("post delivery %s could not be written", row.id)
            return Unsendable("failed", f"could not write the message: {error!r}")


class PostFanout:
    """The background worker that writes fan-out batches, and the creator's progress message."""

    def __init__(self, services: Services, *, lead: Callable[[], Awaitable[bool]],
                 between_batches: float = BETWEEN_BATCHES) -> None:
        self._services = services
        self._lead = lead
        self._between = between_batches
        self.content: Content = dataclasses.replace(services.content, uow=services.uow.background())
        self.deliveries = OutboxDeliveries(services.clock.now)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._problems = Problems(log)
        self.batches = 0
        self.queued = 0
        self._announced: set[int] = set()  # broadcasts whose progress message is out
        self._stopping = False

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="post-fanout")

    async def stop(self) -> None:
        """Stop after the batch under way (its transaction commits); the job resumes from there next start."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
        except TimeoutError:
            log.warning("the fan-out did not stop within %ss; cancelling it", STOP_GRACE)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    async def _pause(self, seconds: float) -> None:
        if self._stopping:
            return
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _run(self) -> None:
        retry_in = 1.0
        while not self._stopping:
            try:
                worked = await self.work() if await self._lead() else 0
            except (SQLAlchemyError, OSError) as error:
                self._problems.report("fanout", f"new posts wait for the database ({error!r}); retrying")
                await self._pause(retry_in)
                retry_in = min(retry_in * 2, DATABASE_RETRY_MAX)
                continue
            self._problems.resolved("fanout", "new posts reach the database again")
            retry_in = 1.0
            if not worked:
                await self._pause(IDLE_POLL)

    async def work(self) -> int:
        """Write every unfinished job's batches, oldest job first; returns how many batches were written."""
        written = 0
        for job in await fanout.unfinished(self.content):
            while True:
                found = await fanout.work_batch(self.content, job.post_id, self.deliveries)
                written += 1
                first = job.queued == 0
                if found is not None:
                    self.queued += found.queued - job.queued
                    job = found
                if first or found is None or found.is_finished:
                    # The pump needs waking once for a job: it then sends at the bulk pace (30 a second) for
                    # longer than the job takes to write, and a wake per batch only made it claim again and
                    # again, competing with the batches for SQLite's writer lock.
                    self._services.delivery.wake()
                if found is not None and found.broadcast_id is not None:
                    await self._announce(found)
                if found is None or found.is_finished or self._stopping:
                    break
                await asyncio.sleep(self._between)
            if self._stopping:
                break
        self.batches += written
        return written

    async def _announce(self, job: FanoutJob) -> None:
        """The creator's progress message, sent once (the broadcasts' machinery edits it from then on)."""
        assert job.broadcast_id is not None
        sender = self._services.delivery.sender
        if sender is None or job.broadcast_id in self._announced:
            return
        async with self._services.uow.reader() as reader:
            record = await reader.delivery.broadcasts.get(job.broadcast_id)
        if record is None or record.progress_message_id is not None:  # shown before a restart
            self._announced.add(job.broadcast_id)
            return
        self._announced.add(job.broadcast_id)
        broadcasts = self._services.delivery.broadcasts
        progress = await broadcasts.progress(job.broadcast_id)
        async with self._services.uow.reader() as reader:
            recipient = (await reader.delivery.preferences.recipients([job.owner_id])).get(job.owner_id)
        tr = translator_for(self._services.translations, recipient)
        params: dict[str, Any] = {"chat_id": job.owner_id, "text": progress_text(tr, progress)}
        if progress.broadcast.status == "running":
            params["reply_markup"] = cancel_markup(tr, job.broadcast_id)
        outcome = await sender.call("sendMessage", params)
        if isinstance(outcome, Delivered) and outcome.message_id is not None:
            await broadcasts.attach_progress_message(job.broadcast_id, job.owner_id, outcome.message_id)
        else:
            log.info("the progress message of post %s was not sent: %s", job.post_id, outcome)


def install(services: Services, bot_username: Callable[[], str]) -> PostFanout:
    """Wire new-post delivery into the delivery engine: the composer of post rows, the broadcasts still being
    filled, and the worker, which starts and stops with the pump."""
    delivery = services.delivery
    if POST_KIND not in delivery.composers:
        delivery.composers.register(POST_KIND, PostMessages(services, bot_username))
    delivery.broadcasts.register_filling(broadcasts_filling)
    worker = PostFanout(services, lead=delivery.lead)
    delivery.attach(worker)
    return worker


async def publish_due(services: Services, worker: PostFanout | None) -> int:
    """The scheduled-publish sweep: posts whose time has come are published and their fan-out recorded."""
    content = dataclasses.replace(services.content, uow=services.uow.background())
    try:
        published = len(await posts.publish_due(content))
    except (SQLAlchemyError, OSError):
        log.exception("scheduled posts could not be published this tick")
        return 0
    if published and worker is not None:
        worker.wake()
    return published
