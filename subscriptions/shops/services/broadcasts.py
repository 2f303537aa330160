"""A shop owner's broadcasts: to an audience of followers, to the shop's channel, or both; now or at a time.

The day's limit (`[shops] broadcasts_per_day`, in the shop's own day) counts every broadcast sent or waiting to be
sent that day; a platform admin may suspend a shop's broadcasts. A broadcast to more followers than
`[shops] approval_threshold` waits for a platform admin's approval (`approvals`) before it goes out. Sending is the delivery engine's (the bot writes
the outbox rows when the time comes); this decides who, where and whether.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from subscriptions.shops import Shops
from subscriptions.shops.audiences import (
    SCHEDULED,
    WAITING,
    Audience,
    AudienceWindow,
    ShopBroadcast,
    Target,
    needs_approval,
)
from subscriptions.shops.errors import (
    BroadcastLimitReached,
    BroadcastsSuspended,
    ChannelNotUsable,
    EmptyAudience,
    InvalidSchedule,
    ShopNotFound,
)
from subscriptions.shops.services.shops import owned_shop
from subscriptions.shops.shops import Shop

TEXT_LIMIT = 4000
SCHEDULE_AHEAD = timedelta(days=30)


async def audience_sizes(shops: Shops, owner_id: int, org_id: int) -> dict[Audience, int]:
    window = AudienceWindow(shops.clock.now())
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        return {audience: await uow.shop_audiences.count(org_id, audience, window) for audience in Audience}


def _day(moment: datetime, timezone: str) -> tuple[datetime, datetime]:
    local = moment.astimezone(ZoneInfo(timezone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(ZoneInfo("UTC"))


async def sent_on_day(shops: Shops, shop: Shop, moment: datetime) -> int:
    start, end = _day(moment, shop.timezone)
    async with shops.uow() as uow:
        return await uow.shop_broadcasts.count_between(shop.org_id, start, end)


async def plan(shops: Shops, owner_id: int, org_id: int, *, text: str, audience: Audience, target: Target,
               send_at: datetime | None = None, pass_product_id: str | None = None,
               progress_chat_id: int | None = None) -> ShopBroadcast:
    """A broadcast to send now (`send_at` None) or later, within the shop's day limit."""
    now = shops.clock.now()
    when = send_at or now
    if when < now - timedelta(minutes=1) or when > now + SCHEDULE_AHEAD:
        raise InvalidSchedule(when.isoformat())
    async with shops.uow() as uow:
        shop = await owned_shop(uow, owner_id, org_id)
        if shop.broadcasts_suspended or not shop.is_active:
            raise BroadcastsSuspended(str(org_id))
        if target.channel and shop.channel is None:
            raise ChannelNotUsable("no_channel")
        size = await uow.shop_audiences.count(org_id, audience, AudienceWindow(now)) if target.followers else 0
        if target.followers and not size:
            raise EmptyAudience(audience.value)
        start, end = _day(when, shop.timezone)
        if await uow.shop_broadcasts.count_between(org_id, start, end) >= shops.settings.broadcasts_per_day:
            raise BroadcastLimitReached(shops.settings.broadcasts_per_day)
        if pass_product_id is not None:
            product = await uow.pass_products.get(pass_product_id)
            if product is None or product.org_id != org_id:
                pass_product_id = None
        broadcast = ShopBroadcast(id=shops.ids.new_id(), org_id=org_id, sender_id=owner_id, text=text[:TEXT_LIMIT],
                                  audience=audience, target=target, send_at=when, created_at=now,
                                  pass_product_id=pass_product_id, progress_chat_id=progress_chat_id,
                                  status=WAITING if needs_approval(target, size, shops.settings.approval_threshold)
                                  else SCHEDULED)
        await uow.shop_broadcasts.add(broadcast)
        await uow.audit.record(actor_id=owner_id, action="shop.broadcast", outcome="ok", org_id=org_id,
                               target=broadcast.id, detail={"audience": audience.value, "target": target.value,
                                                            "at": when.isoformat(), "status": broadcast.status},
                               now=now)
        await uow.commit()
    return broadcast


async def cancel_scheduled(shops: Shops, owner_id: int, broadcast_id: str) -> ShopBroadcast:
    async with shops.uow() as uow:
        found = await uow.shop_broadcasts.get(broadcast_id[:40])
        if found is None:
            raise ShopNotFound(broadcast_id[:40])
        await owned_shop(uow, owner_id, found.org_id)
        if not await uow.shop_broadcasts.finish(found.id, "canceled", None):
            raise InvalidSchedule("sent")
        await uow.commit()
    return found


async def scheduled(shops: Shops, owner_id: int, org_id: int) -> list[ShopBroadcast]:
    async with shops.uow() as uow:
        await owned_shop(uow, owner_id, org_id)
        return await uow.shop_broadcasts.scheduled_of(org_id)
