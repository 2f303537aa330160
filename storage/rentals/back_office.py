"""The brand back office's money on the storage side: contracts' instalments (paid, due, overdue), sales
commissions, when terms end, and the brand's contracts found by customer or serial.

Instalments are rows, so that the month-end close and the sweeps over 100,000 contracts never open a billing
document: marking a month paid is one conditional update (`paid_at IS NULL`), idempotent whatever repeats.
Pages are keyset pages (never OFFSET), on indexes that hold every column the page reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.metadata import as_utc
from storage.rentals.repositories import insert_ignoring
from storage.rentals.tables import (
    LATE_INSTALMENTS,
    rental_commissions,
    rental_contracts,
    rental_instalments,
    rental_term_ends,
    rental_units,
)
from subscriptions.money import Money
from subscriptions.rentals.commissions import Commission, Settlement
from subscriptions.rentals.contracts import BILLED, Contract, InstalmentKind
from subscriptions.rentals.late import LateInstalment, ScheduledInstalment
from subscriptions.rentals.termination import TermEnd


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _instalment(row: Any) -> ScheduledInstalment:
    return ScheduledInstalment(row.contract_id, row.brand_id, row.number, InstalmentKind(row.kind),
                               as_utc(row.due_at), Money(row.amount_minor, row.currency), _aware(row.paid_at))


class SqlRentalInstalments:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_many(self, instalments: Sequence[ScheduledInstalment]) -> int:
        """Write the rows not written yet (the rent started twice writes nothing more)."""
        if not instalments:
            return 0
        result = await self._connection.execute(insert_ignoring(self._connection, rental_instalments), [
            {"contract_id": each.contract_id, "number": each.number, "brand_id": each.brand_id,
             "kind": each.kind.value, "due_at": each.due_at, "amount_minor": each.amount.amount_minor,
             "currency": each.amount.currency, "paid_at": each.paid_at} for each in instalments])
        return int(result.rowcount or 0)

    async def of_contract(self, contract_id: str) -> list[ScheduledInstalment]:
        query = (select(rental_instalments).where(rental_instalments.c.contract_id == contract_id)
                 .order_by(rental_instalments.c.number))
        return [_instalment(row) for row in await self._connection.execute(query)]

    async def mark_paid(self, contract_id: str, number: int, paid_at: datetime) -> bool:
        """True when this call marked it (False: paid before, or no such instalment)."""
        table = rental_instalments
        result = await self._connection.execute(update(table).where(
            table.c.contract_id == contract_id, table.c.number == number, table.c.paid_at.is_(None))
            .values(paid_at=paid_at))
        return bool(result.rowcount)

    async def drop_unpaid_after(self, contract_id: str, at: datetime) -> int:
        """An ended contract bills no more: its months not yet due go (those overdue stay owed)."""
        table = rental_instalments
        result = await self._connection.execute(delete(table).where(
            table.c.contract_id == contract_id, table.c.paid_at.is_(None), table.c.due_at > at))
        return int(result.rowcount or 0)

    async def missed(self, now: datetime, at_least: int, after: str | None, limit: int) -> list[str]:
        """Contracts still billed with `at_least` months of rent overdue at `now`, in id order after `after`."""
        table, contracts = rental_instalments, rental_contracts
        query = (select(table.c.contract_id)
                 .join(contracts, contracts.c.id == table.c.contract_id)
                 .where(table.c.paid_at.is_(None), table.c.due_at <= now,
                        table.c.kind == InstalmentKind.RENT.value,
                        contracts.c.status.in_([status.value for status in BILLED]))
                 .group_by(table.c.contract_id).having(func.count() >= at_least)
                 .order_by(table.c.contract_id).limit(limit))
        if after is not None:
            query = query.where(table.c.contract_id > after)
        return [row.contract_id for row in await self._connection.execute(query)]

    async def late_in(self, brand_id: int, start: datetime, end: datetime,
                      after: tuple[datetime, str, int] | None, limit: int) -> list[LateInstalment]:
        """The brand's months of rent due before `end`, paid late or not at all, and not paid by `start`, in
        (due, contract, number) order after `after`: the month-end close's late interest and overdue aging.

        The months paid on time (nearly all) are not in the partial index this walks (`LATE_INSTALMENTS`), and
        its range on the due time stops at `end`, so the close reads only what is or was late."""
        table = rental_instalments
        query = select(table.c.contract_id, table.c.number, table.c.amount_minor, table.c.currency,
                       table.c.due_at, table.c.paid_at).where(
            table.c.brand_id == brand_id, table.c.due_at < end, LATE_INSTALMENTS,
            table.c.kind == InstalmentKind.RENT.value, or_(table.c.paid_at.is_(None), table.c.paid_at > start))
        if after is not None:
            query = query.where(tuple_(table.c.due_at, table.c.contract_id, table.c.number) > tuple_(*after))
        order = (table.c.due_at, table.c.contract_id, table.c.number)
        rows = await self._connection.execute(query.order_by(*order).limit(limit))
        return [LateInstalment(row.contract_id, row.number, Money(row.amount_minor, row.currency),
                               as_utc(row.due_at), _aware(row.paid_at)) for row in rows]


def _commission(row: Any) -> Commission:
    settled = Money(row.settled_minor, row.currency) if row.settled_minor is not None else None
    return Commission(row.contract_id, row.brand_id, row.agent, Money(row.amount_minor, row.currency),
                      row.term_months, row.timezone, row.clawback_months, as_utc(row.recorded_at),
                      row.recorded_by, _aware(row.started_at), _aware(row.ended_at),
                      Settlement(row.settlement) if row.settlement else None, settled)


def _commission_values(commission: Commission) -> dict[str, Any]:
    return {"brand_id": commission.brand_id, "agent": commission.agent,
            "amount_minor": commission.amount.amount_minor, "currency": commission.amount.currency,
            "term_months": commission.term_months, "timezone": commission.timezone,
            "clawback_months": commission.clawback_months, "recorded_at": commission.recorded_at,
            "recorded_by": commission.recorded_by, "started_at": commission.started_at,
            "ended_at": commission.ended_at,
            "settlement": commission.settlement.value if commission.settlement else None,
            "settled_minor": commission.settled.amount_minor if commission.settled is not None else None}


class SqlRentalCommissions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, commission: Commission) -> bool:
        """False when the contract has one already."""
        result = await self._connection.execute(insert_ignoring(self._connection, rental_commissions).values(
            contract_id=commission.contract_id, **_commission_values(commission)))
        return bool(result.rowcount)

    async def get(self, contract_id: str) -> Commission | None:
        row = (await self._connection.execute(
            select(rental_commissions).where(rental_commissions.c.contract_id == contract_id))).first()
        return _commission(row) if row else None

    async def save(self, commission: Commission) -> None:
        await self._connection.execute(update(rental_commissions)
                                       .where(rental_commissions.c.contract_id == commission.contract_id)
                                       .values(**_commission_values(commission)))

    async def page_of_brand(self, brand_id: int, after_id: str | None, limit: int) -> list[Commission]:
        """The brand's commissions in contract order after `after_id` (the close books their months)."""
        table = rental_commissions
        query = select(table).where(table.c.brand_id == brand_id)
        if after_id is not None:
            query = query.where(table.c.contract_id > after_id)
        return [_commission(row) for row in
                await self._connection.execute(query.order_by(table.c.contract_id).limit(limit))]


