"""Billing calendar: published month-end, leap-year and timezone vectors, and tiling properties."""

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.billing_calendar import (
    STARS_PERIOD,
    BillingCalendar,
    Interval,
    Unit,
    prorate,
    proration_fraction,
    split_price,
    stars_calendar,
)
from subscriptions.errors import InvalidInterval, NaiveDatetime, UnknownTimezone
from subscriptions.money import Money


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


VECTORS = json.loads((Path(__file__).parent / "vectors" / "billing_calendar.json").read_text(encoding="utf-8"))


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[case["name"] for case in VECTORS["cases"]])
def test_boundaries_match_published_vectors(case: dict[str, Any]) -> None:
    # Each case names its source (Stripe's docs, Kill Bill's and Lago's test suites, the tz database).
    cal = BillingCalendar(instant(case["anchor"]), case["timezone"], Interval.parse(case["interval"]))
    expected = [instant(b) for b in case["boundaries"]]
    assert [cal.boundary(i) for i in range(len(expected))] == expected


def test_the_vectors_cover_every_source_and_unit() -> None:
    sources = " ".join(case["source"] for case in VECTORS["cases"])
    assert all(name in sources for name in ("Stripe", "Kill Bill", "Lago", "Telegram"))
    assert {Interval.parse(case["interval"]).unit for case in VECTORS["cases"]} == set(Unit)


def test_month_end_anchor_falls_back_to_feb_28_and_returns_to_the_31st() -> None:
    cal = BillingCalendar(utc(2023, 1, 31, 9), "UTC", Interval(Unit.MONTH))
    assert cal.period(1).start == utc(2023, 2, 28, 9)
    # computed from the anchor, not from Feb 28: March's boundary is the 31st again
    assert cal.period(1).end == utc(2023, 3, 31, 9)


def test_stars_periods_are_2592000_seconds_even_across_dst() -> None:
    cal = stars_calendar(utc(2025, 3, 1))
    assert all(cal.period(i).seconds == 2_592_000 for i in range(12))
    # whereas 30 local days in New York across the March change are an hour short
    assert BillingCalendar(utc(2025, 3, 1), "America/New_York", STARS_PERIOD).period(0).seconds == 2_592_000 - 3600


def test_period_at_finds_the_period_containing_an_instant_before_and_after_the_anchor() -> None:
    cal = BillingCalendar(utc(2023, 1, 31), "UTC", Interval(Unit.MONTH))
    assert cal.period_at(utc(2023, 3, 15)).start == utc(2023, 2, 28)
    assert cal.period_at(utc(2023, 2, 28)).index == 1  # a boundary belongs to the period it starts
    assert cal.period_at(utc(2022, 12, 30)).start == utc(2022, 11, 30)


def test_naive_datetimes_and_bad_zones_and_intervals_are_refused() -> None:
    with pytest.raises(NaiveDatetime):
        BillingCalendar(datetime(2024, 1, 1), "UTC", Interval(Unit.MONTH))  # noqa: DTZ001
    with pytest.raises(UnknownTimezone):
        BillingCalendar(utc(2024, 1, 1), "Mars/Olympus", Interval(Unit.MONTH))
    with pytest.raises(InvalidInterval):
        Interval(Unit.DAY, 0)
    assert Interval.parse("30 day") == STARS_PERIOD
    for bad in ("", "fortnight", "x month", "3", "1 2 3", "0 day", "-1 week"):
        with pytest.raises(InvalidInterval):
            Interval.parse(bad)
    assert Interval.parse(str(Interval(Unit.MONTH, 3))) == Interval(Unit.MONTH, 3)


def test_proration_is_by_the_second_across_a_dst_change() -> None:
    # March 2024 in New York has 30 days and 23 hours: the spring-forward night is an hour short.
    cal = BillingCalendar(utc(2024, 3, 1, 5), "America/New_York", Interval(Unit.MONTH))
    march = cal.period(0)
    assert march.seconds == 31 * 86400 - 3600
    half_day = proration_fraction(march, march.start, march.start + timedelta(hours=12))
    assert half_day == Fraction(12 * 3600, 31 * 86400 - 3600)


