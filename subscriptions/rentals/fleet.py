"""The fleet: a unit's life after it joined the stock, its cost and what it is worth on a day.

A unit goes in_stock -> reserved -> installed (under a contract) -> pickup_booked -> returned -> inspected ->
refurbished -> in_stock again, or leaves the fleet: written_off (from stock or after an inspection) or sold
(ownership passes at the end of a term). Any other move is `IllegalUnitMove`. Every move is written to the
unit's location history (`UnitMove`).

Depreciation is straight-line by calendar month in the brand's zone: month 1 is the month the unit was
acquired, and cost less residual is spread over the useful life with `accounting.spread_share`, so the months
add up to it exactly. From the month a unit leaves the fleet on it depreciates nothing; leaving books what
was left of its value at that moment in one ledger transaction (`left_fleet`). Buying units books them at
cost against the supplier (`units_bought`). A unit bought before costs were kept has none and depreciates
nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.ledger import JournalTransaction, Posting
from subscriptions.money import Money
from subscriptions.rentals.accounting import (
    brand_account,
    month_key,
    parse_month,
    spread_share,
    spread_through,
)
from subscriptions.rentals.errors import IllegalUnitMove
from subscriptions.rentals.stock import Unit, UnitStatus

DEFAULT_USEFUL_LIFE_MONTHS = 60  # a unit whose import names no life: five years, the longest plan's term
DEFAULT_RESIDUAL_BASIS_POINTS = 1_000  # and no residual: 10% of its cost
BASIS_POINTS = 10_000

S = UnitStatus
MOVES: dict[UnitStatus, frozenset[UnitStatus]] = {
    S.IN_STOCK: frozenset({S.RESERVED, S.WRITTEN_OFF}),
    S.RESERVED: frozenset({S.INSTALLED, S.IN_STOCK}),
    S.INSTALLED: frozenset({S.PICKUP_BOOKED, S.IN_STOCK, S.SOLD}),  # in stock: canceled in the cooling-off
    S.PICKUP_BOOKED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.REFURBISHED, S.WRITTEN_OFF}),
    S.REFURBISHED: frozenset({S.IN_STOCK}),
    S.WRITTEN_OFF: frozenset(),
    S.SOLD: frozenset(),
}
GONE = frozenset({S.WRITTEN_OFF, S.SOLD})


@dataclass(frozen=True, slots=True)
class UnitMove:
    """One line of a unit's location history: where it went, when, in what status, under which contract."""

    unit_id: str
    at: datetime
    status: UnitStatus
    region: str
    place: str = ""  # "warehouse", "customer", "workshop"... as the brand's people say it
    contract_id: str | None = None
    note: str = ""


PLACES = {S.IN_STOCK: "warehouse", S.RESERVED: "warehouse", S.INSTALLED: "customer", S.PICKUP_BOOKED: "customer",
          S.RETURNED: "workshop", S.INSPECTED: "workshop", S.REFURBISHED: "workshop", S.WRITTEN_OFF: "",
          S.SOLD: "customer"}


def can_move(status: UnitStatus, to: UnitStatus) -> bool:
    return to in MOVES[status]


def moved(unit: Unit, to: UnitStatus, at: datetime, *, contract_id: str | None = None) -> Unit:
    """The unit in its next status, or `IllegalUnitMove` (a return of a unit not installed, a sold unit
    restocked...). Leaving the fleet stamps `left_at`."""
    if not can_move(unit.status, to):
        raise IllegalUnitMove(f"{unit.id}: {unit.status.value} -> {to.value}")
    at = require_aware(at)
    keeps_contract = to in (S.INSTALLED, S.PICKUP_BOOKED, S.RETURNED, S.INSPECTED, S.SOLD)
    return replace(unit, status=to, updated_at=at, contract_id=(contract_id or unit.contract_id) if keeps_contract
                   else None, application_id=unit.application_id if to is not S.IN_STOCK else None,
                   left_at=at if to in GONE else unit.left_at)


def move_of(unit: Unit, note: str = "") -> UnitMove:
    """The history line for the unit as it is now."""
    return UnitMove(unit.id, unit.updated_at, unit.status, unit.region, PLACES[unit.status], unit.contract_id, note)


# --- cost and depreciation --------------------------------------------------------------------------------------

def depreciable(unit: Unit) -> Money | None:
    """Cost less residual: what the useful life spreads (None without a cost)."""
    if unit.acquisition_cost is None or unit.acquired_on is None or unit.useful_life_months <= 0:
        return None
    residual = unit.residual_value or Money.zero(unit.acquisition_cost.currency)
    return unit.acquisition_cost - residual


def month_number(unit: Unit, month: str) -> int:
    """1 for the month the unit was acquired, 2 for the next...; 0 or less before it."""
    assert unit.acquired_on is not None
    year, number = parse_month(month)
    return (year - unit.acquired_on.year) * 12 + number - unit.acquired_on.month + 1


