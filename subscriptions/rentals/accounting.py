"""The brand's books for its rentals: the accounts the back office posts to, and the few formulas every part of it
shares, so that a unit's depreciation, a commission's amortisation, the late interest on a missed month and
the month-end close that books them all agree to the won.

Accounts are the ledger's plain strings, one set per brand (positive = debit, as everywhere in the ledger):

    brand:<id>:receivable:rent          rent earned and not yet paid
    brand:<id>:revenue:rent             rent earned (booked at the close, in the month its rent month starts)
    brand:<id>:receivable:interest      late interest accrued on overdue rent
    brand:<id>:revenue:interest         the same, as income
    brand:<id>:asset:fleet              the units at cost
    brand:<id>:asset:depreciation       accumulated depreciation (a contra asset: credits)
    brand:<id>:expense:depreciation     the month's depreciation
    brand:<id>:asset:commission         sales commissions capitalised at the contract's start
    brand:<id>:expense:commission       their amortisation over the contract's term
    brand:<id>:payable:agent:<agent>    what the brand owes a sales agent (debited by a clawback)
    brand:<id>:expense:visit_credit     a missed visit credited to the customer
    brand:<id>:payable:customer:<id>    credit owed to a customer, taken off their next payment

Rounding never drifts: a sum spread over N months gives month k the difference of two floors of the
cumulative share, so the N months add up to the sum exactly, whatever N is."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from subscriptions.billing_calendar import zone
from subscriptions.money import Money
from subscriptions.rentals.errors import InvalidMonth

LATE_INTEREST_BASIS_POINTS = 600  # 6% a year, the ceiling for late interest on rent
BASIS_POINTS = 10_000
DAYS_A_YEAR = 365


def brand_account(brand_id: int, name: str) -> str:
    """`brand_account(7, "revenue:rent")` -> "brand:7:revenue:rent"."""
    return f"brand:{brand_id}:{name}"


def spread_share(amount: Money, months: int, month: int) -> Money:
    """Month `month` (1..months) of `amount` spread evenly over `months` months; 0 outside them.

    Straight-line depreciation (cost less residual over the useful life) and a commission's amortisation
    over the term both use it, so that their months always add up to the whole."""
    if months <= 0 or not 1 <= month <= months:
        return Money.zero(amount.currency)
    return Money(_cumulative(amount.amount_minor, months, month) - _cumulative(amount.amount_minor, months, month - 1),
                 amount.currency)


def spread_through(amount: Money, months: int, month: int) -> Money:
    """What months 1..`month` of the spread add up to (the accumulated depreciation, the amortised part)."""
    clamped = max(0, min(month, months)) if months > 0 else 0
    return Money(_cumulative(amount.amount_minor, months, clamped) if months > 0 else 0, amount.currency)


def _cumulative(minor: int, months: int, month: int) -> int:
    return minor * month // months


def late_interest(amount: Money, days: int) -> Money:
    """Simple interest at 6% a year on `amount` for `days` days, rounded down to the won: never compounded,
    so the interest of a longer delay is always this formula over the whole delay, never interest on
    interest. A month's share is `late_interest(amount, days to its end) - late_interest(amount, days to the
    start)`, which adds up over the months to the interest of the whole delay."""
    days = max(0, days)
    minor = amount.amount_minor * LATE_INTEREST_BASIS_POINTS * days // (BASIS_POINTS * DAYS_A_YEAR)
    return Money(minor, amount.currency)


def month_key(moment: datetime, timezone: str) -> str:
    """"2026-11": the calendar month `moment` falls in, in the brand's zone."""
    local = moment.astimezone(zone(timezone))
    return f"{local.year:04d}-{local.month:02d}"


@lru_cache(maxsize=1024)  # the close asks for the same few months for every subject it books
def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """The first instant of `month` ("2026-11") and of the month after it, in the brand's zone."""
    year, number = parse_month(month)
    start = datetime(year, number, 1, tzinfo=zone(timezone))
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone(timezone))
    return start, end


@lru_cache(maxsize=1024)
def parse_month(month: str) -> tuple[int, int]:
    """(2026, 11) for "2026-11", or `InvalidMonth`."""
    parts = month.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
        raise InvalidMonth(month)
    year, number = int(parts[0]), int(parts[1])
    if not 1 <= number <= 12 or year < 2000:
        raise InvalidMonth(month)
    return year, number
