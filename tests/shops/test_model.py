"""Shops' rules as plain values: opening hours, a pass's window, cap and periods, the codes staff type, send times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.money import Money
from subscriptions.shops.counter import QR_PREFIX, read_code
from subscriptions.shops.errors import (
    DailyCapReached,
    InvalidOpeningHours,
    InvalidPassProduct,
    InvalidSchedule,
    NoUsesLeft,
    OutsideWindow,
    PassEnded,
)
from subscriptions.shops.passes import (
    Pass,
    PassKind,
    PassProduct,
    PassStatus,
    Window,
    check_redeemable,
    parse_window,
    turn_period,
)
from subscriptions.shops.send_time import read_send_time
from subscriptions.shops.shops import parse_hours

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # Wednesday 09:30 in Seoul


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SEOUL)  # the 23rd is a Monday


def test_hours_read_days_ranges_and_korean_day_names() -> None:
    hours = parse_hours("Mon-Fri 07:30-20:00, Sat-Sun 10:00-18:00")
    assert hours.is_open(_at(25, 7, 30)) and not hours.is_open(_at(25, 7, 29))
    assert hours.is_open(_at(28, 10)) and not hours.is_open(_at(28, 9, 59))  # Saturday
    korean = parse_hours("월-금 08:00-22:00; 토 10:00-14:00")
    assert korean.is_open(_at(28, 13)) and not korean.is_open(_at(29, 13))  # Sunday closed


def test_hours_past_midnight_stay_open_into_the_next_day() -> None:
    bar = parse_hours("Fri 18:00-02:00")
    assert bar.is_open(_at(27, 23, 59)) and bar.is_open(_at(28, 1, 30)) and not bar.is_open(_at(28, 2))


@pytest.mark.parametrize("text", ["", "sometimes", "Mon-Fri 25:00-26:00", "Funday 08:00-10:00", "08:00-08:00x" * 30])
def test_unreadable_hours_are_refused(text: str) -> None:
    with pytest.raises(InvalidOpeningHours):
        parse_hours(text)


def _product(**changes: object) -> PassProduct:
    values: dict[str, object] = dict(id="p", org_id=1, name="Monthly pass", item="Americano", uses=20,
                                     kind=PassKind.PACK, price=Money(45000, "KRW"), created_at=NOW)
    values.update(changes)
    return PassProduct(**values)  # type: ignore[arg-type]


def _pass(balance: int = 20, **changes: object) -> Pass:
    values: dict[str, object] = dict(id="x", product_id="p", org_id=1, holder_id=7, balance=balance,
                                     period_end=NOW + timedelta(days=30), status=PassStatus.ACTIVE,
                                     source="purchase:1", created_at=NOW)
    values.update(changes)
    return Pass(**values)  # type: ignore[arg-type]


def test_a_use_needs_a_live_pass_a_balance_the_window_and_room_under_the_cap() -> None:
    morning = _product(window=Window(8 * 60, 11 * 60), daily_cap=2)
    check_redeemable(_pass(), morning, now=NOW, local=_at(25, 9, 30), used_today=1)
    with pytest.raises(OutsideWindow) as outside:
        check_redeemable(_pass(), morning, now=NOW, local=_at(25, 11), used_today=0)
    assert outside.value.window == "08:00-11:00"
    with pytest.raises(DailyCapReached):
        check_redeemable(_pass(), morning, now=NOW, local=_at(25, 9), used_today=2)
    with pytest.raises(NoUsesLeft):
        check_redeemable(_pass(0), morning, now=NOW, local=_at(25, 9), used_today=0)
    with pytest.raises(PassEnded):
        check_redeemable(_pass(period_end=NOW), morning, now=NOW, local=_at(25, 9), used_today=0)


@given(st.integers(0, 1000), st.integers(0, 50), st.integers(1, 100))
def test_a_new_period_keeps_at_most_the_rollover_and_adds_the_periods_uses(balance: int, rollover: int,
                                                                           uses: int) -> None:
    turn = turn_period(balance, _product(uses=uses, rollover_max=rollover, daily_cap=None))
    assert turn.rolled_over == min(balance, rollover)
    assert turn.expired + turn.rolled_over == balance
    assert turn.balance == turn.rolled_over + uses


def test_products_refuse_impossible_rules() -> None:
    with pytest.raises(InvalidPassProduct):
        _product(uses=0)
    with pytest.raises(InvalidPassProduct):
        _product(daily_cap=21)
    with pytest.raises(InvalidPassProduct):
        _product(kind=PassKind.SUBSCRIPTION)  # a subscription pass needs its billing plan
    with pytest.raises(InvalidPassProduct):
        parse_window("11:00-08:00")


def test_staff_may_type_the_digits_with_spaces_or_bring_the_qrs_text() -> None:
    assert read_code("482 913").short_code == "482913"  # type: ignore[union-attr]
    assert read_code(" 482-913 ").short_code == "482913"  # type: ignore[union-attr]
    assert read_code(QR_PREFIX + "a" * 24).token == "a" * 24  # type: ignore[union-attr]
    for nonsense in ("48291", "4829134", "abcdef", QR_PREFIX + "short", QR_PREFIX + "bad/chars/" * 3, ""):
        assert read_code(nonsense) is None


def test_send_times_are_read_in_the_shops_zone() -> None:
    assert read_send_time("18:00", now=NOW, timezone="Asia/Seoul") == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert read_send_time("09:00", now=NOW, timezone="Asia/Seoul") == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert read_send_time("내일 08:00", now=NOW, timezone="Asia/Seoul") == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert read_send_time("2026-12-24 10:00", now=NOW, timezone="Asia/Seoul") == datetime(2026, 12, 24, 1, 0,
                                                                                          tzinfo=UTC)
    for nonsense in ("soon", "2026-02-30 10:00", "25:00", "next week 10:00"):
        with pytest.raises(InvalidSchedule):
            read_send_time(nonsense, now=NOW, timezone="Asia/Seoul")
