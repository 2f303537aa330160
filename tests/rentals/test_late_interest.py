"""Late payments as plain rules: the instalments' states, interest at 6% a year by whole days and never
compounded, the month-end close's monthly share, and three missed months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from subscriptions.rentals.accounting import late_interest
from subscriptions.rentals.contracts import InstalmentKind
from subscriptions.rentals.late import (
    InstalmentState,
    days_late,
    interest_in_month,
    interest_owed,
    missed_enough,
    overdue,
)
from tests.rentals.money_samples import SIGNED, schedule, won

DUE = datetime(2026, 12, 27, 6, 0, tzinfo=UTC)


def test_the_schedule_starts_with_the_first_payment_paid_and_the_rent_to_come() -> None:
    rows = schedule(1)
    assert len(rows) == 36 and rows[0].kind is InstalmentKind.FIRST and rows[0].paid_at == SIGNED
    assert rows[0].amount == won(79_900) and {each.amount for each in rows[1:]} == {won(29_900)}
    assert rows[1].due_at == DUE  # a month after the installation, at its hour
    assert [each.number for each in rows] == list(range(1, 37))


def test_an_instalment_is_due_then_overdue_then_paid() -> None:
    (row,) = [each for each in schedule(1) if each.number == 2]
    assert row.state(DUE - timedelta(seconds=1)) is InstalmentState.DUE
    assert row.state(DUE) is InstalmentState.OVERDUE
    assert row.state(DUE + timedelta(days=400)) is InstalmentState.OVERDUE


def test_days_are_whole_days_from_the_due_moment() -> None:
    assert days_late(DUE, DUE + timedelta(hours=23, minutes=59)) == 0
    assert days_late(DUE, DUE + timedelta(days=1)) == 1
    assert days_late(DUE, DUE - timedelta(days=3)) == 0


def test_interest_is_six_percent_a_year_by_day_on_the_months_rent() -> None:
    (row,) = [each for each in schedule(1) if each.number == 2]
    # 29,900 × 6% × 30 / 365 = 147.45...: rounded down to the won.
    assert row.interest(DUE + timedelta(days=30)) == won(147)
    assert row.interest(DUE + timedelta(days=365)) == won(1_794)  # exactly 6% after a year
    assert row.interest(DUE + timedelta(days=730)) == won(3_588)  # twice that: never interest on interest


def test_the_first_payment_carries_no_interest() -> None:
    first = schedule(0)[0]
    assert first.interest(SIGNED + timedelta(days=90)) == won(0)


def test_interest_stops_at_the_payment() -> None:
    from dataclasses import replace

    (row,) = [each for each in schedule(1) if each.number == 2]
    paid = replace(row, paid_at=DUE + timedelta(days=10))
    assert paid.interest(DUE + timedelta(days=100)) == late_interest(won(29_900), 10) == won(49)
    assert paid.state(DUE + timedelta(days=100)) is InstalmentState.PAID


@given(minor=st.integers(1, 10_000_000), lengths=st.lists(st.integers(28, 31), min_size=1, max_size=24),
       offset=st.integers(0, 27), paid_after=st.one_of(st.none(), st.integers(0, 800)))
def test_monthly_shares_add_up_to_the_interest_of_the_whole_delay(minor: int, lengths: list[int], offset: int,
                                                                  paid_after: int | None) -> None:
    amount = won(minor)
    start = datetime(2026, 1, 1, 15, tzinfo=UTC)
    due = start + timedelta(days=offset)
    paid_at = due + timedelta(days=paid_after) if paid_after is not None else None
    bounds = [start]
    for days in lengths:
        bounds.append(bounds[-1] + timedelta(days=days))
    shares = [interest_in_month(amount, due, paid_at, begin, end) for begin, end in zip(bounds, bounds[1:],
                                                                                         strict=False)]
    end = bounds[-1] if paid_at is None else min(bounds[-1], paid_at)
    assert sum(share.amount_minor for share in shares) == late_interest(amount, days_late(due, end)).amount_minor
    assert all(not share.is_negative for share in shares)


def test_a_month_before_the_due_moment_or_after_the_payment_accrues_nothing() -> None:
    november = (datetime(2026, 10, 31, 15, tzinfo=UTC), datetime(2026, 11, 30, 15, tzinfo=UTC))
    assert interest_in_month(won(29_900), DUE, None, *november) == won(0)
    paid = DUE + timedelta(days=3)
    february = (datetime(2027, 1, 31, 15, tzinfo=UTC), datetime(2027, 2, 28, 15, tzinfo=UTC))
    assert interest_in_month(won(29_900), DUE, paid, *february) == won(0)


def test_three_missed_months_and_not_two() -> None:
    rows = schedule(1)  # nothing paid after the first payment
    third_due = rows[3].due_at
    assert not missed_enough(rows, third_due - timedelta(seconds=1))
    assert len(overdue(rows, third_due - timedelta(seconds=1))) == 2
    assert missed_enough(rows, third_due)


def test_months_paid_late_are_not_missed() -> None:
    rows = schedule(4)
    assert not missed_enough(rows, rows[5].due_at)


def test_interest_owed_sums_every_late_month() -> None:
    rows = schedule(1)
    now = rows[3].due_at  # months 2, 3 and 4 overdue
    expected = sum(late_interest(won(29_900), days_late(each.due_at, now)).amount_minor for each in rows[1:4])
    assert interest_owed(rows, now, "KRW") == won(expected) and expected > 0
