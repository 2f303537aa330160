"""Money: exact minor units, currency rules, Telegram amounts, allocation and display."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.errors import CurrencyMismatch, InvalidAllocation, InvalidAmount, UnknownCurrency
from subscriptions.money import Money, allocate, format_money, scale, total


def test_exponents_follow_telegrams_currency_table() -> None:
    assert Money.of("45000", "KRW").amount_minor == 45000
    assert Money.of("1500", "JPY").amount_minor == 1500
    assert Money.of("12.34", "USD").amount_minor == 1234
    assert Money.of("9.99", "EUR").amount_minor == 999
    assert Money.of(150, "XTR").amount_minor == 150


def test_more_decimals_than_the_currency_has_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidAmount):
        Money.of("45000.5", "KRW")
    with pytest.raises(InvalidAmount):
        Money.of("1.005", "USD")


def test_a_float_cannot_become_money() -> None:
    with pytest.raises(InvalidAmount):
        Money(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money(True, "KRW")  # type: ignore[arg-type]


def test_unknown_currency_is_a_named_error() -> None:
    with pytest.raises(UnknownCurrency):
        Money(100, "BTC")


def test_adding_won_to_dollars_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1000, "KRW") + Money(1000, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "XTR") < Money(1, "KRW")


def test_arithmetic_within_one_currency_is_exact() -> None:
    assert Money(45000, "KRW") - Money(2250, "KRW") == Money(42750, "KRW")
    assert Money(150, "XTR") * 3 == Money(450, "XTR")
    assert total([Money(1, "USD"), Money(2, "USD")], "USD") == Money(3, "USD")
    assert Money(1234, "USD").to_decimal() == Decimal("12.34")


def test_telegram_total_amount_is_read_as_minor_units() -> None:
    # Bot API: total_amount 145 means US$ 1.45; for KRW and XTR it is the whole amount.
    assert Money.from_telegram(145, "USD").to_decimal() == Decimal("1.45")
    assert Money.from_telegram(45000, "KRW") == Money(45000, "KRW")
    assert Money(150, "XTR").to_telegram() == 150
    with pytest.raises(InvalidAmount):
        Money.from_telegram(-1, "KRW")


@pytest.mark.parametrize(
    ("amount", "locale", "shown"),
    [
        (Money(45000, "KRW"), "ko", "₩45,000"),
        (Money(45000, "KRW"), "en", "₩45,000"),
        (Money(1234, "USD"), "en", "$12.34"),
        (Money(1234, "USD"), "ko", "US$12.34"),
        (Money(1500, "JPY"), "en", "¥1,500"),
        (Money(999, "EUR"), "en", "€9.99"),
        (Money(150, "XTR"), "en", "⭐ 150 Stars"),
        (Money(1, "XTR"), "en", "⭐ 1 Star"),
        (Money(1500, "XTR"), "ko", "⭐ 1,500 스타"),
    ],
)
def test_amounts_display_per_locale(amount: Money, locale: str, shown: str) -> None:
    assert format_money(amount, locale=locale) == shown


@pytest.mark.parametrize(
    ("amount", "weights", "parts"),
    [
        # creator 85 / curator 5 / platform 10 of 45,000 won: exact, nothing left over
        (45000, [85, 5, 10], [38250, 2250, 4500]),
        # 150 Stars: 127.5 / 7.5 / 15 -> the leftover star goes to the first of the tied halves
        (150, [85, 5, 10], [128, 7, 15]),
        # shop 95 / platform 5 of 9,999 won: 9499.05 / 499.95 -> platform's .95 is the larger remainder
        (9999, [95, 5], [9499, 500]),
        # three equal thirds of 100: the one leftover unit goes to the first
        (100, [1, 1, 1], [34, 33, 33]),
        # a zero weight receives nothing
        (7, [1, 0, 1], [4, 0, 3]),
    ],
)
def test_allocation_by_largest_remainder_with_ties_to_the_first(
    amount: int, weights: list[int], parts: list[int]
) -> None:
    assert [p.amount_minor for p in allocate(Money(amount, "KRW"), weights)] == parts


def test_allocating_a_negative_amount_mirrors_the_positive_one() -> None:
    assert allocate(Money(-150, "XTR"), [85, 5, 10]) == [Money(-128, "XTR"), Money(-7, "XTR"), Money(-15, "XTR")]


def test_allocation_refuses_weights_that_sum_to_nothing() -> None:
    with pytest.raises(InvalidAllocation):
        allocate(Money(100, "KRW"), [0, 0])
    with pytest.raises(InvalidAllocation):
        allocate(Money(100, "KRW"), [1, -1, 1])


def test_scale_rounds_an_exact_half_up() -> None:
    assert scale(Money(45000, "KRW"), Fraction(1, 2)) == Money(22500, "KRW")
    assert scale(Money(3, "KRW"), Fraction(1, 2)) == Money(2, "KRW")
    assert scale(Money(3, "KRW"), Fraction(1, 3)) == Money(1, "KRW")


@given(
    amount=st.integers(min_value=-10**12, max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6).filter(any),
)
def test_allocation_never_loses_or_creates_a_minor_unit(amount: int, weights: list[int]) -> None:
    parts = allocate(Money(amount, "KRW"), weights)
    assert sum(p.amount_minor for p in parts) == amount
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # every part is within one minor unit of its exact share
        assert abs(Fraction(part.amount_minor) - Fraction(amount * weight, weight_sum)) < 1


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.fractions(min_value=0, max_value=100, max_denominator=60), min_size=1, max_size=5)
    .filter(any),
)
def test_fractional_weights_split_as_their_exact_shares_say(amount: int, weights: list[Fraction]) -> None:
    """Fractional weights go the same way as the rule reads with exact shares: floors first, then the
    leftover units to the largest remainders, ties to the earlier weight."""
    weight_sum = sum(weights)
    exact = [amount * weight / weight_sum for weight in weights]
    expected = [share.__floor__() for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - expected[i], reverse=True)
    for index in by_remainder[: amount - sum(expected)]:
        expected[index] += 1
    assert [part.amount_minor for part in allocate(Money(amount, "KRW"), weights)] == expected