def _months_ended(unit: Unit, at: datetime, timezone: str) -> int:
    """How many months of the unit's life ended at or before `at` (the month `at` falls in has not)."""
    return month_number(unit, month_key(require_aware(at), timezone)) - 1


def depreciation_in_month(unit: Unit, month: str, timezone: str) -> Money:
    """The unit's depreciation in `month` ("2026-11"): zero before it was acquired, after its life, without a
    cost, and from the month it left the fleet on."""
    spread = depreciable(unit)
    if spread is None:
        return Money.zero(unit.acquisition_cost.currency if unit.acquisition_cost else "KRW")
    if unit.left_at is not None and month >= month_key(unit.left_at, timezone):
        return Money.zero(spread.currency)
    return spread_share(spread, unit.useful_life_months, month_number(unit, month))


def accumulated_depreciation(unit: Unit, at: datetime, timezone: str) -> Money:
    """The depreciation of every month that ended at or before `at` (and before the unit left)."""
    spread = depreciable(unit)
    if spread is None:
        return Money.zero(unit.acquisition_cost.currency if unit.acquisition_cost else "KRW")
    ended = _months_ended(unit, at, timezone)
    if unit.left_at is not None:
        ended = min(ended, _months_ended(unit, unit.left_at, timezone))
    return spread_through(spread, unit.useful_life_months, ended)


def in_fleet_at(unit: Unit, at: datetime, timezone: str) -> bool:
    """Bought by `at` (its acquisition day begun, in the brand's zone) and not gone yet."""
    if unit.left_at is not None and require_aware(at) >= unit.left_at:
        return False
    return unit.acquired_on is None or require_aware(at).astimezone(zone(timezone)).date() >= unit.acquired_on


def book_value(unit: Unit, at: datetime, timezone: str) -> Money:
    """Cost less the depreciation of every month that ended at or before `at`; zero once the unit is gone (and
    for a unit without a cost)."""
    if unit.acquisition_cost is None:
        return Money.zero("KRW")
    if unit.left_at is not None and require_aware(at) >= unit.left_at:
        return Money.zero(unit.acquisition_cost.currency)
    if unit.acquired_on is not None and require_aware(at).astimezone(zone(timezone)).date() < unit.acquired_on:
        return Money.zero(unit.acquisition_cost.currency)  # not bought yet
    return unit.acquisition_cost - accumulated_depreciation(unit, at, timezone)


def default_residual(cost: Money) -> Money:
    return Money(cost.amount_minor * DEFAULT_RESIDUAL_BASIS_POINTS // BASIS_POINTS, cost.currency)


# --- the books ------------------------------------------------------------------------------------------------

def units_bought(transaction_id: str, brand_id: int, units: Iterable[Unit], at: datetime,
                 reference: str) -> JournalTransaction | None:
    """One import's units at cost: Dr asset:fleet, Cr payable:supplier (None when none had a cost)."""
    costs = [unit.acquisition_cost for unit in units if unit.acquisition_cost is not None]
    if not costs:
        return None
    total = sum(costs[1:], costs[0])
    postings = (Posting(brand_account(brand_id, "asset:fleet"), total),
                Posting(brand_account(brand_id, "payable:supplier"), -total))
    return JournalTransaction(transaction_id, at, "units_bought", reference, f"Units bought ({len(costs)})", postings)


def left_fleet(transaction_id: str, unit: Unit, timezone: str) -> JournalTransaction | None:
    """A unit written off or sold: what it was still worth goes to expense:write_off (or expense:units_sold),
    the depreciation accumulated comes off the contra asset, and the fleet loses it at cost. None without a
    cost."""
    cost, at = unit.acquisition_cost, unit.left_at
    if cost is None or at is None or unit.status not in GONE:
        return None
    accumulated = accumulated_depreciation(unit, at, timezone)
    expense = "expense:write_off" if unit.status is S.WRITTEN_OFF else "expense:units_sold"
    postings = [Posting(brand_account(unit.brand_id, expense), cost - accumulated),
                Posting(brand_account(unit.brand_id, "asset:depreciation"), accumulated),
                Posting(brand_account(unit.brand_id, "asset:fleet"), -cost)]
    kept = tuple(posting for posting in postings if posting.amount.amount_minor)
    if not kept:
        return None
    return JournalTransaction(transaction_id, at, f"unit_{unit.status.value}", unit.id,
                              f"Unit {unit.serial} {unit.status.value.replace('_', ' ')}", kept)


def acquired_today_or_before(acquired_on: date, now: datetime, timezone: str) -> bool:
    return acquired_on <= require_aware(now).astimezone(zone(timezone)).date()
