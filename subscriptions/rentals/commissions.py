"""Sales commissions: what the brand owes whoever brought the customer (a sales agent, a shop, a curator).

A commission is recorded at the contract's start (by a brand manager, a referral, the demo) and capitalised
when the rent starts: Dr brand asset:commission / Cr brand payable:agent:<agent>. It is amortised over the
contract's term, month 1 being the calendar month of the installation in the brand's zone, with
`accounting.spread_share`; the month-end close books each month's share (Dr expense:commission / Cr
asset:commission). Nothing is amortised from the month the contract ended on: its ending settles the rest.
Ending early (the customer's termination, or three missed months) inside the clawback window takes the
unamortised part back from the agent (Dr payable:agent / Cr asset:commission), in proportion to the months
left; outside it, or at the end of the term, the unamortised part is expensed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from subscriptions.billing_calendar import require_aware
from subscriptions.ledger import JournalTransaction, Posting
from subscriptions.money import Money
from subscriptions.rentals.accounting import (
    brand_account,
    month_key,
    parse_month,
    spread_share,
    spread_through,
)
from subscriptions.rentals.contracts import Contract, EndReason
from subscriptions.rentals.errors import InvalidCommission

DEFAULT_CLAWBACK_MONTHS = 24  # a brand setting (RentalSettings.commission_clawback_months)
AGENT = re.compile(r"^(agent|shop|curator):[A-Za-z0-9_.-]{1,40}$")


class Settlement(StrEnum):
    CLAWED_BACK = "clawed_back"
    EXPENSED = "expensed"


@dataclass(frozen=True, slots=True)
class Commission:
    contract_id: str
    brand_id: int
    agent: str  # "agent:kim", "shop:12", "curator:710001"
    amount: Money
    term_months: int
    timezone: str
    clawback_months: int
    recorded_at: datetime
    recorded_by: int | None = None  # the manager; None for a referral or the demo
    started_at: datetime | None = None  # the installation: capitalised, amortised from its month
    ended_at: datetime | None = None
    settlement: Settlement | None = None
    settled: Money | None = None  # what the ending clawed back or expensed


def check_agent(agent: str) -> str:
    """"agent:kim", "shop:12" or "curator:710001" as given, or `InvalidCommission`."""
    agent = agent.strip()
    if not AGENT.match(agent):
        raise InvalidCommission(agent)
    return agent


def commission_for(contract: Contract, agent: str, amount: Money, clawback_months: int, now: datetime,
                   recorded_by: int | None) -> Commission:
    if amount.currency != contract.terms.currency or not amount.is_positive or clawback_months < 0:
        raise InvalidCommission(str(amount))
    return Commission(contract.id, contract.brand_id, check_agent(agent), amount, contract.terms.term_months,
                      contract.timezone, clawback_months, require_aware(now), recorded_by)


def month_index(commission: Commission, month: str) -> int:
    """1 for the installation's calendar month, 2 for the next...; 0 or less before it (or not started)."""
    if commission.started_at is None:
        return 0
    start_year, start_month = parse_month(month_key(commission.started_at, commission.timezone))
    year, number = parse_month(month)
    return (year - start_year) * 12 + (number - start_month) + 1


def _ended_index(commission: Commission) -> int | None:
    if commission.ended_at is None:
        return None
    return month_index(commission, month_key(commission.ended_at, commission.timezone))


def amortisation_in_month(commission: Commission, month: str, timezone: str) -> Money:
    """The share of `month` ("2026-11"): nothing before the installation's month, after the term, or from the
    month the contract ended on."""
    started = replace(commission, timezone=timezone)
    index = month_index(started, month)
    ended = _ended_index(started)
    if ended is not None and index >= ended:
        return Money.zero(commission.amount.currency)
    return spread_share(commission.amount, commission.term_months, index)


def unamortised_at_end(commission: Commission, ended_at: datetime) -> Money:
    """What is left when the contract ends at `ended_at`: the months before its month were amortised."""
    ended = month_index(commission, month_key(ended_at, commission.timezone))
    return commission.amount - spread_through(commission.amount, commission.term_months, ended - 1)


def capitalised(transaction_id: str, commission: Commission, at: datetime) -> JournalTransaction:
    brand = commission.brand_id
    return JournalTransaction(transaction_id, at, "commission", commission.contract_id,
                              f"Sales commission {commission.contract_id}",
                              (Posting(brand_account(brand, "asset:commission"), commission.amount),
                               Posting(brand_account(brand, f"payable:{commission.agent}"), -commission.amount)))


def started(commission: Commission, installed_at: datetime) -> Commission:
    return replace(commission, started_at=require_aware(installed_at))


def settle_on_ending(commission: Commission, reason: EndReason | None, ended_at: datetime
                     ) -> tuple[Commission, Settlement, Money]:
    """The commission at the contract's ending: clawed back inside the window on an early end, else expensed."""
    left = unamortised_at_end(commission, ended_at)
    early = reason in (EndReason.EARLY_TERMINATION, EndReason.NON_PAYMENT)
    assert commission.started_at is not None
    inside = early and month_index(commission, month_key(ended_at, commission.timezone)) <= commission.clawback_months
    how = Settlement.CLAWED_BACK if inside else Settlement.EXPENSED
    return replace(commission, ended_at=require_aware(ended_at), settlement=how, settled=left), how, left


def settlement_entry(transaction_id: str, commission: Commission, how: Settlement, left: Money,
                     at: datetime) -> JournalTransaction | None:
    """The ending's entry (None when nothing was left to settle)."""
    if not left.is_positive:
        return None
    brand = commission.brand_id
    debit = f"payable:{commission.agent}" if how is Settlement.CLAWED_BACK else "expense:commission"
    kind = "comm_clawback" if how is Settlement.CLAWED_BACK else "comm_expensed"  # the ledger's 16 characters
    return JournalTransaction(transaction_id, at, kind, commission.contract_id,
                              f"Sales commission {how.value.replace('_', ' ')} {commission.contract_id}",
                              (Posting(brand_account(brand, debit), left),
                               Posting(brand_account(brand, "asset:commission"), -left)))
