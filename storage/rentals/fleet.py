"""The fleet's storage: units as the back office moves them, their location history and contracts' returns.

`SqlFleetUnits` is the units repository with the back office's part: every change of a unit's status is a
conditional update from the status it was read in (so two technicians pressing Picked up move it once) and
writes a line of its history in the same transaction, the checkout's reservations and installations too.
A brand's units are read in keyset pages by id, so the month-end close walks any fleet in flat memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.documents import decode
from storage.json_text import to_json_text
from storage.metadata import as_utc
from storage.rentals.repositories import SqlRentalUnits, insert_ignoring, unit_of_row, unit_values
from storage.rentals.tables import rental_returns, rental_unit_moves, rental_units
from subscriptions.rentals.fleet import UnitMove, move_of
from subscriptions.rentals.returns import Return, ReturnStatus
from subscriptions.rentals.stock import Unit, UnitStatus

SERIALS_PER_QUERY = 500  # an IN list well under both backends' limits on bound parameters


def _move_values(move: UnitMove) -> dict[str, Any]:
    return {"unit_id": move.unit_id, "at": move.at, "status": move.status.value, "region": move.region,
            "place": move.place, "contract_id": move.contract_id, "note": move.note[:200]}


class SqlFleetUnits(SqlRentalUnits):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)
        self._connection = connection

    async def _record(self, moves: Sequence[UnitMove]) -> None:
        if moves:
            await self._connection.execute(insert(rental_unit_moves), [_move_values(move) for move in moves])

    async def _record_unit(self, unit_id: str, note: str) -> None:
        unit = await self.get(unit_id)
        if unit is not None:
            await self._record([move_of(unit, note)])

    async def add_many(self, units: list[Unit]) -> list[str]:
        refused = await super().add_many(units)
        skipped = set(refused)
        await self._record([move_of(unit, "added") for unit in units if unit.serial not in skipped])
        return refused

    async def reserve(self, product_id: str, region: str, application_id: str, now: datetime) -> Unit | None:
        won = await super().reserve(product_id, region, application_id, now)
        if won is not None:
            await self._record([move_of(won, "reserved for an application")])
        return won

    async def install(self, unit_id: str, contract_id: str, now: datetime) -> bool:
        done = await super().install(unit_id, contract_id, now)
        if done:
            await self._record_unit(unit_id, "installed")
        return done

    async def release(self, unit_id: str, now: datetime) -> bool:
        done = await super().release(unit_id, now)
        if done:
            await self._record_unit(unit_id, "back in stock")
        return done

    async def move(self, unit: Unit, *, expected: UnitStatus, note: str = "") -> bool:
        """Write `unit` (its next status) if the stored one is still `expected`, and its history line."""
        values = unit_values(unit)
        values.pop("id")
        result = await self._connection.execute(
            update(rental_units).where(rental_units.c.id == unit.id, rental_units.c.status == expected.value)
            .values(**values))
        if not result.rowcount:
            return False
        await self._record([move_of(unit, note)])
        return True

    async def page_of_brand(self, brand_id: int, after_id: str | None, limit: int) -> list[Unit]:
        """The brand's units after `after_id` (None: from the first), by id, at most `limit`."""
        query = select(rental_units).where(rental_units.c.brand_id == brand_id)
        if after_id is not None:
            query = query.where(rental_units.c.id > after_id)
        rows = await self._connection.execute(query.order_by(rental_units.c.id).limit(limit))
        return [unit_of_row(row) for row in rows]

    async def existing_serials(self, product_id: str, serials: Iterable[str]) -> set[str]:
        """Which of `serials` the product has in its fleet already."""
        wanted, found = sorted(set(serials)), set[str]()
        for start in range(0, len(wanted), SERIALS_PER_QUERY):
            chunk = wanted[start:start + SERIALS_PER_QUERY]
            rows = await self._connection.execute(select(rental_units.c.serial).where(
                rental_units.c.product_id == product_id, rental_units.c.serial.in_(chunk)))
            found.update(row.serial for row in rows)
        return found

    async def status_counts(self, brand_id: int) -> list[tuple[str, str, UnitStatus, int]]:
        """(product, region, status, how many) of the brand's units."""
        query = (select(rental_units.c.product_id, rental_units.c.region, rental_units.c.status, func.count())
                 .where(rental_units.c.brand_id == brand_id)
                 .group_by(rental_units.c.product_id, rental_units.c.region, rental_units.c.status)
                 .order_by(rental_units.c.product_id, rental_units.c.region, rental_units.c.status))
        return [(row[0], row[1], UnitStatus(row[2]), int(row[3])) for row in await self._connection.execute(query)]

    async def by_serial(self, brand_id: int, serial: str) -> list[Unit]:
        """The brand's units with this serial (one a product)."""
        query = (select(rental_units).where(rental_units.c.brand_id == brand_id, rental_units.c.serial == serial)
                 .order_by(rental_units.c.product_id))
        return [unit_of_row(row) for row in await self._connection.execute(query)]


def _move(row: Any) -> UnitMove:
    return UnitMove(row.unit_id, as_utc(row.at), UnitStatus(row.status), row.region, row.place, row.contract_id,
                    row.note)


class SqlUnitMoves:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def of_unit(self, unit_id: str, *, limit: int = 50) -> list[UnitMove]:
        """The unit's latest moves, oldest first."""
        query = (select(rental_unit_moves).where(rental_unit_moves.c.unit_id == unit_id)
                 .order_by(rental_unit_moves.c.id.desc()).limit(limit))
        return [_move(row) for row in reversed((await self._connection.execute(query)).all())]


class SqlRentalReturns:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @staticmethod
    def _values(ret: Return) -> dict[str, Any]:
        return {"brand_id": ret.brand_id, "unit_id": ret.unit_id, "customer_id": ret.customer_id,
                "status": ret.status.value, "pickup_at": ret.pickup_at, "version": ret.version,
                "document": to_json_text(ret)}

    async def add(self, ret: Return) -> bool:
        """False when the contract has a return already (the ending's event came again)."""
        result = await self._connection.execute(insert_ignoring(self._connection, rental_returns).values(
            contract_id=ret.contract_id, **self._values(ret)))
        return bool(result.rowcount)

    async def get(self, contract_id: str) -> Return | None:
        row = (await self._connection.execute(
            select(rental_returns.c.document).where(rental_returns.c.contract_id == contract_id))).first()
        return decode(Return, row.document) if row else None

    async def save(self, ret: Return, *, expected_version: int) -> bool:
        result = await self._connection.execute(
            update(rental_returns).where(rental_returns.c.contract_id == ret.contract_id,
                                         rental_returns.c.version == expected_version)
            .values(**self._values(ret)))
        return bool(result.rowcount)

    async def of_brand(self, brand_id: int, statuses: Iterable[ReturnStatus], *, limit: int = 20) -> list[Return]:
        """The brand's returns in `statuses`, the earliest pickup first."""
        query = (select(rental_returns.c.document).where(
            rental_returns.c.brand_id == brand_id, rental_returns.c.status.in_([s.value for s in statuses]))
            .order_by(rental_returns.c.pickup_at, rental_returns.c.contract_id).limit(limit))
        return [decode(Return, row.document) for row in await self._connection.execute(query)]
