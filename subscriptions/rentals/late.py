"""A contract's schedule as it stands, and late payments.

Each instalment of `contracts.payment_schedule` is kept as a row (`ScheduledInstalment`) from the moment the
rent starts: number 1 is the first payment (registration and the first month, paid at signing), numbers 2 and
on are the terms of billing's rent subscription (term k is instalment k), marked paid when billing records
the payment of that term. An instalment is paid, due (its moment has not come) or overdue.

Late interest: 6% a year on an overdue month's rent, by whole days from its due moment to its payment (or to
now), never compounded (`accounting.late_interest` over the whole delay). How it is collected: it is owed on
the contract, shown in the schedule beside the instalment it grew on, booked month by month by the close
(`interest_in_month`, receivable:interest / revenue:interest), and paid with the payment that ends the
contract: the early-termination quote adds it as a line, and an ending for non-payment or at the end of the
term leaves it owed to the settlement of the deposit and charges. A month's rent itself is never made larger.

After `MISSED_MONTHS_TO_TERMINATE` instalments overdue at once the contract is provisionally terminated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing_calendar import require_aware
from subscriptions.money import Money
from subscriptions.rentals.accounting import late_interest
from subscriptions.rentals.contracts import Contract, InstalmentKind, schedule_of

MISSED_MONTHS_TO_TERMINATE = 3
DAY = timedelta(days=1)


class InstalmentState(StrEnum):
    PAID = "paid"
    DUE = "due"  # its moment has not come yet
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ScheduledInstalment:
    contract_id: str
    brand_id: int
    number: int  # 1 = the first payment; k = the rent subscription's term k
    kind: InstalmentKind
    due_at: datetime
    amount: Money
    paid_at: datetime | None = None

    def state(self, now: datetime) -> InstalmentState:
        if self.paid_at is not None:
            return InstalmentState.PAID
        return InstalmentState.OVERDUE if require_aware(now) >= self.due_at else InstalmentState.DUE

    def interest(self, now: datetime) -> Money:
        """The late interest this instalment carries at `now` (to its payment, if it was paid late)."""
        if self.kind is not InstalmentKind.RENT:
            return Money.zero(self.amount.currency)
        return late_interest(self.amount, days_late(self.due_at, self.paid_at or now))


@dataclass(frozen=True, slots=True)
class LateInstalment:
    """An instalment the month-end close looks at: due before the month's end, not paid by its start."""

    contract_id: str
    number: int
    amount: Money
    due_at: datetime
    paid_at: datetime | None


def instalments_of(contract: Contract, first_paid_at: datetime) -> list[ScheduledInstalment]:
    """The rows written when the rent starts: the first payment paid, the months of rent to come."""
    rows = [ScheduledInstalment(contract.id, contract.brand_id, due.number, due.kind, due.due_at, due.amount)
            for due in schedule_of(contract)]
    return [replace(rows[0], paid_at=require_aware(first_paid_at)), *rows[1:]]


def days_late(due_at: datetime, until: datetime) -> int:
    """Whole days from the due moment to `until` (a payment a few hours late owes nothing)."""
    return max(0, (require_aware(until) - require_aware(due_at)) // DAY)


def interest_in_month(amount: Money, due_at: datetime, paid_at: datetime | None, start: datetime,
                      end: datetime) -> Money:
    """The late interest accrued in [start, end): to min(end, paid_at) less to `start`, both from `due_at`,
    never negative. Over consecutive months it adds up to the interest of the whole delay."""
    stop = min(require_aware(end), require_aware(paid_at)) if paid_at is not None else require_aware(end)
    to_stop = late_interest(amount, days_late(due_at, stop))
    to_start = late_interest(amount, days_late(due_at, min(require_aware(start), stop)))
    accrued = to_stop - to_start
    return accrued if not accrued.is_negative else Money.zero(amount.currency)


def overdue(instalments: Iterable[ScheduledInstalment], now: datetime) -> list[ScheduledInstalment]:
    return [each for each in instalments if each.state(now) is InstalmentState.OVERDUE]


def missed_enough(instalments: Iterable[ScheduledInstalment], now: datetime) -> bool:
    """Three months of rent overdue at once: the contract is to be provisionally terminated."""
    return len(overdue(instalments, now)) >= MISSED_MONTHS_TO_TERMINATE


def interest_owed(instalments: Sequence[ScheduledInstalment], now: datetime, currency: str) -> Money:
    """All the late interest the contract carries at `now` (paid months' and overdue months' alike)."""
    owed = Money.zero(currency)
    for each in instalments:
        owed = owed + each.interest(now)
    return owed


def months_paid(instalments: Iterable[ScheduledInstalment]) -> int:
    """Months of rent paid (the first payment is the first month)."""
    return sum(1 for each in instalments if each.paid_at is not None)
