"""The shared formulas of the brand's books: spreads that add up, simple late interest, months in a zone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.money import Money
from subscriptions.rentals.accounting import (
    late_interest,
    month_bounds,
    month_key,
    spread_share,
    spread_through,
)
from subscriptions.rentals.errors import InvalidMonth


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=1, max_value=120))
def test_a_spread_adds_up_to_the_whole_and_its_running_total(minor: int, months: int) -> None:
    amount = Money(minor, "KRW")
    shares = [spread_share(amount, months, month).amount_minor for month in range(1, months + 1)]
    assert sum(shares) == minor
    assert max(shares) - min(shares) <= 1
    assert spread_through(amount, months, months // 2).amount_minor == sum(shares[: months // 2])


def test_a_spread_is_nothing_outside_its_months() -> None:
    amount = Money(1_000_000, "KRW")
    assert spread_share(amount, 36, 0) == Money(0, "KRW")
    assert spread_share(amount, 36, 37) == Money(0, "KRW")
    assert spread_through(amount, 36, 99) == amount


def test_late_interest_is_six_percent_a_year_by_day_rounded_down() -> None:
    rent = Money(29_900, "KRW")
    assert late_interest(rent, 365) == Money(1_794, "KRW")
    assert late_interest(rent, 30) == Money(147, "KRW")  # 29,900 x 0.06 x 30 / 365 = 147.45
    assert late_interest(rent, -3) == Money(0, "KRW")


@given(st.integers(min_value=1, max_value=10**8), st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_monthly_shares_of_interest_add_up_to_the_whole_delay(minor: int, month_lengths: list[int]) -> None:
    amount, elapsed, booked = Money(minor, "KRW"), 0, 0
    for days in month_lengths:
        booked += (late_interest(amount, elapsed + days) - late_interest(amount, elapsed)).amount_minor
        elapsed += days
    assert booked == late_interest(amount, elapsed).amount_minor


def test_a_month_is_read_in_the_brands_zone() -> None:
    start, end = month_bounds("2026-12", "Asia/Seoul")
    assert start.isoformat() == "2026-12-01T00:00:00+09:00"
    assert end.isoformat() == "2027-01-01T00:00:00+09:00"
    assert month_key(start - timedelta(seconds=1), "Asia/Seoul") == "2026-11"
    assert month_key(datetime.fromisoformat("2026-11-30T16:00:00+00:00"), "Asia/Seoul") == "2026-12"


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "2026/11", "", "november", "2026-00"])
def test_a_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(InvalidMonth):
        month_bounds(month, "Asia/Seoul")
