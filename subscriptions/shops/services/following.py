"""Following a shop: from its page, its counter QR, or one tap under any of its broadcasts."""

from __future__ import annotations

from subscriptions.shops import Shops
from subscriptions.shops.services.shops import load_shop
from subscriptions.shops.shops import Shop


async def follow(shops: Shops, user_id: int, org_id: int) -> bool:
    """True when this made the person a follower (False: they already were)."""
    async with shops.uow() as uow:
        await load_shop(uow, org_id)
        added = await uow.shop_follows.follow(org_id, user_id, shops.clock.now())
        await uow.commit()
    return added


async def unfollow(shops: Shops, user_id: int, org_id: int) -> bool:
    async with shops.uow() as uow:
        removed = await uow.shop_follows.unfollow(org_id, user_id, shops.clock.now())
        await uow.commit()
    return removed


async def is_following(shops: Shops, user_id: int, org_id: int) -> bool:
    async with shops.uow() as uow:
        return await uow.shop_follows.is_following(org_id, user_id)


async def followed_shops(shops: Shops, user_id: int) -> list[Shop]:
    async with shops.uow() as uow:
        org_ids = await uow.shop_follows.of_user(user_id)
        found = await uow.shops.many(org_ids)
    return [found[org_id] for org_id in org_ids if org_id in found]
