"""The fleet's use cases: importing units from a CSV file (the chat's and the command line's one engine), the
overview a brand's manager sees in /units, one unit found by serial with its history and book value, every
unit as a list, and a unit leaving the fleet (written off, or sold at the end of a term).

A manager's id is checked against the brand on every call that has one; the command line runs as the operator
and passes None."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from subscriptions.billing_calendar import zone
from subscriptions.flows import Flow, FlowStatus, moved, new_flow
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import fleet as rules
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.errors import StepAlreadyTaken, UnitNotFound
from subscriptions.rentals.fleet import UnitMove, book_value
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import require_brand_manager
from subscriptions.rentals.stock import Unit, UnitStatus
from subscriptions.rentals.unit_import import RowRefusal, UnitRow, read_units_csv

Progress = Callable[[int, int], Awaitable[None]]  # (rows done, rows in the file)
CHECK_CHUNK = 250  # rows checked against the fleet between two progress reports
PAGE = 1_000  # units read at a time when walking a fleet
IMPORT_FLOW = "rentals.units_import"  # the chat waits for a manager's CSV file
IMPORT_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class RowResult:
    line: int
    serial: str
    refusal: RowRefusal | None  # None: imported

    @property
    def imported(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class ImportReport:
    rows: list[RowResult]
    cost: Money  # of the units imported, booked against the supplier

    @property
    def imported(self) -> int:
        return sum(1 for row in self.rows if row.imported)

    @property
    def refused(self) -> int:
        return len(self.rows) - self.imported


async def _manager(uow: RentalsUnitOfWork, manager_id: int | None, brand_id: int) -> None:
    if manager_id is not None:
        await require_brand_manager(uow, manager_id, brand_id)


async def import_units(rentals: Rentals, manager_id: int | None, brand_id: int, text: str, *,
                       progress: Progress | None = None) -> ImportReport:
    """Every row of the file checked (the brand's products, its service regions, serials new to the fleet and
    to the file); the good ones added in one transaction with one ledger entry for what they cost. The file's
    rows are checked against the fleet in chunks, reporting progress in between; the write is one short
    transaction at the end, so a file that fails halfway adds nothing."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        await _manager(uow, manager_id, brand_id)
        products = [product.id for product in await uow.rental_products.of_brand(brand_id)]
    rows = read_units_csv(text, products=products, regions=rentals.settings.regions,
                          today=now.astimezone(zone(rentals.settings.timezone)).date())
    checked: list[UnitRow] = []
    for start in range(0, len(rows), CHECK_CHUNK):
        checked += await _against_fleet(rentals, rows[start:start + CHECK_CHUNK])
        if progress is not None:
            await progress(len(checked), len(rows))
    return await _write(rentals, brand_id, checked, now)


async def _against_fleet(rentals: Rentals, rows: list[UnitRow]) -> list[UnitRow]:
    by_product: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.ok:
            by_product[row.product].append(row.serial)
    async with rentals.read() as uow:
        taken = {(product, serial) for product, serials in by_product.items()
                 for serial in await uow.rental_units.existing_serials(product, serials)}
    return [replace(row, refusal=RowRefusal.ALREADY_IN_FLEET) if row.ok and (row.product, row.serial) in taken
            else row for row in rows]


async def _write(rentals: Rentals, brand_id: int, rows: list[UnitRow], now: datetime) -> ImportReport:
    units = {row.line: _unit(rentals, brand_id, row, now) for row in rows if row.ok}
    by_product: dict[str, list[Unit]] = defaultdict(list)
    for unit in units.values():
        by_product[unit.product_id].append(unit)
    async with rentals.uow() as uow:
        raced: set[tuple[str, str]] = set()  # added by someone else since the check
        for product_id, group in by_product.items():
            raced.update((product_id, serial) for serial in await uow.rental_units.add_many(group))
        added = [unit for unit in units.values() if (unit.product_id, unit.serial) not in raced]
        bought = rules.units_bought(rentals.ids.new_id(), brand_id, added, now, f"units-import-{now:%Y%m%d%H%M%S}")
        if bought is not None:
            await uow.ledger.append(bought)
        await uow.commit()
    results = []
    for row in rows:
        refusal = row.refusal
        if refusal is None and (row.product, row.serial) in raced:
            refusal = RowRefusal.ALREADY_IN_FLEET
        results.append(RowResult(row.line, row.serial, refusal))
    total = sum((unit.acquisition_cost for unit in added if unit.acquisition_cost), Money.zero("KRW"))
    return ImportReport(results, total)


def _unit(rentals: Rentals, brand_id: int, row: UnitRow, now: datetime) -> Unit:
    return Unit(rentals.ids.new_id(), row.product, brand_id, row.region, row.serial, UnitStatus.IN_STOCK, now,
                acquisition_cost=row.cost, acquired_on=row.acquired_on, useful_life_months=row.useful_life_months,
                residual_value=row.residual)


