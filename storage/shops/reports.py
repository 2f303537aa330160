"""Shops' broadcasts (their audiences, the day's count, those scheduled) and the dashboard's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import organisations, users
from storage.metadata import as_utc
from storage.shops.passes import redemption_of
from storage.shops.tables import (
    FILLING,
    shop_broadcasts,
    shop_follow_log,
    shop_follows,
    shop_passes,
    shop_redemptions,
)
from subscriptions.shops.audiences import WAITING, Audience, AudienceWindow, ShopBroadcast, Target
from subscriptions.shops.counter import Redemption
from subscriptions.shops.passes import PassStatus


def _broadcast(row: Any) -> ShopBroadcast:
    return ShopBroadcast(id=row.id, org_id=row.org_id, sender_id=row.sender_id, text=row.text,
                         audience=Audience(row.audience), target=Target(row.target), send_at=as_utc(row.send_at),
                         created_at=as_utc(row.created_at), pass_product_id=row.pass_product_id, status=row.status,
                         broadcast_id=row.broadcast_id, progress_chat_id=row.progress_chat_id,
                         decided_by=row.decided_by,
                         decided_at=as_utc(row.decided_at) if row.decided_at is not None else None,
                         rejection_reason=row.rejection_reason,
                         fill_after=row.fill_after)


class SqlShopBroadcasts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, broadcast: ShopBroadcast) -> None:
        await self._connection.execute(insert(shop_broadcasts).values(
            id=broadcast.id, org_id=broadcast.org_id, sender_id=broadcast.sender_id, text=broadcast.text,
            audience=broadcast.audience.value, target=broadcast.target.value,
            pass_product_id=broadcast.pass_product_id, send_at=broadcast.send_at, created_at=broadcast.created_at,
            status=broadcast.status, progress_chat_id=broadcast.progress_chat_id))

    async def get(self, broadcast_id: str) -> ShopBroadcast | None:
        row = (await self._connection.execute(
            select(shop_broadcasts).where(shop_broadcasts.c.id == broadcast_id))).first()
        return _broadcast(row) if row else None

    async def count_between(self, org_id: int, start: datetime, end: datetime) -> int:
        """The shop's broadcasts sent or waiting to be sent on this day (canceled ones do not count)."""
        return int((await self._connection.execute(
            select(func.count()).select_from(shop_broadcasts).where(
                shop_broadcasts.c.org_id == org_id, shop_broadcasts.c.status != "canceled",
                shop_broadcasts.c.send_at >= start, shop_broadcasts.c.send_at < end))).scalar_one())

    async def due(self, now: datetime, *, limit: int) -> list[ShopBroadcast]:
        """Scheduled broadcasts whose time has come, of shops the platform has not suspended (theirs wait)."""
        query = (select(shop_broadcasts)
                 .join(organisations, organisations.c.id == shop_broadcasts.c.org_id)
                 .where(shop_broadcasts.c.status == "scheduled", shop_broadcasts.c.send_at <= now,
                        organisations.c.suspended_at.is_(None))
                 .order_by(shop_broadcasts.c.send_at).limit(limit))
        return [_broadcast(row) for row in await self._connection.execute(query)]

    async def scheduled_of(self, org_id: int) -> list[ShopBroadcast]:
        query = (select(shop_broadcasts)
                 .where(shop_broadcasts.c.org_id == org_id, shop_broadcasts.c.status == "scheduled")
                 .order_by(shop_broadcasts.c.send_at))
        return [_broadcast(row) for row in await self._connection.execute(query)]

    async def scheduled_everywhere(self, *, limit: int, offset: int = 0) -> list[ShopBroadcast]:
        """Every shop's broadcasts waiting for their time, the soonest first."""
        query = (select(shop_broadcasts).where(shop_broadcasts.c.status == "scheduled")
                 .order_by(shop_broadcasts.c.send_at, shop_broadcasts.c.id).limit(limit).offset(offset))
        return [_broadcast(row) for row in await self._connection.execute(query)]

    async def waiting(self, *, limit: int, offset: int = 0) -> list[ShopBroadcast]:
        """Broadcasts waiting for a platform admin's approval, the longest waiting first."""
        query = (select(shop_broadcasts).where(shop_broadcasts.c.status == WAITING)
                 .order_by(shop_broadcasts.c.created_at, shop_broadcasts.c.id).limit(limit).offset(offset))
        return [_broadcast(row) for row in await self._connection.execute(query)]

    async def decide(self, broadcast_id: str, status: str, *, by: int, at: datetime, reason: str | None) -> bool:
        """Approve (to `scheduled`) or reject a waiting broadcast, once: of two admins at once, one decides."""
        result = await self._connection.execute(
            update(shop_broadcasts)
            .where(shop_broadcasts.c.id == broadcast_id, shop_broadcasts.c.status == WAITING)
            .values(status=status, decided_by=by, decided_at=at, rejection_reason=reason))
        return bool(result.rowcount == 1)

    async def finish(self, broadcast_id: str, status: str, delivery_id: int | None) -> bool:
        """Mark a scheduled broadcast sent (with delivery's broadcast, whose followers' rows are then still to be
        written) or canceled, once."""
        result = await self._connection.execute(
            update(shop_broadcasts)
            .where(shop_broadcasts.c.id == broadcast_id, shop_broadcasts.c.status == "scheduled")
            .values(status=status, broadcast_id=delivery_id, fill_after=0 if delivery_id is not None else None))
        return bool(result.rowcount == 1)

    async def advance_fill(self, broadcast_id: str, expected: int, written_to: int | None) -> bool:
        """Move the fill from `expected` to `written_to` (None: all written); False when another worker did."""
        result = await self._connection.execute(
            update(shop_broadcasts)
            .where(shop_broadcasts.c.id == broadcast_id, shop_broadcasts.c.fill_after == expected)
            .values(fill_after=written_to))
        return bool(result.rowcount == 1)

    async def filling(self, *, limit: int) -> list[ShopBroadcast]:
        """Sent broadcasts whose followers' rows are not all written (a worker stopped half-way)."""
        query = (select(shop_broadcasts).where(FILLING).order_by(shop_broadcasts.c.broadcast_id).limit(limit))
        return [_broadcast(row) for row in await self._connection.execute(query)]

    async def still_filling(self, delivery_ids: list[int]) -> set[int]:
        """Of these delivery broadcasts, those that are shops' broadcasts still being written."""
        query = select(shop_broadcasts.c.broadcast_id).where(FILLING, shop_broadcasts.c.broadcast_id.in_(delivery_ids))
        return {int(found) for found in (await self._connection.execute(query)).scalars()}


