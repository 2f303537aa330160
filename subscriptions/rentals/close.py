"""The month-end close: what a brand's rentals earned and cost in one calendar month, as lines and as the
ledger transactions that book them.

Each line is one subject's share of the month: a contract's rent (and its registration fee in its first
month), a unit's depreciation, a commission's amortisation, an overdue instalment's late interest, a missed
visit's credit. The close adds the lines up by kind and books one balanced transaction per kind, with ids
made of the brand, the month and the kind, so the month is booked once whatever runs it.

When rent is earned. The rent is billed in months anchored on the installation day, so every calendar month
from the installation's on holds the start of exactly one rent month. Rent month k is earned in the calendar
month its period starts in, if the contract was in force at that start: installed by then and not ended
before it. Months past the term are earned only by a contract that rolled on month to month. A contract
canceled within its cooling-off period earned nothing: everything it paid was refunded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing_calendar import MONTHLY, BillingCalendar
from subscriptions.ledger import JournalTransaction, Posting
from subscriptions.money import Money
from subscriptions.rentals.accounting import brand_account, month_bounds, month_key, parse_month
from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason
from subscriptions.rentals.errors import MonthNotOver

CLOSE_TRANSACTION_KIND = "rental_close"


class CloseKind(StrEnum):
    RENT = "rent"
    REGISTRATION = "registration"
    DEPRECIATION = "depreciation"
    AMORTISATION = "amortisation"
    INTEREST = "interest"
    VISIT_CREDIT = "visit_credit"


# Where each kind is booked: (the account debited, the account credited), under the brand's books.
BOOKED_TO: dict[CloseKind, tuple[str, str]] = {
    CloseKind.RENT: ("receivable:rent", "revenue:rent"),
    CloseKind.REGISTRATION: ("receivable:rent", "revenue:registration"),
    CloseKind.DEPRECIATION: ("expense:depreciation", "asset:depreciation"),
    CloseKind.AMORTISATION: ("expense:commission", "asset:commission"),
    CloseKind.INTEREST: ("receivable:interest", "revenue:interest"),
    CloseKind.VISIT_CREDIT: ("expense:visit_credit", "payable:customer"),  # one payable per customer
}
REVENUE_KINDS = (CloseKind.RENT, CloseKind.REGISTRATION, CloseKind.INTEREST)


@dataclass(frozen=True, slots=True)
class CloseLine:
    kind: CloseKind
    subject: str  # a contract, a unit, "<contract>:<instalment>", a visit
    amount: Money
    party: str = ""  # the customer a visit credit is owed to


def months_apart(earlier: str, later: str) -> int:
    """How many calendar months `later` ("2026-11") comes after `earlier` (0 for the same month)."""
    (y1, m1), (y2, m2) = parse_month(earlier), parse_month(later)
    return (y2 - y1) * 12 + (m2 - m1)


def rent_lines(contract: Contract, month: str, timezone: str) -> list[CloseLine]:
    """The contract's rent earned in `month` (and its registration fee, in its first month)."""
    if contract.installed_at is None or contract.status is ContractStatus.CANCELED_COOLING_OFF:
        return []
    number = months_apart(month_key(contract.installed_at, timezone), month) + 1
    if number < 1 or not _in_force(contract, number):
        return []
    lines = [CloseLine(CloseKind.RENT, contract.id, contract.terms.monthly_fee)]
    if number == 1 and contract.terms.registration_fee.is_positive:
        lines.append(CloseLine(CloseKind.REGISTRATION, contract.id, contract.terms.registration_fee))
    return lines


def _in_force(contract: Contract, number: int) -> bool:
    calendar = BillingCalendar(contract.anchor, contract.timezone, MONTHLY)
    starts = calendar.boundary(number - 1)
    if contract.ended_at is not None and contract.ended_at <= starts:
        return False
    if number <= contract.terms.term_months:
        return True
    rolled_on = contract.status is ContractStatus.MONTH_TO_MONTH
    ended_after_term = contract.ended_at is not None and contract.ended_at > calendar.boundary(
        contract.terms.term_months)
    return rolled_on or ended_after_term


def ended_early_in(contract: Contract, start: datetime, end: datetime) -> bool:
    return (contract.end_reason is EndReason.EARLY_TERMINATION and contract.ended_at is not None
            and start <= contract.ended_at < end)


