"""Numbers from outside: ASCII digits only, within range, and nothing huge built before its size is known."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.errors import InvalidAmount
from subscriptions.money import Money
from subscriptions.numbers import LARGEST_ID, amount, telegram_id, whole_number


@pytest.mark.parametrize("text", ["²", "٣", "１２", "1_000", " 7", "7 ", "+7", "-7", "1e9", "0x10", "", None,
                                  "9" * 19, "9" * 30, "9" * 40, str(LARGEST_ID + 1)])
def test_a_whole_number_is_ascii_digits_within_64_bits(text: str | None) -> None:
    assert whole_number(text) is None


def test_the_largest_id_and_a_stated_range_are_kept() -> None:
    assert whole_number(str(LARGEST_ID)) == LARGEST_ID
    assert whole_number("007") == 7
    assert whole_number("3", highest=2) is None and whole_number("2", highest=2) == 2
    assert whole_number("0", lowest=1) is None


def test_a_telegram_id_may_be_a_group_but_never_zero_or_beyond_64_bits() -> None:
    assert telegram_id("6000000001") == 6000000001
    assert telegram_id("-1001234567890") == -1001234567890
    assert telegram_id("0") is None and telegram_id("-0") is None and telegram_id("--5") is None
    assert telegram_id("-" + str(LARGEST_ID + 1)) is None and telegram_id("²") is None


@pytest.mark.parametrize(("text", "decimals", "expected"), [
    ("45000", 0, Decimal(45000)), ("45,000", 0, Decimal(45000)), ("1,234,567", 0, Decimal(1234567)),
    ("12.50", 2, Decimal("12.50")), ("0", 0, Decimal(0)), ("999999999999", 0, Decimal(999999999999)),
])
def test_an_amount_as_people_write_it(text: str, decimals: int, expected: Decimal) -> None:
    assert amount(text, decimals=decimals) == expected


@pytest.mark.parametrize("text", ["1e999999", "1e999999999999", "9" * 20, "1000000000000", "²", "-5", "+5",
                                  "12.5", "1.", ".5", "4,5000", ",000", "45 000", "NaN", "Infinity", "1_000", ""])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    assert amount(text, decimals=0 if text != "12.5" else 0) is None


def test_money_refuses_an_exponent_that_would_build_a_huge_number_at_once() -> None:
    started = time.perf_counter()
    for text in ("1e999999", "1e999999999999", "1" + "0" * 30):
        with pytest.raises(InvalidAmount):
            Money.of(text, "KRW")
    assert time.perf_counter() - started < 0.5
    assert Money.of("9" * 16, "USD").amount_minor < LARGEST_ID


@given(st.text(max_size=60))
def test_any_text_reads_as_a_number_in_range_or_as_nothing(text: str) -> None:
    number = whole_number(text)
    assert number is None or (0 <= number <= LARGEST_ID and text.isascii() and text.isdigit())
    found = telegram_id(text)
    assert found is None or (found != 0 and abs(found) <= LARGEST_ID)
    major = amount(text, decimals=2)
    assert major is None or (major >= 0 and major < 10**12 and text.isascii())
