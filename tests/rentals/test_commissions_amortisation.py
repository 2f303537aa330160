"""Commissions as plain rules: amortised from the installation's month over the term, adding up to the whole;
nothing from the month the contract ended on; clawed back in proportion inside the window, expensed outside."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.ledger import Posting
from subscriptions.rentals.commissions import (
    Settlement,
    amortisation_in_month,
    capitalised,
    commission_for,
    settle_on_ending,
    settlement_entry,
    started,
)
from subscriptions.rentals.contracts import EndReason
from subscriptions.rentals.errors import InvalidCommission
from tests.rentals.money_samples import INSTALLED, SIGNED, contract, won

TZ = "Asia/Seoul"


def _commission(amount: int = 120_000, clawback: int = 24):  # type: ignore[no-untyped-def]
    recorded = commission_for(contract(), "agent:kim", won(amount), clawback, SIGNED, 700_001)
    return started(recorded, INSTALLED)


def _months(count: int, first: str = "2026-11") -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def test_month_one_is_the_installations_month_and_the_term_adds_up() -> None:
    commission = _commission()
    shares = [amortisation_in_month(commission, month, TZ) for month in _months(38, "2026-10")]
    assert shares[0] == won(0)  # October: before the installation
    assert shares[1] == won(3_333)  # November 2026 is month 1: 120,000 / 36 rounded down
    assert sum(share.amount_minor for share in shares) == 120_000
    assert shares[-1] == won(0)  # after the 36th month


@given(amount=st.integers(1, 50_000_000), months=st.integers(1, 72))
def test_any_commission_amortises_to_the_won(amount: int, months: int) -> None:
    commission = replace(_commission(amount), term_months=months)
    total = sum(amortisation_in_month(commission, month, TZ).amount_minor for month in _months(months + 2))
    assert total == amount


def test_nothing_is_amortised_from_the_month_the_contract_ended() -> None:
    ended_at = datetime(2028, 1, 20, 3, tzinfo=UTC)  # January 2028 is month 15
    settled, _, left = settle_on_ending(_commission(), EndReason.EARLY_TERMINATION, ended_at)
    shares = [amortisation_in_month(settled, month, TZ).amount_minor for month in _months(36)]
    assert shares[13] > 0 and shares[14:] == [0] * 22
    assert sum(shares) + left.amount_minor == 120_000  # the ending settles exactly the rest


def test_an_early_end_inside_the_window_claws_back_in_proportion() -> None:
    ended_at = datetime(2028, 1, 20, 3, tzinfo=UTC)  # month 15: 14 months amortised, 22 left
    settled, how, left = settle_on_ending(_commission(), EndReason.EARLY_TERMINATION, ended_at)
    assert how is Settlement.CLAWED_BACK and left == won(120_000 - 120_000 * 14 // 36) == won(73_334)
    entry = settlement_entry("t1", settled, how, left, ended_at)
    assert entry is not None and entry.postings == (Posting("brand:7:payable:agent:kim", won(73_334)),
                                                    Posting("brand:7:asset:commission", won(-73_334)))


def test_outside_the_window_or_at_the_terms_end_the_rest_is_expensed() -> None:
    ended_at = datetime(2028, 1, 20, 3, tzinfo=UTC)
    _, how, _ = settle_on_ending(_commission(clawback=12), EndReason.EARLY_TERMINATION, ended_at)
    assert how is Settlement.EXPENSED
    settled, how, left = settle_on_ending(_commission(), EndReason.TERM_END, ended_at)
    entry = settlement_entry("t2", settled, how, left, ended_at)
    assert how is Settlement.EXPENSED and entry is not None
    assert entry.postings[0] == Posting("brand:7:expense:commission", left)


def test_capitalising_books_the_asset_against_the_agent() -> None:
    entry = capitalised("t0", _commission(), INSTALLED)
    assert entry.postings == (Posting("brand:7:asset:commission", won(120_000)),
                              Posting("brand:7:payable:agent:kim", won(-120_000)))


@pytest.mark.parametrize("agent", ["kim", "agent:", "boss:kim", "agent:k i m", "agent:" + "x" * 41])
def test_an_agent_is_named_agent_shop_or_curator(agent: str) -> None:
    with pytest.raises(InvalidCommission):
        commission_for(contract(), agent, won(1_000), 24, SIGNED, None)


@pytest.mark.parametrize("amount", [0, -5])
def test_a_commission_is_positive(amount: int) -> None:
    with pytest.raises(InvalidCommission):
        commission_for(contract(), "shop:12", won(amount), 24, SIGNED, None)