@dataclass(slots=True)
class CloseTotals:
    """What the lines of a close add up to, kept as the close streams its pages (its memory does not grow
    with the number of contracts: only visit credits keep one sum per customer credited)."""

    currency: str
    by_kind: dict[CloseKind, int] = field(default_factory=lambda: defaultdict(int))
    credits_by_customer: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lines: int = 0

    def add(self, lines: Iterable[CloseLine]) -> None:
        for line in lines:
            if line.amount.currency != self.currency:
                raise ValueError(f"a {line.amount.currency} line in a {self.currency} close")
            self.by_kind[line.kind] += line.amount.amount_minor
            if line.kind is CloseKind.VISIT_CREDIT:
                self.credits_by_customer[line.party] += line.amount.amount_minor
            self.lines += 1

    def total(self, kind: CloseKind) -> Money:
        return Money(self.by_kind.get(kind, 0), self.currency)

    @property
    def revenue(self) -> Money:
        return Money(sum(self.by_kind.get(kind, 0) for kind in REVENUE_KINDS), self.currency)


def booking_moment(month: str, timezone: str) -> datetime:
    """The last second of the month: where its close sits in the journal."""
    return month_bounds(month, timezone)[1] - timedelta(seconds=1)


def close_transactions(brand_id: int, month: str, timezone: str, totals: CloseTotals) -> list[JournalTransaction]:
    """One transaction per kind that booked anything, with the month's id (booking twice is impossible)."""
    at = booking_moment(month, timezone)
    booked = []
    for kind, (debit, credit) in BOOKED_TO.items():
        amount = totals.total(kind)
        if not amount.is_positive:
            continue
        if kind is CloseKind.VISIT_CREDIT:
            credits = [Posting(brand_account(brand_id, f"{credit}:{customer}"), -Money(minor, totals.currency))
                       for customer, minor in sorted(totals.credits_by_customer.items()) if minor]
        else:
            credits = [Posting(brand_account(brand_id, credit), -amount)]
        postings = (Posting(brand_account(brand_id, debit), amount), *credits)
        booked.append(JournalTransaction(close_transaction_id(brand_id, month, kind), at, CLOSE_TRANSACTION_KIND,
                                         f"close:{brand_id}:{month}", f"Month-end close {month}: {kind.value}",
                                         postings))
    return booked


def close_transaction_id(brand_id: int, month: str, kind: CloseKind) -> str:
    return f"close-{brand_id}-{month}-{kind.value}"[:40]


def check_month_over(month: str, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """The month's bounds, if it has ended; a month still running cannot be closed (`MonthNotOver`)."""
    start, end = month_bounds(month, timezone)
    if now < end:
        raise MonthNotOver(month)
    return start, end


# --- overdue aging ----------------------------------------------------------------------------------------------

AGING_BUCKETS = (30, 60, 90)  # up to 30 days overdue, 31-60, 61-90, over 90


def aging_bucket(due_at: datetime, at: datetime) -> int:
    """The index of the bucket an instalment overdue since `due_at` falls in at `at` (0..3)."""
    days = (at - due_at).days
    for index, limit in enumerate(AGING_BUCKETS):
        if days <= limit:
            return index
    return len(AGING_BUCKETS)


# --- what a closed month keeps ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CloseSummary:
    """The figures of a closed month the report shows (amounts in minor units of `currency`)."""

    currency: str
    booked: dict[str, int]  # per `CloseKind` value
    fleet_cost: int = 0
    book_value: int = 0  # of the units in the fleet at the month's end
    units: int = 0  # in the fleet at the month's end
    installed: int = 0
    contracts_in_force: int = 0
    early_terminations: int = 0
    aging_amounts: tuple[int, int, int, int] = (0, 0, 0, 0)  # overdue at the month's end, by `AGING_BUCKETS`
    aging_counts: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def revenue(self) -> int:
        return sum(self.booked.get(kind.value, 0) for kind in REVENUE_KINDS)

    @property
    def utilisation(self) -> float:
        """Installed units over the units in the fleet (0 for an empty fleet)."""
        return self.installed / self.units if self.units else 0.0


@dataclass(frozen=True, slots=True)
class ClosedMonth:
    brand_id: int
    month: str
    closed_at: datetime
    lines: int
    summary: CloseSummary | None  # None while the close that claimed the month is still running


@dataclass(frozen=True, slots=True)
class CloseResult:
    closed: ClosedMonth
    already_closed: bool  # this run found the month closed and changed nothing