class SqlShopAudiences:
    """Who an audience is, a page of user ids at a time: followers who have not blocked the bot (nor been
    banned), narrowed by what they did with the shop's passes."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    def _query(self, org_id: int, audience: Audience, window: AudienceWindow) -> Any:
        query = (select(shop_follows.c.user_id)
                 .join(users, users.c.id == shop_follows.c.user_id)
                 .where(shop_follows.c.org_id == org_id, users.c.is_bot_blocked.is_(False),
                        users.c.is_banned.is_(False)))
        active = exists().where(shop_passes.c.holder_id == shop_follows.c.user_id, shop_passes.c.org_id == org_id,
                                shop_passes.c.status == PassStatus.ACTIVE.value)
        if audience is Audience.PASS_HOLDERS:
            query = query.where(active)
        elif audience is Audience.LAPSED:
            ended = exists().where(shop_passes.c.holder_id == shop_follows.c.user_id,
                                   shop_passes.c.org_id == org_id, shop_passes.c.ended_at >= window.lapsed_since)
            query = query.where(ended, ~active)
        elif audience is Audience.RECENT:
            query = query.where(exists().where(
                shop_redemptions.c.holder_id == shop_follows.c.user_id, shop_redemptions.c.org_id == org_id,
                shop_redemptions.c.at >= window.redeemed_since, shop_redemptions.c.undone_at.is_(None)))
        return query

    async def page(self, org_id: int, audience: Audience, window: AudienceWindow, *, after: int,
                   limit: int) -> list[int]:
        query = (self._query(org_id, audience, window).where(shop_follows.c.user_id > after)
                 .order_by(shop_follows.c.user_id).limit(limit))
        return [int(user_id) for user_id in (await self._connection.execute(query)).scalars()]

    async def count(self, org_id: int, audience: Audience, window: AudienceWindow) -> int:
        inner = self._query(org_id, audience, window).subquery()
        return int((await self._connection.execute(select(func.count()).select_from(inner))).scalar_one())


class SqlShopFigures:
    """What the dashboard draws; times come back in UTC and the service buckets them in the shop's zone."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def redemption_times(self, org_id: int, since: datetime) -> list[datetime]:
        query = (select(shop_redemptions.c.at)
                 .where(shop_redemptions.c.org_id == org_id, shop_redemptions.c.at >= since,
                        shop_redemptions.c.undone_at.is_(None))
                 .order_by(shop_redemptions.c.at))
        return [as_utc(at) for at in (await self._connection.execute(query)).scalars()]

    async def redemptions(self, org_id: int, since: datetime) -> list[tuple[Redemption, str]]:
        """Every redemption since `since` with its pass's product, for the CSV."""
        query = (select(shop_redemptions, shop_passes.c.product_id)
                 .join(shop_passes, shop_passes.c.id == shop_redemptions.c.pass_id)
                 .where(shop_redemptions.c.org_id == org_id, shop_redemptions.c.at >= since)
                 .order_by(shop_redemptions.c.at))
        return [(redemption_of(row), str(row.product_id)) for row in await self._connection.execute(query)]

    async def active_passes(self, org_id: int, now: datetime) -> int:
        return int((await self._connection.execute(
            select(func.count()).select_from(shop_passes).where(
                shop_passes.c.org_id == org_id, shop_passes.c.status == PassStatus.ACTIVE.value,
                (shop_passes.c.period_end.is_(None)) | (shop_passes.c.period_end > now)))).scalar_one())

    async def follow_changes(self, org_id: int, since: datetime) -> list[tuple[datetime, int]]:
        query = (select(shop_follow_log.c.at, shop_follow_log.c.delta)
                 .where(shop_follow_log.c.org_id == org_id, shop_follow_log.c.at >= since)
                 .order_by(shop_follow_log.c.at))
        return [(as_utc(row.at), int(row.delta)) for row in await self._connection.execute(query)]
