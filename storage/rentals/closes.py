"""The month-end close's storage: the row that claims a brand's month (inserted first, so a second close finds
it), the lines booked, and the brand's contracts in keyset pages, so a close over a hundred thousand contracts
holds one page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode, decode_list
from storage.json_text import from_json, to_json_text
from storage.metadata import as_utc
from storage.rentals.repositories import insert_ignoring
from storage.rentals.tables import rental_close_lines, rental_contracts, rental_month_closes, rental_products
from subscriptions.money import Money
from subscriptions.rentals.close import ClosedMonth, CloseKind, CloseLine, CloseSummary
from subscriptions.rentals.contracts import Contract


class SqlRentalCloses:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def claim(self, brand_id: int, month: str, now: datetime) -> bool:
        """Take the month for this close (False: it was closed before, or is being closed right now)."""
        result = await self._connection.execute(insert_ignoring(self._connection, rental_month_closes).values(
            brand_id=brand_id, month=month, closed_at=now, lines=0, summary={}))
        return bool(result.rowcount)

    async def finish(self, closed: ClosedMonth) -> None:
        await self._connection.execute(
            rental_month_closes.update()
            .where(rental_month_closes.c.brand_id == closed.brand_id, rental_month_closes.c.month == closed.month)
            .values(lines=closed.lines, summary=to_json_text(closed.summary), closed_at=closed.closed_at))

    async def get(self, brand_id: int, month: str) -> ClosedMonth | None:
        row = (await self._connection.execute(select(rental_month_closes).where(
            rental_month_closes.c.brand_id == brand_id, rental_month_closes.c.month == month))).first()
        return _closed(row) if row else None

    async def of_brand(self, brand_id: int, *, last: int = 12) -> list[ClosedMonth]:
        """The brand's latest closed months, oldest first."""
        query = (select(rental_month_closes).where(rental_month_closes.c.brand_id == brand_id)
                 .order_by(rental_month_closes.c.month.desc()).limit(last))
        return [_closed(row) for row in reversed((await self._connection.execute(query)).all())]

    async def add_lines(self, brand_id: int, month: str, lines: Sequence[CloseLine]) -> None:
        if lines:
            await self._connection.execute(insert(rental_close_lines), [
                {"brand_id": brand_id, "month": month, "kind": line.kind.value, "subject": line.subject,
                 "amount_minor": line.amount.amount_minor, "currency": line.amount.currency, "party": line.party}
                for line in lines])

    async def lines(self, brand_id: int, month: str, after: tuple[str, str] | None,
                    limit: int) -> list[CloseLine]:
        """The month's lines by kind and subject, a page after `after` (kind, subject)."""
        table = rental_close_lines.c
        query = select(table.kind, table.subject, table.amount_minor, table.currency, table.party).where(
            table.brand_id == brand_id, table.month == month)
        if after is not None:
            query = query.where((table.kind > after[0]) | ((table.kind == after[0]) & (table.subject > after[1])))
        rows = await self._connection.execute(query.order_by(table.kind, table.subject).limit(limit))
        return [CloseLine(CloseKind(row.kind), row.subject, Money(row.amount_minor, row.currency), row.party)
                for row in rows]

    async def brands(self) -> list[int]:
        """Every brand with a product listed or not: the ones the scheduled close looks at."""
        query = select(rental_products.c.brand_id).distinct().order_by(rental_products.c.brand_id)
        return list((await self._connection.execute(query)).scalars())

    async def contracts_page(self, brand_id: int, after_id: str | None, limit: int) -> list[Contract]:
        """The brand's contracts ordered by id, `limit` of them after `after_id`: decoded in one call."""
        table = rental_contracts.c
        # The documents as the text stored: one C decoder reads the page, no dicts on the way.
        query = select(table.id, cast(table.document, Text).label("text")).where(table.brand_id == brand_id)
        if after_id is not None:
            query = query.where(table.id > after_id)
        rows = (await self._connection.execute(query.order_by(table.id).limit(limit))).all()
        return decode_list(Contract, "[" + ",".join(row.text for row in rows) + "]") if rows else []


def _closed(row: Any) -> ClosedMonth:
    summary = row.summary if isinstance(row.summary, dict) else from_json(row.summary)
    return ClosedMonth(row.brand_id, row.month, as_utc(row.closed_at), row.lines,
                       decode(CloseSummary, summary) if summary else None)
