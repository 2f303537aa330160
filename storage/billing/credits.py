"""Customer credits (`subscriptions.billing.credits`): plain rows, written once by id, marked when an invoice
takes them off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.billing.tables import billing_customer_credits as credits
from storage.metadata import as_utc
from subscriptions.billing.credits import CustomerCredit
from subscriptions.money import Money


def _credit(row: Any) -> CustomerCredit:
    return CustomerCredit(row.id, row.user_id, row.merchant_id, row.subscription_id,
                          Money(row.amount_minor, row.currency), row.reason, as_utc(row.created_at),
                          row.applied_checkout_id)


class SqlCustomerCredits:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, credit: CustomerCredit) -> bool:
        dialect = pg_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        result = await self._connection.execute(dialect(credits).on_conflict_do_nothing().values(
            id=credit.id, user_id=credit.user_id, merchant_id=credit.merchant_id,
            subscription_id=credit.subscription_id, amount_minor=credit.amount.amount_minor,
            currency=credit.amount.currency, reason=credit.reason, created_at=credit.created_at,
            applied_checkout_id=credit.applied_checkout_id))
        return bool(result.rowcount)

    async def open_for(self, subscription_id: str) -> list[CustomerCredit]:
        query = (select(credits).where(credits.c.subscription_id == subscription_id,
                                       credits.c.applied_checkout_id.is_(None))
                 .order_by(credits.c.created_at, credits.c.id))
        return [_credit(row) for row in await self._connection.execute(query)]

    async def of_user(self, user_id: int) -> list[CustomerCredit]:
        query = select(credits).where(credits.c.user_id == user_id).order_by(credits.c.created_at, credits.c.id)
        return [_credit(row) for row in await self._connection.execute(query)]

    async def mark_applied(self, credit_ids: Sequence[str], checkout_id: str) -> None:
        if credit_ids:
            await self._connection.execute(update(credits).where(
                credits.c.id.in_(list(credit_ids)), credits.c.applied_checkout_id.is_(None))
                .values(applied_checkout_id=checkout_id))
