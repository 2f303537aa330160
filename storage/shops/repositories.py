"""SQL implementations of shops' ports for shops, staff links, follows and pass products
(`subscriptions.shops.ports`); passes and the counter are in `storage.shops.passes`, gift cards in
`storage.shops.gift_cards`, broadcasts and the dashboard's figures in `storage.shops.reports`.

Saves are optimistic: `UPDATE ... WHERE org_id = :id AND version = :expected`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.metadata import as_utc
from storage.shops.tables import shop_follow_log, shop_follows, shop_pass_products, shop_staff_invites, shops
from subscriptions.money import Money
from subscriptions.shops.passes import PassKind, PassProduct, Window
from subscriptions.shops.shops import Channel, Shop, ShopStatus, StaffInvite, parse_hours


def insert_ignoring(connection: AsyncConnection, table: Any) -> Any:
    dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing()


def optional_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


# --- shops -------------------------------------------------------------------------------------------------------

def _shop(row: Any) -> Shop:
    channel = (Channel(row.channel_chat_id, row.channel_title or "", row.channel_username)
               if row.channel_chat_id is not None else None)
    return Shop(org_id=row.org_id, name=row.name, category=row.category, address=row.address,
                hours=parse_hours(row.hours), phone=row.phone, owner_id=row.owner_id, timezone=row.timezone,
                created_at=as_utc(row.created_at), photo_file_id=row.photo_file_id, channel=channel,
                followers=row.followers, status=ShopStatus(row.status),
                broadcasts_suspended=row.broadcasts_suspended, gift_card_refund_days=row.gift_card_refund_days,
                version=row.version)


def _shop_values(shop: Shop) -> dict[str, Any]:
    channel = shop.channel
    return {"org_id": shop.org_id, "name": shop.name, "category": shop.category, "address": shop.address,
            "hours": shop.hours.text, "phone": shop.phone, "photo_file_id": shop.photo_file_id,
            "owner_id": shop.owner_id, "timezone": shop.timezone,
            "channel_chat_id": channel.chat_id if channel else None,
            "channel_title": channel.title[:128] if channel else None,
            "channel_username": channel.username if channel else None,
            "followers": shop.followers, "status": shop.status.value,
            "broadcasts_suspended": shop.broadcasts_suspended,
            "gift_card_refund_days": shop.gift_card_refund_days, "created_at": shop.created_at,
            "version": shop.version}


class SqlShops:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, shop: Shop) -> None:
        await self._connection.execute(insert(shops).values(**_shop_values(shop)))

    async def get(self, org_id: int) -> Shop | None:
        row = (await self._connection.execute(select(shops).where(shops.c.org_id == org_id))).first()
        return _shop(row) if row else None

    async def of_owner(self, owner_id: int) -> list[Shop]:
        query = select(shops).where(shops.c.owner_id == owner_id).order_by(shops.c.org_id)
        return [_shop(row) for row in await self._connection.execute(query)]

    async def many(self, org_ids: list[int]) -> dict[int, Shop]:
        if not org_ids:
            return {}
        query = select(shops).where(shops.c.org_id.in_(org_ids))
        return {row.org_id: _shop(row) for row in await self._connection.execute(query)}

    async def listed(self, *, limit: int, offset: int = 0) -> list[Shop]:
        query = (select(shops).where(shops.c.status == ShopStatus.ACTIVE.value)
                 .order_by(shops.c.followers.desc(), shops.c.org_id).limit(limit).offset(offset))
        return [_shop(row) for row in await self._connection.execute(query)]

    async def save(self, shop: Shop, *, expected_version: int) -> bool:
        values = _shop_values(shop)
        values.pop("followers")  # counted by follows, never written back from a copy read earlier
        result = await self._connection.execute(
            update(shops).where(shops.c.org_id == shop.org_id, shops.c.version == expected_version).values(**values))
        return bool(result.rowcount == 1)


# --- staff links -------------------------------------------------------------------------------------------------

class SqlStaffInvites:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, invite: StaffInvite) -> None:
        await self._connection.execute(insert(shop_staff_invites).values(
            code=invite.code, org_id=invite.org_id, created_by=invite.created_by, expires_at=invite.expires_at))

    async def get(self, code: str) -> StaffInvite | None:
        row = (await self._connection.execute(
            select(shop_staff_invites).where(shop_staff_invites.c.code == code))).first()
        if row is None:
            return None
        return StaffInvite(row.code, row.org_id, row.created_by, as_utc(row.expires_at), row.used_by,
                           optional_utc(row.used_at))

    async def use(self, code: str, user_id: int, now: datetime) -> bool:
        """Mark the link used by `user_id`, if nobody used it and it is still valid: one join per link."""
        result = await self._connection.execute(
            update(shop_staff_invites)
            .where(shop_staff_invites.c.code == code, shop_staff_invites.c.used_by.is_(None),
                   shop_staff_invites.c.expires_at > now)
            .values(used_by=user_id, used_at=now))
        return bool(result.rowcount == 1)


# --- follows -----------------------------------------------------------------------------------------------------

class SqlShopFollows:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def follow(self, org_id: int, user_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            insert_ignoring(self._connection, shop_follows).values(org_id=org_id, user_id=user_id, followed_at=now))
        if result.rowcount != 1:
            return False
        await self._changed(org_id, user_id, +1, now)
        return True

    async def unfollow(self, org_id: int, user_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            delete(shop_follows).where(shop_follows.c.org_id == org_id, shop_follows.c.user_id == user_id))
        if result.rowcount != 1:
            return False
        await self._changed(org_id, user_id, -1, now)
        return True

    async def _changed(self, org_id: int, user_id: int, delta: int, now: datetime) -> None:
        await self._connection.execute(update(shops).where(shops.c.org_id == org_id)
                                       .values(followers=shops.c.followers + delta))
        await self._connection.execute(insert(shop_follow_log).values(org_id=org_id, user_id=user_id,
                                                                      delta=delta, at=now))

    async def add_many(self, org_id: int, user_ids: list[int], now: datetime) -> int:
        """Follows written in bulk (the demo, the benches): those already following are skipped, the count and
        the log kept for the rest."""
        already = set((await self._connection.execute(select(shop_follows.c.user_id).where(
            shop_follows.c.org_id == org_id))).scalars())
        fresh = list(dict.fromkeys(user_id for user_id in user_ids if user_id not in already))
        if not fresh:
            return 0
        await self._connection.execute(insert(shop_follows), [
            {"org_id": org_id, "user_id": user_id, "followed_at": now} for user_id in fresh])
        await self._connection.execute(update(shops).where(shops.c.org_id == org_id)
                                       .values(followers=shops.c.followers + len(fresh)))
        await self._connection.execute(insert(shop_follow_log), [
            {"org_id": org_id, "user_id": user_id, "delta": 1, "at": now} for user_id in fresh])
        return len(fresh)

    async def is_following(self, org_id: int, user_id: int) -> bool:
        row = (await self._connection.execute(select(shop_follows.c.user_id).where(
            shop_follows.c.org_id == org_id, shop_follows.c.user_id == user_id))).first()
        return row is not None

    async def of_user(self, user_id: int) -> list[int]:
        query = (select(shop_follows.c.org_id).where(shop_follows.c.user_id == user_id)
                 .order_by(shop_follows.c.followed_at.desc()))
        return [int(org_id) for org_id in (await self._connection.execute(query)).scalars()]


# --- pass products -----------------------------------------------------------------------------------------------

def _product(row: Any) -> PassProduct:
    window = Window(row.window_starts, row.window_ends) if row.window_starts is not None else None
    return PassProduct(id=row.id, org_id=row.org_id, name=row.name, item=row.item, uses=row.uses,
                       kind=PassKind(row.kind), price=Money(row.price_minor, row.currency),
                       created_at=as_utc(row.created_at), daily_cap=row.daily_cap, window=window,
                       items=tuple(row.items or ()), rollover_max=row.rollover_max, valid_days=row.valid_days,
                       offer_id=row.offer_id, plan_id=row.plan_id, active=row.active)


class SqlPassProducts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, product: PassProduct) -> bool:
        window = product.window
        result = await self._connection.execute(insert_ignoring(self._connection, shop_pass_products).values(
            id=product.id, org_id=product.org_id, name=product.name, item=product.item, uses=product.uses,
            kind=product.kind.value, price_minor=product.price.amount_minor, currency=product.price.currency,
            daily_cap=product.daily_cap, window_starts=window.starts if window else None,
            window_ends=window.ends if window else None, items=list(product.items),
            rollover_max=product.rollover_max, valid_days=product.valid_days, offer_id=product.offer_id,
            plan_id=product.plan_id, active=product.active, created_at=product.created_at))
        return bool(result.rowcount == 1)

    async def get(self, product_id: str) -> PassProduct | None:
        row = (await self._connection.execute(
            select(shop_pass_products).where(shop_pass_products.c.id == product_id))).first()
        return _product(row) if row else None

    async def of_shop(self, org_id: int) -> list[PassProduct]:
        query = (select(shop_pass_products)
                 .where(shop_pass_products.c.org_id == org_id, shop_pass_products.c.active.is_(True))
                 .order_by(shop_pass_products.c.created_at, shop_pass_products.c.id))
        return [_product(row) for row in await self._connection.execute(query)]

    async def by_plan(self, offer_id: str, plan_id: str) -> PassProduct | None:
        row = (await self._connection.execute(select(shop_pass_products).where(and_(
            shop_pass_products.c.offer_id == offer_id, shop_pass_products.c.plan_id == plan_id)))).first()
        return _product(row) if row else None
