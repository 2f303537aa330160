"""The early-termination quote and the end of the term as plain rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from subscriptions.rentals.accounting import late_interest
from subscriptions.rentals.contracts import ContractStatus, EndReason
from subscriptions.rentals.errors import ContractNotActive, QuoteStale, TermNotOver
from subscriptions.rentals.late import days_late
from subscriptions.rentals.plans import EndOfTerm
from subscriptions.rentals.termination import at_term_end, check_confirm, first_act, quote, term_end
from tests.rentals.money_samples import INSTALLED, contract, schedule, won


def test_at_month_fourteen_the_quote_is_ten_percent_of_the_rent_left_and_the_removal_fee() -> None:
    rows = schedule(14)
    now = rows[13].due_at + timedelta(days=3)  # month 14 runs, all paid
    found = quote(contract(), rows, now)
    assert found.cost.month == 14 and found.cost.rent_left == won(29_900 * 22)
    assert found.cost.penalty == won(65_780) and found.cost.removal_fee == won(30_000)
    assert found.overdue_rent == won(0) and found.interest == won(0) and found.total == won(95_780)


def test_overdue_months_and_their_interest_are_in_the_quote() -> None:
    rows = schedule(12)  # months 13 and 14 unpaid
    now = rows[13].due_at + timedelta(days=5)
    found = quote(contract(), rows, now)
    interest = (late_interest(won(29_900), days_late(rows[12].due_at, now))
                + late_interest(won(29_900), days_late(rows[13].due_at, now)))
    assert found.overdue_rent == won(59_800) and found.interest == interest
    assert found.total == found.cost.total + won(59_800) + interest


def test_a_quote_holds_until_the_end_of_the_day_in_the_brands_zone() -> None:
    now = datetime(2028, 1, 20, 14, 59, tzinfo=UTC)  # 23:59 in Seoul
    found = quote(contract(), schedule(14), now)
    assert found.day == "2028-01-20" and found.valid_until == datetime(2028, 1, 20, 15, tzinfo=UTC)
    tomorrow = quote(contract(), schedule(14), now + timedelta(minutes=2))
    assert tomorrow.day == "2028-01-21"
    with pytest.raises(QuoteStale):
        check_confirm(tomorrow, found.day, found.total.amount_minor)
    with pytest.raises(QuoteStale):
        check_confirm(found, found.day, found.total.amount_minor - 1)
    assert check_confirm(found, found.day, found.total.amount_minor) is found


def test_no_quote_for_a_contract_that_no_longer_bills() -> None:
    with pytest.raises(ContractNotActive):
        quote(replace(contract(), status=ContractStatus.ENDING), schedule(3), INSTALLED + timedelta(days=70))


@pytest.mark.parametrize(("rule", "status", "reason"), [
    (EndOfTerm.OWNERSHIP_PASSES, ContractStatus.OWNED, None),
    (EndOfTerm.RETURN, ContractStatus.ENDING, EndReason.TERM_END),
    (EndOfTerm.MONTH_TO_MONTH, ContractStatus.MONTH_TO_MONTH, None),
])
def test_the_end_of_the_term_follows_the_plan(rule: EndOfTerm, status: ContractStatus,
                                              reason: EndReason | None) -> None:
    signed = contract(end_of_term=rule)
    ends = term_end(signed)
    assert ends == datetime(2029, 11, 27, 6, tzinfo=UTC)
    with pytest.raises(TermNotOver):
        at_term_end(signed, ends - timedelta(seconds=1))
    after = at_term_end(signed, ends)
    assert after.status is status and after.end_reason is reason


def test_a_month_to_month_plan_is_looked_at_when_its_last_month_begins() -> None:
    assert first_act(contract(end_of_term=EndOfTerm.MONTH_TO_MONTH)) == datetime(2029, 10, 27, 6, tzinfo=UTC)
    assert first_act(contract()) == term_end(contract())
