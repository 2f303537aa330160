"""Durable update intake: no update is lost to a crash, and none is handled twice.

Telegram forgets an update once the bot asks for the next ones (long polling: `getUpdates` with a higher
offset; a webhook: the 200 answer). So every update is written to the inbox first: `DurableBot.get_updates`
has a batch stored before python-telegram-bot's updater can ask for the next one, and the webhook stores the
update before it answers. Each update is handled with `HANDLING` naming it, so the transaction that commits
the handler's effect marks it done (storage.core.inbox); an update whose handler commits nothing (a plain
reply) is marked done in a batch soon after.

A batch Telegram has not sent before is handled while its rows are written: a reply that only reads (a menu,
/help) does not wait for SQLite's writer lock, which a broadcast's batches hold much of the time. What must
come after the rows does: the next `getUpdates`, the first transaction that would mark one of them done (see
`HandledUpdate.until_stored`), and the batched marking of the rest. A batch that may have been sent before
(its ids at or below the highest one ever stored) is stored first, as it is the store that tells a copy. What a crash leaves pending is handled again at the
next start (on SQLite, one process: everything pending; on PostgreSQL: what no live worker holds, since
each worker renews the leases of the updates it is handling and takes over those whose lease lapsed).

Telegram may deliver an update again (the bot died after storing a batch and before asking for the next):
the inbox says it was stored, and the copy is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update

from bot.limited_bot import LimitedBot
from storage.core.inbox import HANDLING, HandledUpdate, ReceivedUpdate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import Clock

log = logging.getLogger(__name__)
MARK_EVERY = 0.25  # seconds between batches of "done" for updates whose handler committed nothing
LEFTOVERS_PER_BATCH = 500
STOP_WAIT = 10.0  # seconds a stopping bot waits for the last batch's rows


class UpdateInbox:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, lease: timedelta, single_process: bool) -> None:
        self._uow = uow.inline()  # storing goes ahead of background work: a chat is waiting for it
        self._background = uow.background().inline()
        self._clock = clock
        self._lease = lease
        # One process owns a SQLite database: at start, whatever is pending was left by its own last run.
        self._single_process = single_process
        self._bot_id = 0
        self._highest_stored: int | None = None  # the highest update id stored: above it, nothing is a copy
        self._storing: asyncio.Task[None] | None = None  # the batch being written while it is handled
        self._stored: dict[int, asyncio.Future[None]] = {}  # its update ids -> resolved once written
        self._redelivered: set[int] = set()
        self._in_flight: set[int] = set()
        self._unmarked: list[int] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def bind(self, token: str) -> None:
        """Updates are numbered per bot: the inbox keys them by the bot's id (the token's first part)."""
        self._bot_id = int(token.split(":", 1)[0])

    # --- intake ------------------------------------------------------------------------------------------

    async def receive(self, updates: Sequence[Update]) -> None:
        """A batch from `getUpdates`: what may be a copy is stored now, the rest while it is handled."""
        if not updates:
            return
        highest = await self._highest()
        again = [update for update in updates if update.update_id <= highest]
        fresh = [update for update in updates if update.update_id > highest]
        if again:
            await self.store(again)
        if fresh:
            self._highest_stored = max(update.update_id for update in fresh)
            written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._stored.update((update.update_id, written) for update in fresh)
            self._storing = asyncio.create_task(self._store_meanwhile(fresh, written), name="update-inbox-store")

    async def before_next_poll(self) -> None:
        """The last batch is written (the next `getUpdates` tells Telegram it arrived)."""
        if self._storing is not None:
            await asyncio.shield(self._storing)
            self._storing = None

    async def _store_meanwhile(self, updates: Sequence[Update], written: asyncio.Future[None]) -> None:
        """Write a batch that is being handled, trying again until the database takes it: until then the
        bot asks Telegram for nothing more, and Telegram keeps the batch."""
        pause = 0.1
        while True:
            try:
                await self.store(updates)
                break
            except (SQLAlchemyError, OSError) as error:
                log.warning("the update inbox cannot store updates %s yet (%r); trying again",
                            [update.update_id for update in updates], error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
        written.set_result(None)
        for update in updates:
            if self._stored.get(update.update_id) is written:
                del self._stored[update.update_id]

    async def _highest(self) -> int:
        if self._highest_stored is None:
            async with self._uow.reader() as reader:
                self._highest_stored = await reader.inbox.highest_update_id(self._bot_id)
        return self._highest_stored

    async def store(self, updates: Sequence[Update]) -> None:
        """Write the updates before Telegram is told they arrived; raises if the database cannot take them
        (then Telegram keeps them and delivers them again)."""
        if not updates:
            return
        received = [ReceivedUpdate(update.update_id, _chat_of(update), update.to_dict()) for update in updates]
        async with self._uow() as uow:
            known = await uow.inbox.add(self._bot_id, received, now=self._clock.now(), lease=self._lease)
            await uow.commit()
        if known:
            log.info("Telegram delivered updates %s again: they were stored before and are not handled twice",
                     sorted(known))
            self._redelivered |= known
        self._highest_stored = max(self._highest_stored or 0, *(item.update_id for item in received))

    async def leftovers(self, bot: Bot) -> list[Update]:
        """What the last run (or a worker that died) stored and never finished, oldest first, now ours."""
        found: list[Update] = []
        while True:
            async with self._uow() as uow:
                batch = await uow.inbox.take_pending(self._bot_id, now=self._clock.now(), lease=self._lease,
                                                     limit=LEFTOVERS_PER_BATCH, leased_too=self._single_process)
                await uow.commit()
            found.extend(update for item in batch if (update := Update.de_json(item.payload, bot)) is not None)
            if len(batch) < LEFTOVERS_PER_BATCH or self._single_process:
                break
        if found:
            log.warning("%d updates were stored but not handled (the bot stopped mid-way): handling them now",
                        len(found))
        return found

    # --- handling ----------------------------------------------------------------------------------------

    async def handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handling of `update` with the inbox knowing which update it is."""
        if not isinstance(update, Update):
            await coroutine
            return
        if update.update_id in self._redelivered:
            self._redelivered.discard(update.update_id)
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        handled = HandledUpdate(self._bot_id, update.update_id, stored=self._stored.get(update.update_id))
        token = HANDLING.set(handled)
        self._in_flight.add(update.update_id)
        try:
            await coroutine
        finally:
            HANDLING.reset(token)
            self._in_flight.discard(update.update_id)
            if not handled.marked:
                self._unmarked.append(update.update_id)
                self._wake.set()

    def dropped(self, update: Update) -> None:
        """An update deliberately not handled (its sender was over their budget): done, not left for later."""
        self._unmarked.append(update.update_id)
        self._wake.set()

    @staticmethod
    def change_committed() -> bool:
        """Whether the update being handled already committed its change (its handler failed after that)."""
        handled = HANDLING.get()
        return handled is not None and handled.marked

    # --- in the background -------------------------------------------------------------------------------

    def start(self, bot: Bot, queue: asyncio.Queue[object]) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(bot, queue), name="update-inbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(TimeoutError):  # a database that stays away: Telegram keeps the batch
            await asyncio.wait_for(self.before_next_poll(), STOP_WAIT)
        await self._mark_done()

    async def _run(self, bot: Bot, queue: asyncio.Queue[object]) -> None:
        loop = asyncio.get_running_loop()
        next_lease_check = loop.time() + self._lease.total_seconds() / 3
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), MARK_EVERY)
            self._wake.clear()
            try:
                await self._mark_done()
                if not self._single_process and loop.time() >= next_lease_check:
                    next_lease_check = loop.time() + self._lease.total_seconds() / 3
                    await self._keep_leases()
                    for update in await self.leftovers(bot):
                        await queue.put(update)
            except (SQLAlchemyError, OSError) as error:
                log.warning("the update inbox cannot reach the database (%r); retrying", error)
                await asyncio.sleep(1.0)

    async def _mark_done(self) -> None:
        if not self._unmarked:
            return
        ids, self._unmarked = self._unmarked, []
        being_written = {self._stored[update_id] for update_id in ids if update_id in self._stored}
        if being_written:  # marking a row not written yet would mark nothing
            await asyncio.gather(*(asyncio.shield(written) for written in being_written))
        try:
            async with self._background() as uow:
                await uow.inbox.mark_done(self._bot_id, ids)
                await uow.commit()
        except BaseException:
            self._unmarked[:0] = ids
            raise

    async def _keep_leases(self) -> None:
        """The updates this worker is still handling stay its own."""
        if self._in_flight:
            async with self._background() as uow:
                await uow.inbox.extend_lease(self._bot_id, sorted(self._in_flight),
                                             until=self._clock.now() + self._lease)
                await uow.commit()


def _chat_of(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None else None


class DurableBot(LimitedBot):
    """The bot whose `get_updates` stores each batch in the inbox before handing it on: the updater asks
    for the next batch (which tells Telegram these arrived) only after that."""

    def __init__(self, *args: Any, inbox: UpdateInbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inbox = inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        await self._inbox.before_next_poll()
        updates = await super().get_updates(*args, **kwargs)
        await self._inbox.receive(updates)
        return updates
