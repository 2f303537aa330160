"""One-off purchases and tips in SQL: plain columns, written at once (a purchase is one row per payment), saved
compare-and-set. What they earned the merchant month by month is the ledger's to sum (`monthly_earnings`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.tables import billing_purchases
from storage.metadata import as_utc
from subscriptions.billing.payments import Purpose
from subscriptions.billing.purchases import Purchase, PurchaseStatus
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import UserId
from subscriptions.money import Money


def _values(purchase: Purchase) -> dict[str, Any]:
    return {"user_id": int(purchase.user_id), "merchant_id": purchase.merchant_id,
            "item_kind": purchase.item_kind, "item_id": purchase.item_id, "purpose": purchase.purpose.value,
            "amount_minor": purchase.amount.amount_minor, "currency": purchase.amount.currency,
            "payment_id": purchase.payment_id,
            "curator_id": None if purchase.curator_id is None else int(purchase.curator_id),
            "message": purchase.message, "status": purchase.status.value, "created_at": purchase.created_at,
            "version": purchase.version}


def _purchase(row: Any) -> Purchase:
    return Purchase(
        id=row.id, user_id=UserId(row.user_id), merchant_id=row.merchant_id, item_kind=row.item_kind,
        item_id=row.item_id, purpose=Purpose(row.purpose), amount=Money(int(row.amount_minor), row.currency),
        payment_id=row.payment_id, created_at=as_utc(row.created_at),
        curator_id=None if row.curator_id is None else UserId(row.curator_id), message=row.message,
        status=PurchaseStatus(row.status), version=row.version,
    )


class SqlPurchases:
    """`flush_all` writes what billing's repositories buffered: the totals read the journal and payments."""

    def __init__(self, connection: AsyncConnection, flush_all: Callable[[], Any]) -> None:
        self._connection = connection
        self._flush_all = flush_all

    async def add(self, purchase: Purchase) -> None:
        try:
            await self._connection.execute(insert(billing_purchases).values(id=purchase.id, **_values(purchase)))
        except IntegrityError as error:
            raise ConcurrentUpdate(f"purchase of payment {purchase.payment_id}: {error.orig}") from None

    async def save(self, purchase: Purchase, expected_version: int) -> None:
        table = billing_purchases
        result = await self._connection.execute(
            update(table).where(table.c.id == purchase.id, table.c.version == expected_version)
            .values(**_values(purchase)))
        if not result.rowcount:
            raise ConcurrentUpdate(f"purchase {purchase.id}: not at version {expected_version}")

    async def by_payment(self, payment_id: str) -> Purchase | None:
        table = billing_purchases
        row = (await self._connection.execute(select(table).where(table.c.payment_id == payment_id))).first()
        return None if row is None else _purchase(row)

    async def owned(self, user_id: UserId, item_kind: str, item_ids: Sequence[str]) -> set[str]:
        table = billing_purchases
        query = select(table.c.item_id).where(
            table.c.user_id == int(user_id), table.c.item_kind == item_kind, table.c.item_id.in_(list(item_ids)),
            table.c.status == PurchaseStatus.ACTIVE.value, table.c.purpose == Purpose.PURCHASE.value)
        return set((await self._connection.execute(query)).scalars())

    async def of_merchant(self, merchant_id: str, purpose: Purpose, limit: int, offset: int,
                          item: tuple[str, str] | None = None) -> list[Purchase]:
        table = billing_purchases
        query = select(table).where(table.c.merchant_id == merchant_id, table.c.purpose == purpose.value)
        if item is not None:
            query = query.where(table.c.item_kind == item[0], table.c.item_id == item[1])
        query = query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit).offset(offset)
        return [_purchase(row) for row in (await self._connection.execute(query)).all()]

