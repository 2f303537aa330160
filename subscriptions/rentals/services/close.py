"""Closing a brand's month: every contract, unit, commission, overdue instalment and missed visit of the brand read
in pages, each page's lines written as it goes, their sums booked as one transaction per kind at the end, all
in one database transaction. A close that dies half-way leaves nothing behind; a second close of the month
finds the month claimed and changes nothing. Memory stays flat: a page at a time, and running sums."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from subscriptions.rentals import Rentals
from subscriptions.rentals.accounting import month_bounds, month_key
from subscriptions.rentals.close import (
    AGING_BUCKETS,
    ClosedMonth,
    CloseLine,
    CloseResult,
    CloseSummary,
    CloseTotals,
    check_month_over,
    close_transactions,
    ended_early_in,
    rent_lines,
)
from subscriptions.rentals.errors import InvalidPlanTerms
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import require_brand_manager

PAGE = 2_000
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
