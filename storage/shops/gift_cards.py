"""Gift cards, their ledger and the spend requests staff make against them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.metadata import as_utc
from storage.shops.repositories import insert_ignoring
from storage.shops.tables import shop_gift_card_activities, shop_gift_cards, shop_spend_requests
from subscriptions.shops.giftcards import (
    GiftCard,
    GiftCardActivity,
    GiftCardActivityKind,
    GiftCardStatus,
    SpendRequest,
)


def _card(row: Any) -> GiftCard:
    return GiftCard(id=row.id, org_id=row.org_id, holder_id=row.holder_id, buyer_id=row.buyer_id,
                    initial=row.initial, balance=row.balance, status=GiftCardStatus(row.status),
                    payment_id=row.payment_id, created_at=as_utc(row.created_at), gift_code=row.gift_code,
                    version=row.version)


class SqlGiftCards:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, card: GiftCard) -> bool:
        """False when the payment made a card already (its event handed over twice)."""
        result = await self._connection.execute(insert_ignoring(self._connection, shop_gift_cards).values(
            id=card.id, org_id=card.org_id, holder_id=card.holder_id, buyer_id=card.buyer_id,
            initial=card.initial, balance=card.balance, status=card.status.value, payment_id=card.payment_id,
            gift_code=card.gift_code, created_at=card.created_at, version=card.version))
        return bool(result.rowcount == 1)

    async def get(self, card_id: str) -> GiftCard | None:
        row = (await self._connection.execute(select(shop_gift_cards).where(shop_gift_cards.c.id == card_id))).first()
        return _card(row) if row else None

    async def by_payment(self, payment_id: str) -> GiftCard | None:
        row = (await self._connection.execute(
            select(shop_gift_cards).where(shop_gift_cards.c.payment_id == payment_id))).first()
        return _card(row) if row else None

    async def by_gift_code(self, code: str) -> GiftCard | None:
        row = (await self._connection.execute(
            select(shop_gift_cards).where(shop_gift_cards.c.gift_code == code))).first()
        return _card(row) if row else None

    async def of_holder(self, holder_id: int) -> list[GiftCard]:
        query = (select(shop_gift_cards).where(shop_gift_cards.c.holder_id == holder_id)
                 .order_by(shop_gift_cards.c.created_at.desc()))
        return [_card(row) for row in await self._connection.execute(query)]

    async def open_gift(self, card_id: str, holder_id: int, code: str) -> bool:
        """Offer the untouched card to someone else by a link (its holder only)."""
        result = await self._connection.execute(
            update(shop_gift_cards)
            .where(shop_gift_cards.c.id == card_id, shop_gift_cards.c.holder_id == holder_id,
                   shop_gift_cards.c.status == GiftCardStatus.ACTIVE.value)
            .values(gift_code=code, version=shop_gift_cards.c.version + 1))
        return bool(result.rowcount == 1)

    async def hand_over(self, code: str, from_holder: int, to_holder: int) -> bool:
        """The link's card moves to its new holder, once; the link closes."""
        result = await self._connection.execute(
            update(shop_gift_cards)
            .where(shop_gift_cards.c.gift_code == code, shop_gift_cards.c.holder_id == from_holder,
                   shop_gift_cards.c.status == GiftCardStatus.ACTIVE.value)
            .values(holder_id=to_holder, gift_code=None, version=shop_gift_cards.c.version + 1))
        return bool(result.rowcount == 1)

    async def take(self, card_id: str, amount: int) -> int | None:
        """Take `amount` if the balance covers it; the balance after, or None."""
        result = await self._connection.execute(
            update(shop_gift_cards)
            .where(shop_gift_cards.c.id == card_id, shop_gift_cards.c.balance >= amount,
                   shop_gift_cards.c.status == GiftCardStatus.ACTIVE.value)
            .values(balance=shop_gift_cards.c.balance - amount, version=shop_gift_cards.c.version + 1)
            .returning(shop_gift_cards.c.balance))
        row = result.first()
        return int(row.balance) if row else None

    async def refund(self, card_id: str, expected_version: int) -> bool:
        result = await self._connection.execute(
            update(shop_gift_cards)
            .where(shop_gift_cards.c.id == card_id, shop_gift_cards.c.version == expected_version,
                   shop_gift_cards.c.status == GiftCardStatus.ACTIVE.value)
            .values(balance=0, status=GiftCardStatus.REFUNDED.value, gift_code=None,
                    version=expected_version + 1))
        return bool(result.rowcount == 1)

    async def add_activity(self, activity: GiftCardActivity) -> None:
        await self._connection.execute(insert(shop_gift_card_activities).values(
            id=activity.id, card_id=activity.card_id, kind=activity.kind.value, delta=activity.delta,
            balance_after=activity.balance_after, at=activity.at, actor_id=activity.actor_id,
            reference=activity.reference))

    async def activities(self, card_id: str, *, limit: int = 20) -> list[GiftCardActivity]:
        query = (select(shop_gift_card_activities).where(shop_gift_card_activities.c.card_id == card_id)
                 .order_by(shop_gift_card_activities.c.at.desc(), shop_gift_card_activities.c.id.desc())
                 .limit(limit))
        return [GiftCardActivity(row.id, row.card_id, GiftCardActivityKind(row.kind), row.delta,
                                 row.balance_after, as_utc(row.at), row.actor_id, row.reference)
                for row in await self._connection.execute(query)]


def _request(row: Any) -> SpendRequest:
    return SpendRequest(id=row.id, card_id=row.card_id, org_id=row.org_id, staff_id=row.staff_id,
                        holder_id=row.holder_id, amount=row.amount, created_at=as_utc(row.created_at),
                        expires_at=as_utc(row.expires_at), status=row.status)


class SqlSpendRequests:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, request: SpendRequest) -> None:
        await self._connection.execute(insert(shop_spend_requests).values(
            id=request.id, card_id=request.card_id, org_id=request.org_id, staff_id=request.staff_id,
            holder_id=request.holder_id, amount=request.amount, created_at=request.created_at,
            expires_at=request.expires_at, status=request.status))

    async def get(self, request_id: str) -> SpendRequest | None:
        row = (await self._connection.execute(
            select(shop_spend_requests).where(shop_spend_requests.c.id == request_id))).first()
        return _request(row) if row else None

    async def decide(self, request_id: str, status: str, now: datetime) -> bool:
        """Confirm or decline a waiting, unexpired request, once."""
        result = await self._connection.execute(
            update(shop_spend_requests)
            .where(shop_spend_requests.c.id == request_id, shop_spend_requests.c.status == "waiting",
                   shop_spend_requests.c.expires_at > now)
            .values(status=status, decided_at=now))
        return bool(result.rowcount == 1)