class SqlRentalTermEnds:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put(self, term: TermEnd) -> None:
        values = {"brand_id": term.brand_id, "ends_at": term.ends_at, "act_at": term.act_at, "done": term.done}
        existing = await self.get(term.contract_id)
        if existing is None:
            await self._connection.execute(insert(rental_term_ends).values(contract_id=term.contract_id, **values))
        else:
            await self._connection.execute(update(rental_term_ends)
                                           .where(rental_term_ends.c.contract_id == term.contract_id).values(**values))

    async def get(self, contract_id: str) -> TermEnd | None:
        row = (await self._connection.execute(
            select(rental_term_ends).where(rental_term_ends.c.contract_id == contract_id))).first()
        return TermEnd(row.contract_id, row.brand_id, as_utc(row.ends_at), as_utc(row.act_at), row.done) \
            if row else None

    async def due(self, now: datetime, limit: int) -> list[TermEnd]:
        table = rental_term_ends
        query = (select(table).where(table.c.done.is_(False), table.c.act_at <= now)
                 .order_by(table.c.act_at, table.c.contract_id).limit(limit))
        return [TermEnd(row.contract_id, row.brand_id, as_utc(row.ends_at), as_utc(row.act_at), row.done)
                for row in await self._connection.execute(query)]


class SqlBrandContracts:
    """A brand's contracts as its managers look for them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def page(self, brand_id: int, after_id: str | None, limit: int) -> list[Contract]:
        table = rental_contracts
        query = select(table.c.document).where(table.c.brand_id == brand_id)
        if after_id is not None:
            query = query.where(table.c.id > after_id)
        rows = await self._connection.execute(query.order_by(table.c.id).limit(limit))
        return [decode(Contract, row.document) for row in rows]

    async def of_customers(self, brand_id: int, customer_ids: Sequence[int], limit: int) -> list[Contract]:
        if not customer_ids:
            return []
        table = rental_contracts
        query = (select(table.c.document).where(table.c.brand_id == brand_id,
                                                table.c.applicant_id.in_(list(customer_ids)))
                 .order_by(table.c.signed_at.desc(), table.c.id).limit(limit))
        return [decode(Contract, row.document) for row in await self._connection.execute(query)]

    async def by_serial(self, brand_id: int, serial: str) -> list[Contract]:
        """The contracts a unit with this serial was under (of the brand's products)."""
        table = rental_contracts
        query = (select(table.c.document).join(rental_units, or_(rental_units.c.contract_id == table.c.id,
                                                                 rental_units.c.application_id == table.c.application_id))
                 .where(table.c.brand_id == brand_id, func.upper(rental_units.c.serial) == serial.strip().upper()))
        return [decode(Contract, row.document) for row in await self._connection.execute(query)]

    async def customers(self, brand_id: int, limit: int) -> list[int]:
        """The brand's customers, most recent first (a name is looked for among them, names being sealed)."""
        table = rental_contracts
        query = (select(table.c.applicant_id, func.max(table.c.signed_at).label("latest"))
                 .where(table.c.brand_id == brand_id).group_by(table.c.applicant_id)
                 .order_by(func.max(table.c.signed_at).desc()).limit(limit))
        return [int(row.applicant_id) for row in await self._connection.execute(query)]
