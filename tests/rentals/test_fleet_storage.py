"""The fleet on each backend: the CSV import's one engine (refused rows, the rest stored with their cost, one
ledger entry), the keyset pages the month-end close walks, the overview and a unit found by serial with its
history, and a return from the pickup booked to the unit back in stock or written off."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subscriptions.clock import FixedClock
from subscriptions.ledger import balance
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.contracts import ContractStatus
from subscriptions.rentals.errors import (
    ContractNotActive,
    InvalidGrade,
    NotBrandManager,
    PhotoNeeded,
    ReturnWrongStep,
    UnitNotFound,
)
from subscriptions.rentals.fleet import book_value
from subscriptions.rentals.returns import Disposition, ReturnStatus
from subscriptions.rentals.services import contracts, returns
from subscriptions.rentals.services.fleet import find_unit, fleet_overview, import_units
from subscriptions.rentals.stock import UnitStatus
from subscriptions.rentals.unit_import import RowRefusal
from tests.rentals.fleet_steps import end_contract, make_technician, purifiers_csv
from tests.rentals.helpers import APPLICANTS, MANAGER, NOW
from tests.rentals.test_storage import _paid

Homeline = tuple[Rentals, int]
MINJI, STRANGER, TECHNICIAN = APPLICANTS[10], APPLICANTS[11], APPLICANTS[12]


def won(amount: int) -> Money:
    return Money(amount, "KRW")


async def test_an_import_keeps_the_good_rows_and_books_them_once(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    text = purifiers_csv(6, duplicates=(4,)) + "HL-PURIFIER-SEO-0001,homeline-purifier,500000,2026-01-02,seoul\n"
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    report = await import_units(rentals, MANAGER, brand_id, text, progress=progress)
    assert [(row.line, row.refusal) for row in report.rows] == [
        (2, None), (3, None), (4, None), (5, RowRefusal.DUPLICATE_IN_FILE), (6, None), (7, None),
        (8, RowRefusal.ALREADY_IN_FLEET)]
    assert seen == [(7, 7)] and report.imported == 5
    async with rentals.read() as uow:
        (unit,) = await uow.rental_units.by_serial(brand_id, "PF-2026-00001")
        moves = await uow.rental_unit_moves.of_unit(unit.id)
        demo = await uow.ledger.for_reference("demo-units")
        bought = await uow.ledger.for_reference(f"units-import-{NOW:%Y%m%d%H%M%S}")
    assert unit.acquisition_cost == won(581_000) and unit.residual_value == won(58_100)
    assert unit.useful_life_months == 60 and unit.status is UnitStatus.IN_STOCK
    assert [(move.status, move.place, move.note) for move in moves] == [(UnitStatus.IN_STOCK, "warehouse", "added")]
    assert [entry.kind for entry in demo] == ["units_bought"]  # the demo's units were booked at cost too
    (entry,) = bought
    assert entry.amount_for(f"brand:{brand_id}:asset:fleet") == report.cost == won(
        581_000 + 582_000 + 583_000 + 585_000 + 586_000)
    assert entry.amount_for(f"brand:{brand_id}:payable:supplier") == -report.cost
    again = await import_units(rentals, MANAGER, brand_id, text)
    assert again.imported == 0 and again.cost == won(0)


async def test_a_stranger_cannot_import_or_look(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    with pytest.raises(NotBrandManager):
        await import_units(rentals, STRANGER, brand_id, purifiers_csv(2))
    with pytest.raises(NotBrandManager):
        await fleet_overview(rentals, STRANGER, brand_id)
    async with rentals.read() as uow:
        assert not await uow.rental_units.by_serial(brand_id, "PF-2026-00001")


async def test_the_close_pages_through_a_brands_units_by_id(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    await import_units(rentals, None, brand_id, purifiers_csv(7))
    seen, after = [], None
    async with rentals.read() as uow:
        while True:
            page = await uow.rental_units.page_of_brand(brand_id, after, 4)
            seen += [unit.id for unit in page]
            if len(page) < 4:
                break
            after = page[-1].id
        assert not await uow.rental_units.page_of_brand(brand_id + 1, None, 4)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 22 + 7  # the demo's 22 and the file's 7


async def test_the_overview_counts_and_values_the_fleet(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    overview = await fleet_overview(rentals, MANAGER, brand_id)
    purifiers = {(line.region, line.status): line.count for line in overview.counts if line.product.en.endswith(
        "water purifier")}
    assert purifiers == {("busan", UnitStatus.IN_STOCK): 3, ("seoul", UnitStatus.IN_STOCK): 5}
    assert overview.units == 22
    # bought on 2025-11-01: twelve months ended by Nov 25, 2026
    async with rentals.read() as uow:
        (one,) = await uow.rental_units.by_serial(brand_id, "HL-PURIFIER-SEO-0001")
    assert book_value(one, NOW, rentals.settings.timezone) == won(600_000 - 12 * 9_000)
    assert overview.cost == won(8 * 600_000 + 5 * 900_000 + 6 * 350_000 + 3 * 36_000_000)
    (card,) = await find_unit(rentals, MANAGER, brand_id, " HL-PURIFIER-SEO-0001 ")
    assert card.book_value == won(492_000) and [move.note for move in card.history] == ["added"]
    with pytest.raises(UnitNotFound):
        await find_unit(rentals, MANAGER, brand_id, "NO-SUCH")


async def test_a_return_from_the_pickup_to_the_unit_back_in_stock(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    clock = rentals.clock
    assert isinstance(clock, FixedClock)
    contract, _ = await _paid(rentals, MINJI)
    await contracts.record_installation(rentals, MANAGER, contract.id)
    with pytest.raises(ContractNotActive):  # not ending: nothing to pick up
        await returns.book_pickup(rentals, contract.id)
    await end_contract(rentals, contract.id, clock.now())
    booked = await returns.book_pickup(rentals, contract.id)
    assert booked.pickup_at >= clock.now() + timedelta(days=1) and booked.status is ReturnStatus.PICKUP_BOOKED
    assert await returns.book_pickup(rentals, contract.id) == booked  # the event came twice
    await make_technician(rentals, TECHNICIAN, brand_id, clock.now())
    with pytest.raises(NotBrandManager):
        await returns.mark_picked_up(rentals, STRANGER, contract.id)
    queue = await returns.returns_queue(rentals, TECHNICIAN, brand_id)
    assert [line.ret.contract_id for line in queue] == [contract.id]
    picked = await returns.mark_picked_up(rentals, TECHNICIAN, contract.id)
    with pytest.raises(ReturnWrongStep):
        await returns.mark_picked_up(rentals, TECHNICIAN, contract.id)
    with pytest.raises(InvalidGrade):
        await returns.grade_return(rentals, TECHNICIAN, contract.id, "E")
    await returns.grade_return(rentals, TECHNICIAN, contract.id, "C")
    with pytest.raises(PhotoNeeded):
        await returns.finish_inspection(rentals, None, TECHNICIAN, contract.id, "scratched lid", None)  # type: ignore[arg-type]
    await returns.add_photo(rentals, TECHNICIAN, contract.id, "photo-1")
    # The purifier's contract holds no deposit: the damage is on record, nothing is charged or refunded.
    settled = await returns.finish_inspection(rentals, None, TECHNICIAN, contract.id, "scratched lid", "50000")  # type: ignore[arg-type]
    assert settled.status is ReturnStatus.SETTLED and settled.charge == won(0) and settled.photos == ("photo-1",)
    assert picked.picked_up_by == TECHNICIAN
    with pytest.raises(NotBrandManager):  # the unit's fate is the manager's
        await returns.dispose_unit(rentals, TECHNICIAN, contract.id, Disposition.REFURBISHED)
    unit = await returns.dispose_unit(rentals, MANAGER, contract.id, Disposition.REFURBISHED)
    assert unit.status is UnitStatus.IN_STOCK and unit.contract_id is None
    async with rentals.read() as uow:
        stored = await uow.rental_contracts.get(contract.id)
        history = await uow.rental_unit_moves.of_unit(unit.id)
    assert stored is not None and stored.status is ContractStatus.SETTLED
    assert [move.status for move in history] == [
        UnitStatus.IN_STOCK, UnitStatus.RESERVED, UnitStatus.INSTALLED, UnitStatus.PICKUP_BOOKED,
        UnitStatus.RETURNED, UnitStatus.INSPECTED, UnitStatus.REFURBISHED, UnitStatus.IN_STOCK]
    assert history[2].contract_id == contract.id and history[3].place == "customer"


async def test_a_unit_written_off_leaves_the_books_in_one_entry(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    clock = rentals.clock
    assert isinstance(clock, FixedClock)
    contract, _ = await _paid(rentals, MINJI)
    await contracts.record_installation(rentals, MANAGER, contract.id)
    await end_contract(rentals, contract.id, clock.now())
    await returns.book_pickup(rentals, contract.id)
    await returns.mark_picked_up(rentals, MANAGER, contract.id)
    await returns.grade_return(rentals, MANAGER, contract.id, "a")
    await returns.finish_inspection(rentals, None, MANAGER, contract.id, "", None)  # type: ignore[arg-type]
    unit = await returns.dispose_unit(rentals, MANAGER, contract.id, Disposition.WRITTEN_OFF)
    assert unit.status is UnitStatus.WRITTEN_OFF and unit.left_at == clock.now()
    async with rentals.read() as uow:
        entries = await uow.ledger.for_reference(unit.id)
    (entry,) = entries
    assert entry.kind == "unit_written_off"
    assert balance(entries, f"brand:{brand_id}:asset:fleet", "KRW") == won(600_000)  # credited at cost
    assert entry.amount_for(f"brand:{brand_id}:expense:write_off") == won(492_000)
    assert book_value(replace(unit), clock.now(), rentals.settings.timezone) == won(0)
    with pytest.raises(ReturnWrongStep):
        await returns.dispose_unit(rentals, MANAGER, contract.id, Disposition.REFURBISHED)
