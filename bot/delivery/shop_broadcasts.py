"""Sending shops' broadcasts: the followers of the chosen audience as one delivery broadcast (with its progress
message and Cancel), and a post in the shop's channel. Marking the broadcast sent opens delivery's broadcast and
writes the channel's post in one transaction, so a crash or a second worker sends it once; the followers' rows
follow a batch at a time, each batch in its own short transaction that moves the shop broadcast's `fill_after`,
so chat replies waiting for SQLite's writer lock wait for a batch, never for ten thousand rows. A fill a worker
left half-way is taken up again by the scheduler's tick. Scheduled ones go out from the same tick.

Followers' rows hold only a reference; the composer writes each in its reader's language when it is claimed (with
Unfollow under it), skips readers who blocked the bot and waits out their quiet hours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.delivery.fanout import QUIET, UNREACHABLE, translator_for
from bot.delivery.messages import Deferred, Unsendable
from bot.delivery.sender import Delivered
from handlers.core.broadcast import cancel_markup, progress_text
from handlers.shops.broadcasts import message_for
from storage.delivery.repositories import PRIORITY_BULK, PRIORITY_NORMAL, NewOutboxRow, OutboxRow
from storage.unit_of_work import UnitOfWork
from subscriptions.shops.audiences import AudienceWindow, ShopBroadcast
from subscriptions.shops.passes import PassProduct
from subscriptions.shops.shops import Shop

if TYPE_CHECKING:
    from bot.bootstrap import Services

log = logging.getLogger(__name__)
FOLLOWER_KIND = "shop_broadcast"
CHANNEL_KIND = "shop_channel"
# Followers' rows per transaction. The batches are background work, so a chat reply's write waiting for SQLite's
# writer lock goes before the next one; but it still waits for the batch already writing. A thousand rows held
# the lock for 20-40 ms while the pump was sending (and every reply's update waited behind it); 250 hold it for
# a quarter of that, and the fill of 10,000 still takes well under a second, ahead of any sending.
FILL_BATCH = 250
# Between two batches: a chat reply waiting for the writer lock takes it then.
BETWEEN_BATCHES = 0.005
GONE = "the shop's broadcast is gone"
SUSPENDED = "the shop is suspended by the platform"


class ShopBroadcaster:
    """Built with the services; `bind` (when the Application starts) gives it the bot's @username for links and
    registers the composer of followers' rows."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._bot_username: Callable[[], str] = lambda: services.config.sandbox.bot_username
        self._filling_here: set[str] = set()  # fills this process is writing now (the tick leaves them be)

    def bind(self, bot_username: Callable[[], str]) -> None:
        self._bot_username = bot_username
        composers = self._services.delivery.composers
        if FOLLOWER_KIND not in composers:
            composers.register(FOLLOWER_KIND, ShopBroadcastMessages(self._services, bot_username))
            self._services.delivery.broadcasts.register_filling(_still_filling)

    async def send(self, broadcast_id: str, *, background: bool = False) -> int | None:
        """Queue a planned broadcast now; delivery's broadcast id for its followers (None: channel only, or sent
        already by someone else)."""
        services = self._services
        units = services.uow.background() if background else services.uow
        async with units() as uow:
            planned = await uow.shop_broadcasts.get(broadcast_id)
            shop = await uow.shops.get(planned.org_id) if planned is not None else None
            if planned is None or shop is None or planned.status != "scheduled":
                return None
            organisation = await uow.organisations.get(planned.org_id)
            if organisation is not None and organisation.is_suspended:
                return None  # it waits, scheduled, until the shop is restored
            product = await uow.pass_products.get(planned.pass_product_id) if planned.pass_product_id else None
            delivery_id = await self._open(uow, planned, shop) if planned.target.followers else None
            if planned.target.channel and shop.channel is not None:
                await self._channel(uow, planned, shop, product)
            if not await uow.shop_broadcasts.finish(planned.id, "sent", delivery_id):
                return None  # sent a moment ago elsewhere: this transaction's rows roll back
            await uow.commit()
        services.delivery.wake()
        if delivery_id is not None:
            await self.fill(planned.id)
        return delivery_id

    async def _open(self, uow: UnitOfWork, planned: ShopBroadcast, shop: Shop) -> int | None:
        """Delivery's broadcast for the followers, its total counted now; None when the audience is empty."""
        window = AudienceWindow(self._services.clock.now())
        total = await uow.shop_audiences.count(shop.org_id, planned.audience, window)
        if not total:
            return None
        broadcasts = uow.delivery.broadcasts
        delivery_id = await broadcasts.add(
            sender_id=planned.sender_id, org_id=shop.org_id, audience=f"shop:{shop.org_id}:{planned.audience.value}",
            payload={"shop_broadcast": planned.id}, progress_chat_id=planned.progress_chat_id,
            now=self._services.clock.now())
        await broadcasts.set_total(delivery_id, total)
        return delivery_id

    async def fill(self, broadcast_id: str) -> None:
        """Write the followers' rows of a sent broadcast a batch at a time, from where its fill stands: bulk
        work, behind people's own writes, even when the owner's press started it."""
        self._filling_here.add(broadcast_id)
        try:
            while await self._fill_batch(broadcast_id):  # noqa: ASYNC110 (a pause, not a wait)
                await asyncio.sleep(BETWEEN_BATCHES)
        finally:
            self._filling_here.discard(broadcast_id)

    async def _fill_batch(self, broadcast_id: str) -> bool:
        """One batch in one transaction; False when the fill is over (or another worker holds it)."""
        services = self._services
        async with services.uow.background()() as uow:
            planned = await uow.shop_broadcasts.get(broadcast_id)
            if planned is None or planned.fill_after is None or planned.broadcast_id is None:
                return False
            record = await uow.delivery.broadcasts.get(planned.broadcast_id)
            page: list[int] = []
            if record is not None and record.status != "canceled":
                page = await uow.shop_audiences.page(planned.org_id, planned.audience,
                                                     AudienceWindow(services.clock.now()), after=planned.fill_after,
                                                     limit=FILL_BATCH)
            rows = [NewOutboxRow(chat_id, FOLLOWER_KIND, {"shop_broadcast": planned.id},
                                 f"broadcast:{planned.broadcast_id}:{chat_id}", PRIORITY_BULK, planned.broadcast_id)
                    for chat_id in page]
            await uow.outbox.enqueue_many(rows, now=services.clock.now())
            done = len(page) < FILL_BATCH
            if done:
                # The audience may have moved since it was counted: the total is what was written.
                counts = await uow.delivery.broadcasts.counts(planned.broadcast_id)
                await uow.delivery.broadcasts.set_total(planned.broadcast_id, counts.done + counts.waiting)
            if not await uow.shop_broadcasts.advance_fill(planned.id, planned.fill_after,
                                                          None if done else page[-1]):
                return False  # another worker wrote this batch: its rows stand, these roll back
            await uow.commit()
        services.delivery.wake()
        return not done

    async def resume_fills(self) -> int:
        """Fills a stopped worker left half-way (the scheduler's tick): each goes on from its last batch."""
        async with self._services.uow.background()() as uow:
            unfinished = await uow.shop_broadcasts.filling(limit=20)
        left = [planned for planned in unfinished if planned.id not in self._filling_here]
        for planned in left:
            await self.fill(planned.id)
        return len(left)

    async def _channel(self, uow: UnitOfWork, planned: ShopBroadcast, shop: Shop, product: PassProduct | None) -> None:
        assert shop.channel is not None
        owner = (await uow.delivery.preferences.recipients([shop.owner_id])).get(shop.owner_id)
        tr = translator_for(self._services.translations, owner)
        payload = message_for(planned, shop, product, tr, bot_username=self._bot_username(), in_channel=True)
        await uow.outbox.enqueue_many([NewOutboxRow(shop.channel.chat_id, CHANNEL_KIND, payload,
                                                    f"shopcast:{planned.id}:channel", PRIORITY_NORMAL)],
                                      now=self._services.clock.now())

    async def release(self, broadcast_id: str) -> int | None:
        """An approved broadcast goes out now if its time has come (a later one waits for the tick), with its
        progress message to its owner; delivery's broadcast id, or None when nothing went to followers now."""
        async with self._services.uow.reader() as reader:
            planned = await reader.shop_broadcasts.get(broadcast_id)
        if planned is None or planned.send_at > self._services.clock.now():
            return None
        delivery_id = await self.send(planned.id)
        if delivery_id is not None:
            await self._announce(delivery_id, planned)
        return delivery_id

    async def send_due(self) -> int:
        """Scheduled broadcasts whose time has come, each with a progress message to its owner."""
        services = self._services
        async with services.uow.background()() as uow:
            due = await uow.shop_broadcasts.due(services.clock.now(), limit=20)
        sent = 0
        for planned in due:
            delivery_id = await self.send(planned.id, background=True)
            if delivery_id is not None:
                sent += 1
                await self._announce(delivery_id, planned)
        return sent

    async def _announce(self, delivery_id: int, planned: ShopBroadcast) -> None:
        sender = self._services.delivery.sender
        if sender is None or planned.progress_chat_id is None:
            return
        broadcasts = self._services.delivery.broadcasts
        progress = await broadcasts.progress(delivery_id)
        async with self._services.uow.reader() as reader:
            owner = (await reader.delivery.preferences.recipients([planned.sender_id])).get(planned.sender_id)
        tr = translator_for(self._services.translations, owner)
        params: dict[str, Any] = {"chat_id": planned.progress_chat_id, "text": progress_text(tr, progress)}
        if progress.broadcast.status == "running":
            params["reply_markup"] = cancel_markup(tr, delivery_id)
        outcome = await sender.call("sendMessage", params)
        if isinstance(outcome, Delivered) and outcome.message_id is not None:
            await broadcasts.attach_progress_message(delivery_id, planned.progress_chat_id, outcome.message_id)


