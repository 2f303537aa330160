"""A month-end written out by hand, on each backend: three purifier contracts over November and December 2026,
one ended early, one month paid late, one visit missed; the close must book every figure below to the won, and
closing again must change nothing.

The brand's books (Asia/Seoul), each purifier ₩29,900 a month over 36 months, ₩50,000 registration:

- A, installed 10 Sep 10:00: rent months 3 (Nov) and 4 (Dec). Its month 3, due 10 Nov 10:00, is paid on 15 Dec
  10:00: 20 whole days late at the end of November, 35 when paid. A ₩120,000 sales commission over 36 months.
- B, installed 5 Nov 10:00: month 1 and its registration fee in November, month 2 in December. Its filter visit
  on 3 December was missed: 10% of a month's rent, ₩2,990, is credited to its customer.
- C, installed 20 Aug 10:00: month 4 in November; ended early on 5 December, before its month 5 (20 Dec) began.
  A ₩90,000 commission, of which December amortises nothing (the termination settled the rest).
- The fleet, bought 1 Aug: two units of ₩600,000 with ₩60,000 residual over 60 months (₩9,000 a month each)
  and one of ₩599,999 with no residual over 36 months (month 4: 599,999 x 4 // 36 - 599,999 x 3 // 36 =
  66,666 - 49,999 = ₩16,667; month 5: 83,333 - 66,666 = ₩16,667).

Late interest, 6% a year by day, rounded down: 29,900 x 0.06 x 20 / 365 = 98.30 -> ₩98 by the end of November;
29,900 x 0.06 x 35 / 365 = 172.03 -> ₩172 in all, so ₩74 in December.
Commission amortisation: A's month 3 is 120,000 x 3 // 36 - 120,000 x 2 // 36 = 10,000 - 6,666 = ₩3,334 and its
month 4 13,333 - 10,000 = ₩3,333; C's month 4 is 90,000 x 4 // 36 - 90,000 x 3 // 36 = 10,000 - 7,500 = ₩2,500.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from subscriptions.clock import FixedClock
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.accounting import brand_account
from subscriptions.rentals.commissions import Commission
from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason
from subscriptions.rentals.late import instalments_of
from subscriptions.rentals.services.close import close_lines, close_month
from subscriptions.rentals.services.demo import PURIFIER, demo_terms
from subscriptions.rentals.stock import Unit, UnitStatus
from subscriptions.rentals.visits import FieldVisit, VisitStatus, WorkKind

pytestmark = pytest.mark.asyncio
TERMS = demo_terms()[PURIFIER]
SEOUL = "Asia/Seoul"
CUSTOMER_A, CUSTOMER_B, CUSTOMER_C = 720_001, 720_002, 720_003
A_LATE_PAID = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
C_ENDED = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
B_MISSED = datetime(2026, 12, 3, 15, 5, tzinfo=UTC)  # just after midnight in Seoul, when the sweep ran


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def seoul_10am(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 1, 0, tzinfo=UTC)


def _contract(contract_id: str, brand: int, customer: int, unit: str, installed: datetime, **changes: object
              ) -> Contract:
    base = Contract(contract_id, f"app-{contract_id}", customer, brand, PURIFIER, "plan", "v1", TERMS, "seoul", unit,
                    installed, installed, SEOUL, f"pay-{contract_id}", TERMS.first_payment, "a" * 64, "h.p.s",
                    installed_at=installed)
    return replace(base, **changes)  # type: ignore[arg-type]


def _unit(unit_id: str, brand: int, cost: int, residual: int, life: int, contract_id: str,
          status: UnitStatus) -> Unit:
    return Unit(unit_id, PURIFIER, brand, "seoul", f"SN-{unit_id}", status, seoul_10am(2026, 8, 1),
                contract_id=contract_id, acquisition_cost=won(cost), acquired_on=date(2026, 8, 1),
                useful_life_months=life, residual_value=won(residual))


async def _books(rentals: Rentals) -> int:
    async with rentals.uow() as uow:
        brand = (await uow.organisations.add(slug="by-hand", name="By Hand Rentals", kind="brand",
                                             now=seoul_10am(2026, 8, 1))).id
        a = _contract("A", brand, CUSTOMER_A, "UA", seoul_10am(2026, 9, 10))
        b = _contract("B", brand, CUSTOMER_B, "UB", seoul_10am(2026, 11, 5))
        c = _contract("C", brand, CUSTOMER_C, "UC", seoul_10am(2026, 8, 20), status=ContractStatus.ENDING,
                      end_reason=EndReason.EARLY_TERMINATION, ended_at=C_ENDED)
        for contract in (a, b, c):
            assert await uow.rental_contracts.add(contract)
            await uow.rental_instalments.add_many(instalments_of(contract, contract.signed_at))
            for due in await uow.rental_instalments.of_contract(contract.id):
                late = contract.id == "A" and due.number == 3
                if due.paid_at is None and due.due_at < datetime(2027, 1, 1, tzinfo=UTC) and not late:
                    await uow.rental_instalments.mark_paid(contract.id, due.number, due.due_at)
        await uow.rental_instalments.mark_paid("A", 3, A_LATE_PAID)
        await uow.rental_instalments.drop_unpaid_after("C", C_ENDED)
        await uow.rental_units.add_many([
            _unit("UA", brand, 600_000, 60_000, 60, "A", UnitStatus.INSTALLED),
            _unit("UB", brand, 600_000, 60_000, 60, "B", UnitStatus.INSTALLED),
            _unit("UC", brand, 599_999, 0, 36, "C", UnitStatus.PICKUP_BOOKED)])
        for contract_id, amount, installed, ended in (("A", 120_000, a.installed_at, None),
                                                      ("C", 90_000, c.installed_at, C_ENDED)):
            assert await uow.rental_commissions.add(Commission(
                contract_id, brand, "agent:kim", won(amount), 36, SEOUL, 24, installed, started_at=installed,
                ended_at=ended))
        await uow.rental_visits.add_many([FieldVisit(
            "VB1", "B", CUSTOMER_B, brand, "seoul", WorkKind.MAINTENANCE, "2026-12-03", seoul_10am(2026, 12, 3),
            status=VisitStatus.MISSED, credit=won(2_990), missed_at=B_MISSED)])
        await uow.commit()
    return brand


def _at(rentals: Rentals, moment: datetime) -> Rentals:
    return replace(rentals, clock=FixedClock(moment))


async def test_two_months_closed_by_hand_match_to_the_won(homeline: tuple[Rentals, int]) -> None:
    rentals, _ = homeline
    brand = await _books(rentals)

    november = await close_month(_at(rentals, datetime(2026, 12, 1, 3, 0, tzinfo=UTC)), brand, "2026-11")
    december = await close_month(_at(rentals, datetime(2027, 1, 1, 3, 0, tzinfo=UTC)), brand, "2026-12")

    nov, dec = november.closed.summary, december.closed.summary
    assert nov is not None and dec is not None
    assert nov.booked == {"rent": 89_700, "registration": 50_000, "depreciation": 34_667, "amortisation": 5_834,
                          "interest": 98}
    assert dec.booked == {"rent": 59_800, "depreciation": 34_667, "amortisation": 3_333, "interest": 74,
                          "visit_credit": 2_990}
    assert (nov.revenue, dec.revenue) == (139_798, 59_874)
    assert (nov.contracts_in_force, nov.early_terminations, dec.contracts_in_force, dec.early_terminations) == (
        3, 0, 2, 1)
    # The fleet at each month's end: 600,000 - 4 x 9,000 twice and 599,999 - 66,666; then a month more.
    assert (nov.fleet_cost, nov.book_value, nov.units, nov.installed) == (1_799_999, 1_661_333, 3, 3)
    assert dec.book_value == 555_000 + 555_000 + 516_666
    assert nov.aging_amounts == (29_900, 0, 0, 0) and nov.aging_counts == (1, 0, 0, 0)
    assert dec.aging_amounts == (0, 0, 0, 0)

    lines = {(line.kind.value, line.subject): line.amount.amount_minor
             for line in await close_lines(rentals, brand, "2026-12")}
    assert lines == {("rent", "A"): 29_900, ("rent", "B"): 29_900, ("depreciation", "UA"): 9_000,
                     ("depreciation", "UB"): 9_000, ("depreciation", "UC"): 16_667, ("amortisation", "A"): 3_333,
                     ("interest", "A:3"): 74, ("visit_credit", "VB1"): 2_990}
    async with rentals.read() as uow:
        credit = await uow.ledger.for_account(brand_account(brand, f"payable:customer:{CUSTOMER_B}"))
        fleet = await uow.ledger.for_account(brand_account(brand, "asset:depreciation"))
    assert [t.amount_for(brand_account(brand, f"payable:customer:{CUSTOMER_B}")) for t in credit] == [won(-2_990)]
    assert sorted(t.amount_for(brand_account(brand, "asset:depreciation")) for t in fleet) == [won(-34_667)] * 2

    again = await close_month(_at(rentals, datetime(2027, 1, 2, tzinfo=UTC)), brand, "2026-11")
    assert again.already_closed and again.closed.summary == nov
    async with rentals.read() as uow:
        assert len(await uow.ledger.for_reference(f"close:{brand}:2026-11")) == 5
