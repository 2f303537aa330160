"""The month-end close on a real database: rent earned in the month its rent month starts, booked once per kind,
a second run changing nothing, a month still running or malformed refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from subscriptions.clock import FixedClock
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.accounting import brand_account
from subscriptions.rentals.close import CloseKind, close_transaction_id
from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason
from subscriptions.rentals.errors import InvalidMonth, MonthNotOver
from subscriptions.rentals.services.close import close_lines, close_month
from subscriptions.rentals.services.demo import AIR_PURIFIER, PURIFIER, demo_terms

pytestmark = pytest.mark.asyncio


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def _contract(contract_id: str, brand_id: int, product: str, installed: datetime, **changes: object) -> Contract:
    terms = demo_terms()[product]
    base = Contract(contract_id, f"app-{contract_id}", 710_001, brand_id, product, "plan", "v1", terms, "seoul",
                    None, installed, installed, "Asia/Seoul", f"pay-{contract_id}", terms.first_payment,
                    "a" * 64, "h.p.s", installed_at=installed)
    return replace(base, **changes)  # type: ignore[arg-type]


async def _store(rentals: Rentals, *contracts: Contract) -> None:
    async with rentals.uow() as uow:
        for contract in contracts:
            assert await uow.rental_contracts.add(contract)
        await uow.commit()


def _at(rentals: Rentals, moment: datetime) -> Rentals:
    return replace(rentals, clock=FixedClock(moment))


async def test_rent_is_earned_in_the_month_its_rent_month_starts_and_booked_once(
        homeline: tuple[Rentals, int]) -> None:
    rentals, brand = homeline
    seoul_oct_20 = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
    await _store(rentals,
                 _contract("c-oct", brand, PURIFIER, seoul_oct_20),  # month 2 starts 20 Nov
                 _contract("c-nov", brand, AIR_PURIFIER, datetime(2026, 11, 3, 1, 0, tzinfo=UTC)),  # month 1
                 _contract("c-ended", brand, PURIFIER, seoul_oct_20, status=ContractStatus.ENDING,
                           ended_at=datetime(2026, 11, 10, tzinfo=UTC), end_reason=EndReason.EARLY_TERMINATION),
                 _contract("c-cooled", brand, PURIFIER, datetime(2026, 11, 2, tzinfo=UTC),
                           status=ContractStatus.CANCELED_COOLING_OFF),
                 _contract("c-dec", brand, PURIFIER, datetime(2026, 12, 2, tzinfo=UTC)))
    later = _at(rentals, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))  # 09:00 on 1 December in Seoul

    result = await close_month(later, brand, "2026-11")

    assert not result.already_closed
    summary = result.closed.summary
    assert summary is not None
    # Rent: 29,900 (c-oct, month 2) + 19,900 (c-nov, month 1); c-ended stopped on 10 Nov before its month 2
    # began on 20 Nov; registration: 20,000 for c-nov's first month.
    # Homeline's demo units depreciate too (their figures are test_close_by_hand's); the contracts' lines here.
    assert {kind: minor for kind, minor in summary.booked.items() if kind != "depreciation"} == {
        "rent": 49_800, "registration": 20_000}
    assert (summary.contracts_in_force, summary.early_terminations) == (2, 1)
    every = await close_lines(later, brand, "2026-11")
    assert result.closed.lines == len(every)
    lines = {(line.kind, line.subject): line.amount for line in every if line.kind is not CloseKind.DEPRECIATION}
    assert lines == {(CloseKind.RENT, "c-oct"): won(29_900), (CloseKind.RENT, "c-nov"): won(19_900),
                     (CloseKind.REGISTRATION, "c-nov"): won(20_000)}
    async with later.read() as uow:
        booked = await uow.ledger.for_reference(f"close:{brand}:2026-11")
    assert {t.id for t in booked} == {close_transaction_id(brand, "2026-11", CloseKind.RENT),
                                      close_transaction_id(brand, "2026-11", CloseKind.REGISTRATION),
                                      close_transaction_id(brand, "2026-11", CloseKind.DEPRECIATION)}
    rent = next(t for t in booked if t.id.endswith("rent"))
    assert rent.amount_for(brand_account(brand, "revenue:rent")) == won(-49_800)
    assert rent.amount_for(brand_account(brand, "receivable:rent")) == won(49_800)

    again = await close_month(later, brand, "2026-11")
    assert again.already_closed and again.closed.summary == summary
    async with later.read() as uow:
        assert len(await uow.ledger.for_reference(f"close:{brand}:2026-11")) == 3


async def test_a_month_still_running_or_malformed_is_refused_and_nothing_is_claimed(
        homeline: tuple[Rentals, int]) -> None:
    rentals, brand = homeline
    on_the_last_evening = _at(rentals, datetime(2026, 11, 30, 14, 59, tzinfo=UTC))  # 23:59 in Seoul
    with pytest.raises(MonthNotOver):
        await close_month(on_the_last_evening, brand, "2026-11")
    with pytest.raises(InvalidMonth):
        await close_month(on_the_last_evening, brand, "2026-13")
    async with rentals.read() as uow:
        assert await uow.rental_closes.get(brand, "2026-11") is None
    result = await close_month(_at(rentals, datetime(2026, 11, 30, 15, 0, tzinfo=UTC)), brand, "2026-11")
    assert not result.already_closed and result.closed.summary is not None
    assert "rent" not in result.closed.summary.booked
