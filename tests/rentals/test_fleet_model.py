"""The fleet's rules on their own: a unit's life, straight-line depreciation by month in the brand's zone, the
book value on a day, the ledger entries of buying and of leaving the fleet, and reading a units CSV."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.ledger import balance
from subscriptions.money import Money
from subscriptions.rentals.errors import IllegalUnitMove, UnitsFileInvalid
from subscriptions.rentals.fleet import (
    book_value,
    depreciation_in_month,
    left_fleet,
    moved,
    units_bought,
)
from subscriptions.rentals.regions import SERVICE_REGIONS
from subscriptions.rentals.stock import Unit, UnitStatus
from subscriptions.rentals.unit_import import RowRefusal, read_units_csv

SEOUL = "Asia/Seoul"
NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def unit(cost: int | None = 600_000, acquired: date = date(2026, 1, 20), life: int = 60,
         residual: int = 60_000, status: UnitStatus = UnitStatus.IN_STOCK) -> Unit:
    return Unit("u1", "homeline-purifier", 7, "seoul", "HL-1", status, NOW,
                acquisition_cost=won(cost) if cost is not None else None, acquired_on=acquired,
                useful_life_months=life, residual_value=won(residual) if cost is not None else None)


def months(start: tuple[int, int], count: int) -> list[str]:
    year, month = start
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def test_month_one_is_the_month_of_acquisition_and_nothing_comes_before_it() -> None:
    purifier = unit()
    assert depreciation_in_month(purifier, "2025-12", SEOUL) == won(0)
    assert depreciation_in_month(purifier, "2026-01", SEOUL) == won(9_000)  # 540,000 over 60 months
    assert depreciation_in_month(purifier, "2030-12", SEOUL) == won(9_000)  # month 60
    assert depreciation_in_month(purifier, "2031-01", SEOUL) == won(0)  # fully depreciated


@given(cost=st.integers(1, 50_000_000), residual_share=st.integers(0, 100), life=st.integers(1, 120))
def test_the_months_of_the_life_add_up_to_cost_less_residual(cost: int, residual_share: int, life: int) -> None:
    residual = cost * residual_share // 100
    bought = unit(cost, date(2026, 3, 31), life, residual)
    spread = [depreciation_in_month(bought, month, SEOUL) for month in months((2026, 3), life + 2)]
    assert sum(m.amount_minor for m in spread) == cost - residual
    assert all(m.amount_minor >= 0 for m in spread) and spread[-1] == won(0)


@given(cost=st.integers(1, 50_000_000), life=st.integers(1, 120), days=st.lists(st.integers(0, 4_000), min_size=2,
                                                                                 max_size=2))
def test_book_value_never_rises_and_ends_at_the_residual(cost: int, life: int, days: list[int]) -> None:
    bought = unit(cost, date(2026, 1, 1), life, cost // 10)
    start = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)  # Jan 1 00:00 in Seoul
    earlier, later = sorted(days)
    values = [book_value(bought, start + timedelta(days=n), SEOUL) for n in (earlier, later)]
    assert values[0] >= values[1] >= won(cost // 10)
    assert book_value(bought, start + timedelta(days=31 * (life + 1)), SEOUL) == won(cost // 10)


def test_book_value_counts_the_months_that_ended_in_the_brands_zone() -> None:
    purifier = unit()
    assert book_value(purifier, datetime(2026, 1, 31, 14, 59, tzinfo=UTC), SEOUL) == won(600_000)  # Jan 31 23:59
    assert book_value(purifier, datetime(2026, 1, 31, 15, 0, tzinfo=UTC), SEOUL) == won(591_000)  # Feb 1 00:00
    assert book_value(purifier, NOW, SEOUL) == won(600_000 - 10 * 9_000)  # January to October ended
    assert book_value(purifier, datetime(2040, 1, 1, tzinfo=UTC), SEOUL) == won(60_000)  # the residual


def test_a_unit_without_a_cost_depreciates_nothing_and_is_worth_nothing_on_the_books() -> None:
    old = unit(cost=None)
    assert depreciation_in_month(old, "2026-05", SEOUL) == won(0)
    assert book_value(old, NOW, SEOUL) == won(0)
    assert units_bought("t", 7, [old], NOW, "ref") is None


def test_leaving_the_fleet_stops_depreciation_and_books_the_rest_in_one_entry() -> None:
    written_off = moved(unit(), UnitStatus.WRITTEN_OFF, NOW)  # in November
    assert written_off.left_at == NOW
    assert depreciation_in_month(written_off, "2026-10", SEOUL) == won(9_000)
    assert depreciation_in_month(written_off, "2026-11", SEOUL) == won(0)
    assert book_value(written_off, NOW, SEOUL) == won(0)
    entry = left_fleet("t1", written_off, SEOUL)
    assert entry is not None
    assert {p.account: p.amount for p in entry.postings} == {
        "brand:7:expense:write_off": won(510_000), "brand:7:asset:depreciation": won(90_000),
        "brand:7:asset:fleet": won(-600_000)}
    sold = moved(unit(status=UnitStatus.INSTALLED), UnitStatus.SOLD, NOW)
    sale = left_fleet("t2", sold, SEOUL)
    assert sale is not None and sale.amount_for("brand:7:expense:units_sold") == won(510_000)


def test_buying_books_the_fleet_at_cost_against_the_supplier() -> None:
    entry = units_bought("t", 7, [unit(), replace(unit(), id="u2", acquisition_cost=won(400_000))], NOW, "import")
    assert entry is not None
    assert -balance([entry], "brand:7:asset:fleet", "KRW") == won(1_000_000)
    assert balance([entry], "brand:7:payable:supplier", "KRW") == won(1_000_000)


@pytest.mark.parametrize(("start", "to"), [
    (UnitStatus.IN_STOCK, UnitStatus.RETURNED),  # a return of a unit not installed
    (UnitStatus.RESERVED, UnitStatus.PICKUP_BOOKED),
    (UnitStatus.SOLD, UnitStatus.IN_STOCK),
    (UnitStatus.WRITTEN_OFF, UnitStatus.REFURBISHED),
    (UnitStatus.RETURNED, UnitStatus.IN_STOCK),  # not without an inspection
])
def test_moves_outside_the_units_life_are_refused(start: UnitStatus, to: UnitStatus) -> None:
    with pytest.raises(IllegalUnitMove):
        moved(unit(status=start), to, NOW)


def test_the_whole_life_of_a_returned_unit_leads_back_to_stock() -> None:
    current = unit(status=UnitStatus.INSTALLED)
    for status in (UnitStatus.PICKUP_BOOKED, UnitStatus.RETURNED, UnitStatus.INSPECTED, UnitStatus.REFURBISHED,
                   UnitStatus.IN_STOCK):
        current = moved(current, status, NOW, contract_id="c1")
    assert current.status is UnitStatus.IN_STOCK and current.contract_id is None and current.left_at is None


HEADER = "serial,product,cost,acquired_on,region,useful_life_months,residual\n"


def read(text: str) -> list:  # type: ignore[type-arg]
    return read_units_csv(text, products={"homeline-purifier"}, regions=SERVICE_REGIONS, today=date(2026, 11, 25))


def test_a_units_file_refuses_each_bad_row_with_its_reason_and_keeps_the_rest() -> None:
    rows = read(HEADER + "\n".join([
        "HL-1,homeline-purifier,600000,2026-01-05,seoul,,",
        "HL-1,homeline-purifier,600000,2026-01-05,seoul,,",
        "HL 2,homeline-purifier,600000,2026-01-05,seoul,,",
        "HL-3,homeline-sofa,600000,2026-01-05,seoul,,",
        "HL-4,homeline-purifier,-5,2026-01-05,seoul,,",
        "HL-5,homeline-purifier,600000,2026-02-30,seoul,,",
        "HL-6,homeline-purifier,600000,2026-01-05,jeju,,",
        "HL-7,homeline-purifier,\"1,200,000\",2026-01-05,서울,36,100000",
        "HL-8,homeline-purifier,600000,2027-01-05,busan,,",
        "HL-9,homeline-purifier,600000,2026-01-05,busan,0,",
        "HL-10,homeline-purifier,600000,2026-01-05,busan,,700000",
    ]))
    assert [(row.line, row.refusal) for row in rows] == [
        (2, None), (3, RowRefusal.DUPLICATE_IN_FILE), (4, RowRefusal.BAD_SERIAL), (5, RowRefusal.UNKNOWN_PRODUCT),
        (6, RowRefusal.BAD_COST), (7, RowRefusal.BAD_DATE), (8, RowRefusal.OUTSIDE_REGIONS), (9, None),
        (10, RowRefusal.FUTURE_DATE), (11, RowRefusal.BAD_LIFE), (12, RowRefusal.BAD_RESIDUAL)]
    first, kept = rows[0], rows[7]
    assert (first.cost, first.useful_life_months, first.residual) == (won(600_000), 60, won(60_000))  # defaults
    assert (kept.region, kept.cost, kept.useful_life_months, kept.residual) == (
        "seoul", won(1_200_000), 36, won(100_000))


@pytest.mark.parametrize("text", ["", "serial,product,cost\nA,homeline-purifier,1\n", "\x00\x01 not a csv"])
def test_a_file_without_the_columns_is_refused_as_a_whole(text: str) -> None:
    with pytest.raises(UnitsFileInvalid):
        read(text)
