"""Broadcasts: one message to many recipients through the outbox, with a live progress message and cancel.

`enqueue_broadcast` writes the broadcast and every recipient's outbox row in one transaction; the pump sends
them at the bulk pace. The leader edits the sender's progress message every few seconds (sent, failed,
remaining, percent, ETA and a bar); the broadcast is durable, so after a restart it simply goes on.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.delivery.sender import Delivered, Rejected, Sender
from bot.i18n import Translations, Translator
from handlers.core.broadcast import cancel_markup, progress_text
from handlers.core.outbound import OutboundMessage
from storage.delivery.repositories import PRIORITY_BULK, NewOutboxRow
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions import flows
from subscriptions.broadcasts import BroadcastGone, BroadcastRecord, NothingToSend, Progress
from subscriptions.clock import Clock
from subscriptions.flows import FlowStatus, new_flow

log = logging.getLogger(__name__)
BAR_CELLS = 10
ALL_USERS = "all_users"
PAGE = 5000
DRAFT_KIND = "broadcast.draft"
DRAFT_LIFETIME = timedelta(hours=1)

# Of these running broadcasts, those whose recipients are still being written (a new post's fan-out).
FillingQuery = Callable[[UnitOfWork, list[int]], Awaitable[set[int]]]


class BroadcastService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, translations: Translations,
                 on_enqueued: Callable[[], None]) -> None:
        self._uow = uow
        self._clock = clock
        self._translations = translations
        self._on_enqueued = on_enqueued
        self._filling: list[FillingQuery] = []
        self._seen: dict[int, tuple[int, float]] = {}
        self.canceled_here: set[int] = set()

    # --- audiences -----------------------------------------------------------------------------

    def register_filling(self, query: FillingQuery) -> None:
        """A feature that writes a broadcast's rows in batches says which are still being written: those are not
        finished while the rows written so far happen to be all sent."""
        self._filling.append(query)

    async def organisation_names(self, org_ids: Iterable[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        async with self._uow() as uow:
            for org_id in org_ids:
                organisation = await uow.organisations.get(org_id)
                if organisation is not None:
                    names[org_id] = organisation.name
        return names

    async def count_all_users(self) -> int:
        async with self._uow() as uow:
            return len(await self._collect(uow))

    async def _collect(self, uow: UnitOfWork) -> list[int]:
        found: list[int] = []
        after = 0
        while True:
            page = await uow.delivery.broadcasts.all_started_users(after=after, limit=PAGE)
            found += page
            if len(page) < PAGE:
                return found
            after = page[-1]

    # --- drafts: the text waits as a flow until the sender picks the audience ---------------------

    async def save_draft(self, sender_id: int, text: str) -> str:
        now = self._clock.now()
        draft = new_flow(secrets.token_urlsafe(9), sender_id, DRAFT_KIND, "audience", {"text": text}, now=now,
                         lifetime=DRAFT_LIFETIME)
        await flows.start(self._uow, draft, now=now)
        return draft.id

    async def take_draft(self, sender_id: int, draft_id: str) -> str:
        """The draft's text, once: a second press (or someone else's) finds it gone."""
        draft = await flows.find(self._uow, self._clock, sender_id, draft_id, DRAFT_KIND)
        if draft is None or not await flows.finish(self._uow, draft):
            raise BroadcastGone(draft_id)
        return str(draft.state["text"])

    async def drop_draft(self, sender_id: int, draft_id: str) -> None:
        draft = await flows.find(self._uow, self._clock, sender_id, draft_id, DRAFT_KIND)
        if draft is not None:
            await flows.finish(self._uow, draft, FlowStatus.CANCELED)

    # --- sending -------------------------------------------------------------------------------

    async def enqueue_broadcast(
        self, sender_id: int, recipients: Iterable[int], message: OutboundMessage, *,
        audience: str = "custom", org_id: int | None = None, progress_chat_id: int | None = None,
    ) -> BroadcastRecord:
        """Queue `message` for every recipient (duplicates removed) in one transaction; returns the broadcast."""
        async with self._uow() as uow:
            record = await self._enqueue(uow, sender_id, sorted(set(recipients)), message, audience=audience,
                                         org_id=org_id, progress_chat_id=progress_chat_id)
            await uow.commit()
        self._on_enqueued()
        return record

    async def broadcast_to_all_users(self, sender_id: int, message: OutboundMessage, *,
                                     progress_chat_id: int | None) -> BroadcastRecord:
        async with self._uow() as uow:
            recipients = await self._collect(uow)
            record = await self._enqueue(uow, sender_id, recipients, message, audience=ALL_USERS, org_id=None,
                                         progress_chat_id=progress_chat_id)
            await uow.commit()
        self._on_enqueued()
        return record

    async def _enqueue(
        self, uow: UnitOfWork, sender_id: int, recipients: list[int], message: OutboundMessage, *,
        audience: str, org_id: int | None, progress_chat_id: int | None,
    ) -> BroadcastRecord:
        return await self.enqueue_in(uow, sender_id, recipients, message.payload(), audience=audience, org_id=org_id,
                                     progress_chat_id=progress_chat_id)

    async def enqueue_in(
        self, uow: UnitOfWork, sender_id: int, recipients: list[int], payload: dict[str, Any], *,
        audience: str, org_id: int | None, progress_chat_id: int | None, kind: str = "broadcast",
    ) -> BroadcastRecord:
        """The broadcast and its rows inside the caller's transaction. Rows of `kind` other than "broadcast" carry a
        reference a composer turns into each recipient's message (a shop's broadcast, in their language)."""
        if not recipients:
            raise NothingToSend(audience)
        now = self._clock.now()
        broadcast_id = await uow.delivery.broadcasts.add(
            sender_id=sender_id, org_id=org_id, audience=audience, payload=payload, progress_chat_id=progress_chat_id,
            now=now,
        )
        rows = [
            NewOutboxRow(chat_id, kind, payload, f"broadcast:{broadcast_id}:{chat_id}", PRIORITY_BULK, broadcast_id)
            for chat_id in recipients
        ]
        await uow.outbox.enqueue_many(rows, now=now)
        await uow.delivery.broadcasts.set_total(broadcast_id, len(rows))
        record = await uow.delivery.broadcasts.get(broadcast_id)
        assert record is not None
        return record

    async def attach_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._uow() as uow:
            await uow.delivery.broadcasts.set_progress_message(broadcast_id, chat_id, message_id)
            await uow.commit()

    async def cancel(self, broadcast_id: int, *, by: int, may_cancel_any: bool) -> Progress:
        """Stop a running broadcast: what has not gone out is dropped. Only its sender (or an admin) may."""
        now = self._clock.now()
        async with self._uow() as uow:
            record = await uow.delivery.broadcasts.get(broadcast_id)
            if record is None or (record.sender_id != by and not may_cancel_any):
                raise BroadcastGone(str(broadcast_id))
            if not await uow.delivery.broadcasts.finish(broadcast_id, "canceled", now):
                raise BroadcastGone(str(broadcast_id))
            await uow.outbox.drop_pending_for_broadcast(broadcast_id, "broadcast canceled")
            await uow.commit()
        self.canceled_here.add(broadcast_id)
        return await self.progress(broadcast_id)

    async def progress(self, broadcast_id: int) -> Progress:
        async with self._uow.reader() as reader:
            record = await reader.delivery.broadcasts.get(broadcast_id)
            if record is None:
                raise BroadcastGone(str(broadcast_id))
            counts = await reader.delivery.broadcasts.counts(broadcast_id)
        return Progress(record, counts, self._rate(broadcast_id, counts.done))

    def _rate(self, broadcast_id: int, done: int) -> float | None:
        now = time.monotonic()
        seen = self._seen.get(broadcast_id)
        self._seen[broadcast_id] = (done, now) if seen is None or done != seen[0] else seen
        if seen is None or now <= seen[1] or done <= seen[0]:
            return None
        return (done - seen[0]) / (now - seen[1])

    async def running(self) -> list[Progress]:
        """Every broadcast still sending, of every kind (an admin's, a shop's, a new post's fan-out)."""
        async with self._uow.reader() as reader:
            ids = [record.id for record in await reader.delivery.broadcasts.running()]
        return [await self.progress(broadcast_id) for broadcast_id in ids]

    async def canceled_since(self, since: datetime) -> set[int]:
        async with self._uow.reader() as reader:
            return set(await reader.delivery.broadcasts.recently_canceled(since)) | self.canceled_here

    # --- the progress message ------------------------------------------------------------------

    async def report_progress(self, sender: Sender) -> None:
        """Edit every running broadcast's progress message; finish those with nothing left to send.

        Nobody waits on this in a chat: it reads without the writer lock and writes behind chat replies.
        """
        async with self._uow.reader() as reader:
            running = await reader.delivery.broadcasts.running()
            ids = [record.id for record in running]
            filling = {found for query in self._filling for found in await query(reader, ids)} if ids else set()
        for record in running:
            progress = await self.progress(record.id)
            if progress.counts.waiting == 0 and record.id not in filling:
                async with self._uow.background()() as uow:
                    await uow.delivery.broadcasts.finish(record.id, "done", self._clock.now())
                    await uow.commit()
                progress = await self.progress(record.id)
                self._seen.pop(record.id, None)
            await self.show(sender, progress)

    async def show(self, sender: Sender, progress: Progress) -> None:
        record = progress.broadcast
        if record.progress_chat_id is None or record.progress_message_id is None:
            return
        tr = await self._translator_of(record.sender_id)
        params: dict[str, object] = {
            "chat_id": record.progress_chat_id, "message_id": record.progress_message_id,
            "text": progress_text(tr, progress),
        }
        if record.status == "running":
            params["reply_markup"] = cancel_markup(tr, record.id)
        outcome = await sender.call("editMessageText", params)
        if isinstance(outcome, Rejected) and "not modified" not in outcome.description:
            log.info("progress of broadcast %s not shown: %s", record.id, outcome.description)
        elif not isinstance(outcome, Delivered | Rejected):
            log.info("progress of broadcast %s not shown this time: %s", record.id, outcome)

    async def _translator_of(self, user_id: int) -> Translator:
        async with self._uow.reader() as reader:
            recipient = (await reader.delivery.preferences.recipients([user_id])).get(user_id)
        if recipient is None:
            return self._translations.get(self._translations.default)
        return self._translations.get(self._translations.pick(recipient.language, recipient.telegram_language))