async def start_units_import(rentals: Rentals, manager_id: int, brand_id: int, chat_id: int) -> Flow:
    """The chat waits for the manager's units file for this brand (their other conversation closes)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
        flow = new_flow(rentals.ids.new_id(), manager_id, IMPORT_FLOW, "file", {"brand_id": brand_id}, now=now,
                        lifetime=IMPORT_LIFETIME, chat_id=chat_id)
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return flow


async def close_flow(rentals: Rentals, flow: Flow) -> None:
    """The conversation is over (the file imported, the inspection done)."""
    async with rentals.uow() as uow:
        await uow.flows.save(moved(flow, status=FlowStatus.DONE), expected_version=flow.version)
        await uow.commit()


def import_brand(flow: Flow) -> int:
    return int(flow.state["brand_id"])


# --- what a manager sees ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusCount:
    product: LocalText
    region: str
    status: UnitStatus
    count: int


@dataclass(frozen=True)
class FleetOverview:
    counts: list[StatusCount]
    cost: Money  # of the units still in the fleet
    book_value: Money
    units: int


async def fleet_overview(rentals: Rentals, manager_id: int | None, brand_id: int) -> FleetOverview:
    """Units by product, region and status, and the fleet's cost and book value today."""
    now, timezone = rentals.clock.now(), rentals.settings.timezone
    async with rentals.read() as uow:
        await _manager(uow, manager_id, brand_id)
        names = await _product_names(uow, brand_id)
        counts = [StatusCount(names.get(product, LocalText(product, product)), region, status, count)
                  for product, region, status, count in await uow.rental_units.status_counts(brand_id)]
    cost, value, units = Money.zero("KRW"), Money.zero("KRW"), 0
    async for unit in brand_units(rentals, brand_id):
        if unit.status in rules.GONE:
            continue
        units += 1
        if unit.acquisition_cost is not None:
            cost += unit.acquisition_cost
            value += book_value(unit, now, timezone)
    return FleetOverview(counts, cost, value, units)


async def _product_names(uow: RentalsUnitOfWork, brand_id: int) -> dict[str, LocalText]:
    return {product.id: product.name for product in await uow.rental_products.of_brand(brand_id)}


async def brand_units(rentals: Rentals, brand_id: int) -> AsyncIterator[Unit]:
    """Every unit of the brand by id, read a page at a time."""
    after: str | None = None
    while True:
        async with rentals.read() as uow:
            page = await uow.rental_units.page_of_brand(brand_id, after, PAGE)
        for unit in page:
            yield unit
        if len(page) < PAGE:
            return
        after = page[-1].id


@dataclass(frozen=True)
class UnitCard:
    unit: Unit
    product: LocalText
    book_value: Money
    history: list[UnitMove] = field(default_factory=list)


async def find_unit(rentals: Rentals, manager_id: int | None, brand_id: int, serial: str) -> list[UnitCard]:
    """The brand's units with this serial, each with its history and book value today (`UnitNotFound`)."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        await _manager(uow, manager_id, brand_id)
        found = await uow.rental_units.by_serial(brand_id, serial.strip()[:64])
        if not found:
            raise UnitNotFound(serial[:64])
        names = await _product_names(uow, brand_id)
        return [UnitCard(unit, names.get(unit.product_id, LocalText(unit.product_id, unit.product_id)),
                         book_value(unit, now, rentals.settings.timezone),
                         await uow.rental_unit_moves.of_unit(unit.id)) for unit in found]


@dataclass(frozen=True, slots=True)
class UnitLine:
    serial: str
    product: str
    region: str
    status: UnitStatus
    cost: Money | None
    book_value: Money


async def unit_lines(rentals: Rentals, brand_id: int) -> AsyncIterator[UnitLine]:
    """Every unit of the brand as the command line lists it."""
    now, timezone = rentals.clock.now(), rentals.settings.timezone
    async for unit in brand_units(rentals, brand_id):
        yield UnitLine(unit.serial, unit.product_id, unit.region, unit.status, unit.acquisition_cost,
                       book_value(unit, now, timezone))


# --- leaving the fleet ----------------------------------------------------------------------------------------

async def leave_fleet(uow: RentalsUnitOfWork, rentals: Rentals, unit: Unit, to: UnitStatus, note: str = "") -> Unit:
    """In the caller's transaction: the unit written off or sold, and what it was still worth booked in one
    ledger entry. `IllegalUnitMove` from a status that cannot leave; `StepAlreadyTaken` when it moved meanwhile."""
    gone = rules.moved(unit, to, rentals.clock.now())
    if not await uow.rental_units.move(gone, expected=unit.status, note=note):
        raise StepAlreadyTaken(unit.id)
    booked = rules.left_fleet(rentals.ids.new_id(), gone, rentals.settings.timezone)
    if booked is not None:
        await uow.ledger.append(booked)
    return gone


async def sell_unit(rentals: Rentals, unit_id: str) -> Unit:
    """Ownership passed at the end of the term: the installed unit leaves the fleet as sold."""
    async with rentals.uow() as uow:
        unit = await uow.rental_units.get(unit_id)
        if unit is None:
            raise UnitNotFound(unit_id)
        sold = await leave_fleet(uow, rentals, unit, UnitStatus.SOLD, "ownership passed")
        await uow.commit()
    return sold