def test_prorating_a_10_day_remainder_of_a_30_day_period() -> None:
    cal = BillingCalendar(utc(2024, 4, 1), "UTC", Interval(Unit.MONTH))
    april = cal.period(0)  # 30 days
    assert prorate(Money(45000, "KRW"), april, utc(2024, 4, 21), april.end) == Money(15000, "KRW")
    # 1/3 of 10,000 won is 3,333.33.. -> 3,333; the other side takes the remainder, 6,667.
    used, unused = split_price(Money(10000, "KRW"), april, utc(2024, 4, 11))
    assert (used, unused) == (Money(3333, "KRW"), Money(6667, "KRW"))


anchors = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)  # noqa: DTZ001
)
timezones = st.sampled_from(["UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
intervals = st.builds(Interval, st.sampled_from(list(Unit)), st.integers(min_value=1, max_value=3))


@given(anchor=anchors, tz=timezones, interval=intervals, start=st.integers(min_value=-30, max_value=60))
def test_periods_tile_time_with_no_gap_or_overlap(
    anchor: datetime, tz: str, interval: Interval, start: int
) -> None:
    cal = BillingCalendar(anchor, tz, interval)
    periods = [cal.period(i) for i in range(start, start + 14)]
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert earlier.start < earlier.end == later.start


@given(anchor=anchors, tz=timezones, interval=intervals, offset=st.integers(min_value=-10**9, max_value=10**9))
def test_every_instant_falls_in_exactly_the_period_period_at_returns(
    anchor: datetime, tz: str, interval: Interval, offset: int
) -> None:
    cal = BillingCalendar(anchor, tz, interval)
    moment = anchor + timedelta(seconds=offset)
    found = cal.period_at(moment)
    assert found.contains(moment)
    assert not cal.period(found.index - 1).contains(moment)
    assert not cal.period(found.index + 1).contains(moment)


prices = st.builds(Money, st.integers(min_value=0, max_value=10**9), st.sampled_from(["KRW", "USD", "XTR"]))


@given(anchor=anchors, tz=timezones, interval=intervals, price=prices, index=st.integers(-5, 50))
def test_prorating_a_whole_period_gives_the_whole_price(
    anchor: datetime, tz: str, interval: Interval, price: Money, index: int
) -> None:
    period = BillingCalendar(anchor, tz, interval).period(index)
    assert prorate(price, period, period.start, period.end) == price


@given(anchor=anchors, tz=timezones, interval=intervals, price=prices, share=st.fractions(0, 1))
def test_any_split_of_a_period_sums_to_the_whole_price(
    anchor: datetime, tz: str, interval: Interval, price: Money, share: Fraction
) -> None:
    period = BillingCalendar(anchor, tz, interval).period(0)
    at = period.start + timedelta(seconds=int(period.seconds * share))
    used, unused = split_price(price, period, at)
    assert used + unused == price
    assert Money.zero(price.currency) <= used <= price
    assert used == prorate(price, period, period.start, at)


def test_stripe_upgrade_example_halfway_through_the_period() -> None:
    # Stripe, "Prorations": upgrading from a 10 USD to a 20 USD monthly plan halfway through the
    # period credits 5 USD of unused time and charges 10 USD for the rest: 5 USD more, by the second.
    april = BillingCalendar(utc(2024, 4, 1), "UTC", Interval(Unit.MONTH)).period(0)
    halfway = april.start + timedelta(seconds=april.seconds // 2)
    credit = split_price(Money(1000, "USD"), april, halfway)[1]
    charge = split_price(Money(2000, "USD"), april, halfway)[1]
    assert (credit, charge, charge - credit) == (Money(500, "USD"), Money(1000, "USD"), Money(500, "USD"))
