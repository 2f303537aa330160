"""Ending a contract: the early-termination quote, and what the end of the term does by the plan.

The quote is the same for the customer (from /rentals) and the brand (from /contracts): the plan version's own
formula (`plans.termination_cost`) after the months that have begun, plus the months of rent already overdue
and the late interest owed, which ending early settles too. It holds until the end of the day it was made on
(in the brand's zone): the confirm carries the day and the total it showed, and both are asked again.

At the end of the term the plan decides: ownership passes (the contract is `owned`, the unit leaves the fleet),
the unit is returned (`ending` with `TERM_END`), or the contract rolls on month to month (`month_to_month`):
billed on, month by month, until the customer gives a month's notice or returns the unit (then `ending`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from subscriptions.billing_calendar import MONTHLY, BillingCalendar, require_aware, zone
from subscriptions.money import Money
from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason, ending, schedule_of
from subscriptions.rentals.errors import ContractNotActive, QuoteStale, TermNotOver
from subscriptions.rentals.late import ScheduledInstalment, interest_owed, overdue
from subscriptions.rentals.plans import EndOfTerm, TerminationCost, termination_cost

END_OF_TERM_NOTICE = timedelta(days=30)  # the reminder before the term ends, and month-to-month's notice


@dataclass(frozen=True, slots=True)
class TermEnd:
    """When an installed contract's term ends, and when the end-of-term sweep next acts on it: at the end, or
    for a month-to-month plan at the start of each last billed month (to bill one more, or not after notice)."""

    contract_id: str
    brand_id: int
    ends_at: datetime
    act_at: datetime
    done: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    contract_id: str
    cost: TerminationCost  # by the plan's formula
    overdue_rent: Money  # months already due and unpaid
    interest: Money  # late interest owed
    day: str  # "2026-11-25": valid through this day in the brand's zone
    valid_until: datetime

    @property
    def total(self) -> Money:
        return self.cost.total + self.overdue_rent + self.interest


def months_begun(contract: Contract, now: datetime) -> int:
    """Months of rent whose due moment has come (the first month at signing): the formula's month."""
    return sum(1 for due in schedule_of(contract) if due.due_at <= require_aware(now))


def quote(contract: Contract, instalments: Sequence[ScheduledInstalment], now: datetime) -> Quote:
    """What ending `contract` at `now` costs, valid to the end of the day."""
    if not contract.is_billed:
        raise ContractNotActive(contract.status.value)
    currency = contract.terms.currency
    late = overdue(instalments, now)
    overdue_rent = Money(sum(each.amount.amount_minor for each in late), currency)
    local = require_aware(now).astimezone(zone(contract.timezone))
    end_of_day = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
    return Quote(contract.id, termination_cost(contract.terms, months_begun(contract, now)), overdue_rent,
                 interest_owed(instalments, now, currency), local.date().isoformat(), end_of_day)


def check_confirm(current: Quote, day: str, total_minor: int) -> Quote:
    """The quote as confirmed: the day and total the button carried must be today's quote, else `QuoteStale`."""
    if day != current.day or total_minor != current.total.amount_minor:
        raise QuoteStale(current.contract_id)
    return current


def terminated_early(contract: Contract, at: datetime) -> Contract:
    return ending(contract, EndReason.EARLY_TERMINATION, at)


def month_boundary(contract: Contract, months: int) -> datetime:
    """Where month `months` of the rent ends (0: the installation), on the rent's calendar."""
    return BillingCalendar(contract.anchor, contract.timezone, MONTHLY).boundary(months)


def term_end(contract: Contract) -> datetime:
    """When the last month of the term ends."""
    return month_boundary(contract, contract.terms.term_months)


def first_act(contract: Contract) -> datetime:
    """When the end-of-term sweep first looks at the contract: the end of the term, or for a month-to-month
    plan the start of the term's last month (to bill the month after it)."""
    if contract.terms.end_of_term is EndOfTerm.MONTH_TO_MONTH:
        return month_boundary(contract, contract.terms.term_months - 1)
    return term_end(contract)


def at_term_end(contract: Contract, now: datetime) -> Contract:
    """The end of the term, by the plan: owned, ending for the return, or rolling on month to month."""
    if contract.status is not ContractStatus.ACTIVE or contract.installed_at is None:
        raise ContractNotActive(contract.status.value)
    ends = term_end(contract)
    if require_aware(now) < ends:
        raise TermNotOver(contract.id)
    rule = contract.terms.end_of_term
    if rule is EndOfTerm.OWNERSHIP_PASSES:
        return replace(contract, status=ContractStatus.OWNED, ended_at=ends, version=contract.version + 1)
    if rule is EndOfTerm.RETURN:
        return ending(contract, EndReason.TERM_END, ends)
    return replace(contract, status=ContractStatus.MONTH_TO_MONTH, version=contract.version + 1)

