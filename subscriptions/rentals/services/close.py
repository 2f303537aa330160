"""Closing a brand's month: every contract, unit, commission, overdue instalment and missed visit of the brand read
in pages, each page's lines written as it goes, their sums booked as one transaction per kind at the end, all
in one database transaction. A close that dies half-way leaves nothing behind; a second close of the month
finds the month claimed and changes nothing. Memory stays flat: a page at a time, and running sums."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from subscriptions.rentals import Rentals, fleet
from subscriptions.rentals.accounting import month_bounds, month_key
from subscriptions.rentals.close import (
    AGING_BUCKETS,
    ClosedMonth,
    CloseKind,
    CloseLine,
    CloseResult,
    CloseSummary,
    CloseTotals,
    aging_bucket,
    check_month_over,
    close_transactions,
    ended_early_in,
    rent_lines,
)
from subscriptions.rentals.commissions import amortisation_in_month
from subscriptions.rentals.errors import InvalidPlanTerms
from subscriptions.rentals.late import interest_in_month
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import require_brand_manager
from subscriptions.rentals.stock import UnitStatus

PAGE = 2_000
INSTALLED = frozenset({UnitStatus.INSTALLED, UnitStatus.PICKUP_BOOKED})  # at a customer's
T = TypeVar("T")
K = TypeVar("K")
CLOSE_AFTER = timedelta(hours=3)  # the scheduled close of a month waits until 03:00 on the 1st


@dataclass(slots=True)
class _Month:
    """One close's running state: the sums, and the report's counters."""

    brand_id: int
    month: str
    start: datetime
    end: datetime
    timezone: str
    totals: CloseTotals
    contracts_in_force: int = 0
    early_terminations: int = 0
    fleet_cost: int = 0
    book_value: int = 0
    units: int = 0
    installed: int = 0
    aging_amounts: list[int] = field(default_factory=lambda: [0] * (len(AGING_BUCKETS) + 1))
    aging_counts: list[int] = field(default_factory=lambda: [0] * (len(AGING_BUCKETS) + 1))

    def summary(self) -> CloseSummary:
        booked = {kind.value: minor for kind, minor in self.totals.by_kind.items() if minor}
        return CloseSummary(self.totals.currency, booked, self.fleet_cost, self.book_value, self.units,
                            self.installed, self.contracts_in_force, self.early_terminations,
                            _four(self.aging_amounts), _four(self.aging_counts))


def _four(values: list[int]) -> tuple[int, int, int, int]:
    return values[0], values[1], values[2], values[3]


async def close_month(rentals: Rentals, brand_id: int, month: str) -> CloseResult:
    """Book the brand's `month` ("2026-11"), once. `MonthNotOver` for a month still running."""
    now = rentals.clock.now()
    timezone = rentals.settings.timezone
    start, end = check_month_over(month, timezone, now)
    async with rentals.uow() as uow:
        if not await uow.rental_closes.claim(brand_id, month, now):
            found = await uow.rental_closes.get(brand_id, month)
            assert found is not None  # claimed by another close: its row is there
            return CloseResult(found, already_closed=True)
        state = _Month(brand_id, month, start, end, timezone, CloseTotals(rentals.settings.currency))
        await _contracts(uow, state)
        await _units(uow, state)
        await _commissions(uow, state)
        await _interest(uow, state)
        await _visit_credits(uow, state)
        for transaction in close_transactions(brand_id, month, timezone, state.totals):
            await uow.ledger.append(transaction)
        closed = ClosedMonth(brand_id, month, now, state.totals.lines, state.summary())
        await uow.rental_closes.finish(closed)
        await uow.commit()
    return CloseResult(closed, already_closed=False)


async def _write(uow: RentalsUnitOfWork, state: _Month, lines: list[CloseLine]) -> None:
    for line in lines:
        if line.amount.currency != state.totals.currency:
            raise InvalidPlanTerms(f"{line.subject} is in {line.amount.currency}, the books in "
                                   f"{state.totals.currency}")
    state.totals.add(lines)
    await uow.rental_closes.add_lines(state.brand_id, state.month, lines)


async def _contracts(uow: RentalsUnitOfWork, state: _Month) -> None:
    after: str | None = None
    while True:
        page = await uow.rental_closes.contracts_page(state.brand_id, after, PAGE)
        if not page:
            return
        after = page[-1].id
        lines: list[CloseLine] = []
        for contract in page:
            earned = rent_lines(contract, state.month, state.timezone)
            state.contracts_in_force += bool(earned)
            state.early_terminations += ended_early_in(contract, state.start, state.end)
            lines += earned
        await _write(uow, state, lines)
        del page, lines  # one page in memory at a time: the next one is read without this one alive


async def _pages(fetch: Callable[[K | None], Awaitable[Sequence[T]]], key: Callable[[T], K]) -> AsyncIterator[Sequence[T]]:
    """Keyset pages until one comes back empty; a page is let go before the next is read."""
    after: K | None = None
    while page := await fetch(after):
        after = key(page[-1])
        yield page
        del page