class ShopBroadcastMessages:
    """The pump's composer for followers' rows of shops' broadcasts (`pump.Composer`)."""

    def __init__(self, services: Services, bot_username: Callable[[], str]) -> None:
        self._services = services
        self._bot_username = bot_username

    async def compose(self, rows: Sequence[OutboxRow]) -> Mapping[int, dict[str, Any] | Unsendable | Deferred]:
        mine = [row for row in rows if row.kind == FOLLOWER_KIND and isinstance(row.payload.get("shop_broadcast"), str)]
        if not mine:
            return {}
        services = self._services
        now = services.clock.now()
        composed: dict[int, dict[str, Any] | Unsendable | Deferred] = {}
        async with services.uow.reader() as reader:
            recipients = await reader.delivery.preferences.recipients({row.chat_id for row in mine})
            planned: dict[str, Loaded | None] = {}
            for row in mine:
                key = str(row.payload["shop_broadcast"])
                if key not in planned:
                    planned[key] = await _load(reader, key)
        for row in mine:
            recipient = recipients.get(row.chat_id)
            found = planned[str(row.payload["shop_broadcast"])]
            if found is None:
                composed[row.id] = Unsendable("dropped", GONE)
            elif found[3]:
                composed[row.id] = Unsendable("dropped", SUSPENDED)
            elif recipient is None or recipient.blocked:
                composed[row.id] = Unsendable("dropped", UNREACHABLE)
            elif (until := services.delivery.scheduler.quiet_until(recipient, now)) > now:
                composed[row.id] = Deferred(until, QUIET)
            else:
                tr = translator_for(services.translations, recipient)
                broadcast, shop, product, _suspended = found
                composed[row.id] = message_for(broadcast, shop, product, tr, bot_username=self._bot_username(),
                                               in_channel=False)
        return composed


async def _still_filling(reader: UnitOfWork, delivery_ids: list[int]) -> set[int]:
    """Delivery's broadcasts that are shops' broadcasts whose followers' rows are still being written: not done
    while the rows written so far happen to be all sent (`BroadcastService.register_filling`)."""
    return await reader.shop_broadcasts.still_filling(delivery_ids)


# A broadcast as its followers' rows are written: the broadcast, its shop, the pass under it, and whether the
# platform suspended the shop since (what is left of it is then dropped).
Loaded = tuple[ShopBroadcast, Shop, PassProduct | None, bool]


async def _load(reader: UnitOfWork, broadcast_id: str) -> Loaded | None:
    planned = await reader.shop_broadcasts.get(broadcast_id)
    shop = await reader.shops.get(planned.org_id) if planned is not None else None
    if planned is None or shop is None:
        return None
    product = await reader.pass_products.get(planned.pass_product_id) if planned.pass_product_id else None
    organisation = await reader.organisations.get(planned.org_id)
    return planned, shop, product, organisation is not None and organisation.is_suspended
