"""Monthly recurring revenue: what a subscription brings a month by its interval and status, and how a change of it
is called (new, expansion, contraction, churn)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.billing.mrr import Movement, monthly_amount, movement
from subscriptions.billing.subscription import Status, Subscription, Term, TermKind
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.money import Money

START = datetime(2026, 11, 1, tzinfo=UTC)


def _subscription(price: Money, interval: Interval, *, status: Status = Status.ACTIVE,
                  kind: TermKind = TermKind.PAID) -> Subscription:
    term = Term(number=1, start=START, end=START + timedelta(days=30), plan_version_id="pv1", amount=price, kind=kind)
    return Subscription(id="s1", user_id=1, offer_id="o1", merchant_id="m1", plan_id="p1", provider="card",
                        calendar=BillingCalendar(START, "Asia/Seoul", interval), term=term, status=status,
                        created_at=START)


@pytest.mark.parametrize(("price", "interval", "monthly"), [
    (Money(9_900, "KRW"), Interval(Unit.MONTH), Money(9_900, "KRW")),
    (Money(27_000, "KRW"), Interval(Unit.MONTH, 3), Money(9_000, "KRW")),
    (Money(120_000, "KRW"), Interval(Unit.YEAR), Money(10_000, "KRW")),
    (Money(150, "XTR"), Interval(Unit.DAY, 30), Money(150, "XTR")),
    (Money(700, "USD"), Interval(Unit.WEEK), Money(3_000, "USD")),
])
def test_a_paying_subscription_counts_its_price_per_month(price: Money, interval: Interval, monthly: Money) -> None:
    assert monthly_amount(_subscription(price, interval)) == monthly


@pytest.mark.parametrize("status", [Status.TRIALING, Status.PAUSED, Status.SUSPENDED, Status.CANCELED])
def test_a_subscription_that_is_not_paying_brings_nothing(status: Status) -> None:
    assert monthly_amount(_subscription(Money(9_900, "KRW"), Interval(Unit.MONTH), status=status)) == Money(0, "KRW")


def test_a_trial_or_a_gift_brings_nothing_while_past_due_still_counts() -> None:
    for kind in (TermKind.TRIAL, TermKind.GIFT):
        assert monthly_amount(_subscription(Money(9_900, "KRW"), Interval(Unit.MONTH), kind=kind)).amount_minor == 0
    late = _subscription(Money(9_900, "KRW"), Interval(Unit.MONTH), status=Status.PAST_DUE)
    assert monthly_amount(late) == Money(9_900, "KRW")


def test_movements_are_named_by_where_they_start_and_end() -> None:
    assert movement(0, 9_900) is Movement.NEW
    assert movement(9_900, 19_900) is Movement.EXPANSION
    assert movement(19_900, 9_900) is Movement.CONTRACTION
    assert movement(9_900, 0) is Movement.CHURN
    assert movement(9_900, 9_900) is None


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_every_change_is_exactly_one_movement_in_its_direction(before: int, after: int) -> None:
    moved = movement(before, after)
    if before == after:
        assert moved is None
    elif before == 0:
        assert moved is Movement.NEW
    elif after == 0:
        assert moved is Movement.CHURN
    else:
        assert moved is (Movement.EXPANSION if after > before else Movement.CONTRACTION)