async def _units(uow: RentalsUnitOfWork, state: _Month) -> None:
    """Depreciation, and the fleet at the month's end: its cost, book value and how much of it is installed."""
    async for page in _pages(lambda after: uow.rental_units.page_of_brand(state.brand_id, after, PAGE),
                             lambda unit: unit.id):
        lines = []
        for unit in page:
            depreciation = fleet.depreciation_in_month(unit, state.month, state.timezone)
            if depreciation.is_positive:
                lines.append(CloseLine(CloseKind.DEPRECIATION, unit.id, depreciation))
            if fleet.in_fleet_at(unit, state.end, state.timezone):
                state.units += 1
                state.installed += unit.status in INSTALLED
                state.fleet_cost += unit.acquisition_cost.amount_minor if unit.acquisition_cost else 0
                state.book_value += fleet.book_value(unit, state.end, state.timezone).amount_minor
        await _write(uow, state, lines)


async def _commissions(uow: RentalsUnitOfWork, state: _Month) -> None:
    async for page in _pages(lambda after: uow.rental_commissions.page_of_brand(state.brand_id, after, PAGE),
                             lambda commission: commission.contract_id):
        lines = [CloseLine(CloseKind.AMORTISATION, commission.contract_id, share) for commission in page
                 if (share := amortisation_in_month(commission, state.month, state.timezone)).is_positive]
        await _write(uow, state, lines)


async def _interest(uow: RentalsUnitOfWork, state: _Month) -> None:
    """The late interest the month accrued, and what is still overdue at its end, by age."""
    async for page in _pages(lambda after: uow.rental_instalments.late_in(state.brand_id, state.start, state.end,
                                                                          after, PAGE),
                             lambda due: (due.due_at, due.contract_id, due.number)):
        lines = []
        for due in page:
            interest = interest_in_month(due.amount, due.due_at, due.paid_at, state.start, state.end)
            if interest.is_positive:
                lines.append(CloseLine(CloseKind.INTEREST, f"{due.contract_id}:{due.number}", interest))
            if due.due_at < state.end and (due.paid_at is None or due.paid_at >= state.end):
                bucket = aging_bucket(due.due_at, state.end)
                state.aging_amounts[bucket] += due.amount.amount_minor
                state.aging_counts[bucket] += 1
        await _write(uow, state, lines)


async def _visit_credits(uow: RentalsUnitOfWork, state: _Month) -> None:
    async for page in _pages(lambda after: uow.rental_visits.credits_in(state.brand_id, state.start, state.end,
                                                                        after, PAGE),
                             lambda credit: (credit.missed_at, credit.visit_id)):
        await _write(uow, state, [CloseLine(CloseKind.VISIT_CREDIT, credit.visit_id, credit.amount,
                                            str(credit.customer_id)) for credit in page])


async def closed_months(rentals: Rentals, brand_id: int, *, last: int = 12) -> list[ClosedMonth]:
    async with rentals.read() as uow:
        return await uow.rental_closes.of_brand(brand_id, last=last)


async def close_lines(rentals: Rentals, brand_id: int, month: str, *, page: int = PAGE) -> list[CloseLine]:
    """Every line of a closed month (for the CSV), read in pages."""
    found: list[CloseLine] = []
    after: tuple[str, str] | None = None
    async with rentals.read() as uow:
        while batch := await uow.rental_closes.lines(brand_id, month, after, page):
            found += batch
            after = (batch[-1].kind.value, batch[-1].subject)
    return found



async def close_last_month(rentals: Rentals) -> list[CloseResult]:
    """The scheduled close: last month of every brand that has not been closed yet, once it has been over for
    `CLOSE_AFTER` (rent paid late on its last evening still lands in it)."""
    now = rentals.clock.now()
    timezone = rentals.settings.timezone
    month = previous_month(now, timezone)
    if now < month_bounds(month, timezone)[1] + CLOSE_AFTER:
        return []
    async with rentals.read() as uow:
        brands = [brand for brand in await uow.rental_closes.brands()
                  if await uow.rental_closes.get(brand, month) is None]
    return [await close_month(rentals, brand, month) for brand in brands]


def previous_month(now: datetime, timezone: str) -> str:
    start, _ = month_bounds(month_key(now, timezone), timezone)
    return month_key(start - timedelta(days=1), timezone)


# --- the brand's managers, in the chat -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BrandReport:
    brand_id: int
    months: list[ClosedMonth]  # closed, oldest first (the last twelve)
    closable: str | None  # last month, when it is over and not closed yet


async def brand_report(rentals: Rentals, manager_id: int, brand_id: int) -> BrandReport:
    """What /rental_report shows a brand manager (`NotBrandManager` for anyone else)."""
    month = previous_month(rentals.clock.now(), rentals.settings.timezone)
    async with rentals.read() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
        months = [one for one in await uow.rental_closes.of_brand(brand_id) if one.summary is not None]
        closable = None if await uow.rental_closes.get(brand_id, month) is not None else month
    return BrandReport(brand_id, months, closable)


async def close_month_by(rentals: Rentals, manager_id: int, brand_id: int, month: str) -> CloseResult:
    """A brand manager closes a month from the chat, as the command line does."""
    async with rentals.read() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
    return await close_month(rentals, brand_id, month)


async def lines_for(rentals: Rentals, manager_id: int, brand_id: int, month: str) -> list[CloseLine]:
    async with rentals.read() as uow:
        await require_brand_manager(uow, manager_id, brand_id)
    return await close_lines(rentals, brand_id, month)
