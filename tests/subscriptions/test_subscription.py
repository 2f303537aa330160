"""The Subscription aggregate on its own: legal and illegal moves, events, versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subscriptions.billing.errors import IllegalTransition, NotYourSubscription
from subscriptions.billing.events import (
    CancellationScheduled,
    PaymentFailed,
    SubscriptionCanceled,
    SubscriptionPaused,
    SubscriptionRenewed,
    SubscriptionResumed,
    SubscriptionStarted,
    SubscriptionSuspended,
)
from subscriptions.billing.subscription import DunningPolicy, Status, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.money import Money
from tests.subscriptions.fakes import SOMEONE

KRW = Money(45000, "KRW")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def new(start: datetime = utc(2025, 1, 31, 0), dunning: DunningPolicy | None = None) -> Subscription:
    calendar = BillingCalendar(start, "Asia/Seoul", Interval(Unit.MONTH))
    first = calendar.period(0)
    sub, events = Subscription.start(
        subscription_id="s", user_id=SOMEONE, offer_id="o", merchant_id="m", plan_id="p", provider="card",
        calendar=calendar, first_term=Term(1, first.start, first.end, "v1", KRW), now=start, dunning=dunning,
    )
    assert [type(e) for e in events] == [SubscriptionStarted]
    return sub


def test_renewals_follow_the_month_end_calendar() -> None:
    sub = new()  # Jan 31 09:00 Seoul
    ends = []
    for _ in range(3):
        sub.renew(amount=KRW, plan_version_id="v1", now=sub.term.end)
        ends.append(sub.term.end)
    assert ends == [utc(2025, 3, 31, 0), utc(2025, 4, 30, 0), utc(2025, 5, 31, 0)]
    assert sub.term.number == 4 and sub.version == 3


def test_each_move_bumps_the_version_and_idempotent_repeats_do_not() -> None:
    sub = new()
    events = sub.cancel_at_end(utc(2025, 2, 1))
    assert [type(e) for e in events] == [CancellationScheduled] and sub.version == 1
    assert sub.cancel_at_end(utc(2025, 2, 1)) == [] and sub.version == 1


def test_time_moves_a_subscription_through_dunning_with_a_custom_policy() -> None:
    sub = new(dunning=DunningPolicy(steps_days=(2, 5), cancel_after_days=10))
    end = sub.term.end
    assert sub.advance(end - timedelta(seconds=1)) == []
    assert [type(e) for e in sub.advance(end)] == [PaymentFailed]
    assert sub.next_transition_at == end + timedelta(days=5)
    assert [type(e) for e in sub.advance(end + timedelta(days=5))] == [SubscriptionSuspended]
    assert sub.next_transition_at == end + timedelta(days=10)
    events = sub.advance(end + timedelta(days=10))
    assert [type(e) for e in events] == [SubscriptionCanceled]
    assert sub.status is Status.CANCELED and sub.next_transition_at is None


def test_a_long_outage_applies_every_due_step_in_one_advance() -> None:
    sub = new()
    events = sub.advance(sub.term.end + timedelta(days=40))
    assert [type(e) for e in events] == [PaymentFailed, SubscriptionSuspended, SubscriptionCanceled]


def test_a_suspended_subscription_that_pays_starts_a_fresh_period_from_the_payment() -> None:
    sub = new()
    sub.advance(sub.term.end + timedelta(days=8))
    assert sub.status is Status.SUSPENDED
    paid_at = utc(2025, 3, 10, 5)
    [renewed] = sub.renew(amount=KRW, plan_version_id="v1", now=paid_at)
    assert isinstance(renewed, SubscriptionRenewed) and renewed.recovered
    assert (sub.term.start, sub.term.end) == (paid_at, utc(2025, 4, 10, 5))


@pytest.mark.parametrize(
    ("prepare", "move"),
    [
        ("cancel", lambda s: s.renew(amount=KRW, plan_version_id="v1", now=utc(2025, 2, 1))),
        ("cancel", lambda s: s.cancel_now(utc(2025, 2, 1), None)),
        ("cancel", lambda s: s.pause(utc(2025, 2, 1))),
        ("pause", lambda s: s.renew(amount=KRW, plan_version_id="v1", now=utc(2025, 2, 1))),
        ("pause", lambda s: s.upgrade(plan_id="p2", plan_version_id="v2", credit=KRW, charge=KRW, now=utc(2025, 2, 1))),
        ("past_due", lambda s: s.pause(utc(2025, 3, 1))),
        ("cancel", lambda s: s.resume(utc(2025, 2, 2))),
        ("cancel", lambda s: s.schedule_plan_change(plan_id="p2", plan_version_id="v2", now=utc(2025, 2, 2))),
    ],
)
def test_illegal_transitions_raise_a_named_error(prepare: str, move: Callable[[Subscription], object]) -> None:
    sub = new()
    if prepare == "cancel":
        sub.cancel_now(utc(2025, 2, 1), None)
    elif prepare == "pause":
        sub.pause(utc(2025, 2, 1))
    elif prepare == "past_due":
        sub.advance(sub.term.end)
    with pytest.raises(IllegalTransition):
        move(sub)


def test_pause_and_resume_shift_the_remaining_time() -> None:
    sub = new(utc(2025, 3, 1, 0))
    [paused] = sub.pause(utc(2025, 3, 11, 0))
    assert isinstance(paused, SubscriptionPaused) and paused.remaining_seconds == 21 * 86400
    assert sub.next_transition_at is None  # nothing happens to a paused subscription by itself
    [resumed] = sub.resume(utc(2025, 5, 1, 0))
    assert isinstance(resumed, SubscriptionResumed) and resumed.paid_through == utc(2025, 5, 22, 0)
    assert sub.resume(utc(2025, 5, 2)) == []  # a stale "resume" button does nothing


def test_only_the_owner_may_act() -> None:
    with pytest.raises(NotYourSubscription):
        new().ensure_owner("someone-else")


@settings(max_examples=50)
@given(st.lists(st.sampled_from(["pay", "wait", "late"]), min_size=1, max_size=20))
def test_paid_terms_tile_time_whatever_the_payment_history(steps: list[str]) -> None:
    sub = new()
    terms = [sub.term]
    now = sub.term.start
    for step in steps:
        if sub.status is Status.CANCELED:
            break
        if step == "wait":
            now = now + timedelta(days=10)
            sub.advance(now)
            continue
        now = max(now, sub.term.end + (timedelta(days=2) if step == "late" else -timedelta(days=1)))
        sub.advance(now)
        if sub.status is Status.CANCELED:
            break
        was_suspended = sub.status is Status.SUSPENDED
        sub.renew(amount=KRW, plan_version_id="v1", now=now)
        if not was_suspended:
            assert sub.term.start == terms[-1].end  # no gap, no overlap
        assert sub.term.start < sub.term.end
        terms.append(sub.term)


def test_a_timezone_change_bridges_to_the_new_zones_boundary_without_a_gap() -> None:
    # Lago, monthly_service_spec "when timezone has changed": the invoice after the change starts
    # where the previous one ended (2022-02-01 00:00 UTC) and later periods follow Los Angeles time.
    calendar = BillingCalendar(utc(2022, 1, 1), "UTC", Interval(Unit.MONTH))
    january = calendar.period(0)
    sub, _ = Subscription.start(
        subscription_id="s", user_id=SOMEONE, offer_id="o", merchant_id="m", plan_id="p", provider="card",
        calendar=calendar, first_term=Term(1, january.start, january.end, "v1", KRW), now=january.start,
    )
    assert sub.change_timezone("America/Los_Angeles")
    assert sub.change_timezone("America/Los_Angeles") is False  # nothing to change the second time
    sub.renew(amount=KRW, plan_version_id="v1", now=utc(2022, 1, 31))
    assert (sub.term.start, sub.term.end) == (utc(2022, 2, 1), utc(2022, 3, 1, 8))  # PST
    sub.renew(amount=KRW, plan_version_id="v1", now=utc(2022, 2, 28))
    assert (sub.term.start, sub.term.end) == (utc(2022, 3, 1, 8), utc(2022, 4, 1, 7))  # PDT from March 13


def test_moving_east_across_the_date_line_never_makes_an_empty_term() -> None:
    calendar = BillingCalendar(utc(2025, 1, 1, 19), "Pacific/Honolulu", Interval(Unit.DAY))  # 09:00 HST
    first = calendar.period(0)
    sub, _ = Subscription.start(
        subscription_id="s", user_id=SOMEONE, offer_id="o", merchant_id="m", plan_id="p", provider="card",
        calendar=calendar, first_term=Term(1, first.start, first.end, "v1", KRW), now=first.start,
    )
    sub.change_timezone("Pacific/Kiritimati")  # UTC+14: 09:00 there is 24 hours earlier in UTC
    previous_end = sub.term.end
    sub.renew(amount=KRW, plan_version_id="v1", now=previous_end)
    assert sub.term.start == previous_end < sub.term.end
