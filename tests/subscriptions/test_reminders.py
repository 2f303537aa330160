"""What is due: reminder kinds, their keys and staleness, the registry, and quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from subscriptions.billing.gifts import Gift
from subscriptions.billing.reminders import (
    DunningStep,
    GiftExpiring,
    RenewalUpcoming,
    TrialEnding,
)
from subscriptions.billing.subscription import Subscription, Term, TermKind
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.money import Money
from subscriptions.reminders import QuietHours
from tests.subscriptions.fakes import HANA, JISOO


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def active_pass(start: datetime = utc(2025, 11, 25, 3), kind: TermKind = TermKind.PAID) -> Subscription:
    calendar = BillingCalendar(start, "Asia/Seoul", Interval(Unit.MONTH))
    first = calendar.period(0)
    price = Money(45000, "KRW") if kind is TermKind.PAID else Money(0, "KRW")
    sub, _ = Subscription.start(
        subscription_id="sub-1", user_id=JISOO, offer_id="cafe-pass", merchant_id="org-cafe", plan_id="monthly",
        provider="card", calendar=calendar, first_term=Term(1 if kind is TermKind.PAID else 0, first.start, first.end,
                                                             "v1", price, kind),
        now=start,
    )
    return sub


def test_renewal_upcoming_is_due_three_days_before_and_keyed_by_the_next_term() -> None:
    sub = active_pass()
    kind = RenewalUpcoming()
    assert kind.reminders_for(sub, utc(2025, 12, 22, 2, 59)) == []
    [reminder] = kind.reminders_for(sub, utc(2025, 12, 22, 3))
    assert reminder.key == ("renewal_upcoming", "sub-1", "2")
    assert reminder.due_at == utc(2025, 12, 22, 3)
    window = kind.window(utc(2025, 12, 22, 3))
    assert (window.subject, window.instant, window.not_after) == ("subscription", "term_end", utc(2025, 12, 25, 3))


def test_a_renewal_reminder_is_stale_once_the_subscription_renewed_or_was_canceled() -> None:
    sub = active_pass()
    kind = RenewalUpcoming()
    [reminder] = kind.reminders_for(sub, utc(2025, 12, 23))
    assert not kind.is_stale(reminder, sub, utc(2025, 12, 23))
    sub.renew(amount=Money(45000, "KRW"), plan_version_id="v1", now=utc(2025, 12, 23))
    assert kind.is_stale(reminder, sub, utc(2025, 12, 23))

    other = active_pass()
    other.cancel_at_end(utc(2025, 12, 23))
    assert kind.is_stale(reminder, other, utc(2025, 12, 23))
    assert kind.reminders_for(other, utc(2025, 12, 23)) == []


def test_dunning_steps_fall_at_one_three_and_seven_days_and_only_the_newest_is_sent() -> None:
    sub = active_pass()
    sub.advance(utc(2025, 12, 25, 3))  # past due
    kind = DunningStep()
    assert kind.reminders_for(sub, utc(2025, 12, 26, 2)) == []
    [first] = kind.reminders_for(sub, utc(2025, 12, 26, 3))
    assert first.key == ("dunning", "sub-1", "2:1")
    # the bot was down from day 1 to day 4: only the +3 step goes out, the +1 is stale
    [late] = kind.reminders_for(sub, utc(2025, 12, 29, 3))
    assert late.period_key == "2:3"
    assert kind.is_stale(first, sub, utc(2025, 12, 29, 3))
    sub.renew(amount=Money(45000, "KRW"), plan_version_id="v1", now=utc(2025, 12, 29, 4))
    assert kind.is_stale(late, sub, utc(2025, 12, 29, 4))


def test_trial_ending_and_gift_expiring() -> None:
    trial = active_pass(kind=TermKind.TRIAL)
    [reminder] = TrialEnding().reminders_for(trial, utc(2025, 12, 22, 3))
    assert reminder.key == ("trial_ending", "sub-1", "trial")

    gift = Gift("g1", "A" * 22, JISOO, "org", "cafe-pass", "monthly", "v1", Money(45000, "KRW"), "pay-1",
                utc(2025, 11, 1), utc(2025, 12, 1))
    kind = GiftExpiring()
    [expiring] = kind.reminders_for(gift, utc(2025, 11, 28))
    assert (expiring.key, expiring.user_id) == (("gift_expiring", "g1", "expiry"), JISOO)
    gift.claim(HANA, "sub-9", utc(2025, 11, 29))
    assert kind.is_stale(expiring, gift, utc(2025, 11, 29))


@pytest.mark.parametrize(
    ("due", "timezone", "urgent", "sent"),
    [
        # 03:00 in Seoul (18:00 UTC the day before) waits for 08:00 Seoul
        (utc(2025, 12, 21, 18), "Asia/Seoul", False, utc(2025, 12, 21, 23)),
        # 23:30 in Seoul waits for the next morning
        (utc(2025, 12, 22, 14, 30), "Asia/Seoul", False, utc(2025, 12, 22, 23)),
        # 12:00 in Seoul goes at once
        (utc(2025, 12, 22, 3), "Asia/Seoul", False, utc(2025, 12, 22, 3)),
        # urgent messages ignore quiet hours
        (utc(2025, 12, 21, 18), "Asia/Seoul", True, utc(2025, 12, 21, 18)),
        # New York on the night clocks go back (2025-11-02): 01:30 EDT waits for 08:00 EST = 13:00 UTC
        (utc(2025, 11, 2, 5, 30), "America/New_York", False, utc(2025, 11, 2, 13)),
        # New York on the night clocks go forward (2025-03-09): 08:00 EDT = 12:00 UTC
        (utc(2025, 3, 9, 7), "America/New_York", False, utc(2025, 3, 9, 12)),
        # exactly 08:00 is allowed, 22:00 is quiet
        (utc(2025, 12, 22, 23), "Asia/Seoul", False, utc(2025, 12, 22, 23)),
        (utc(2025, 12, 22, 13), "Asia/Seoul", False, utc(2025, 12, 22, 23)),
    ],
)
def test_non_urgent_messages_wait_out_quiet_hours_in_the_users_timezone(
    due: datetime, timezone: str, urgent: bool, sent: datetime
) -> None:
    assert QuietHours().send_at(due, timezone, urgent) == sent


def test_quiet_hours_that_do_not_cross_midnight() -> None:
    siesta = QuietHours(time(13), time(15))
    assert siesta.send_at(utc(2025, 6, 1, 5), "Asia/Seoul") == utc(2025, 6, 1, 6)  # 14:00 KST -> 15:00
    assert siesta.send_at(utc(2025, 6, 1, 7), "Asia/Seoul") == utc(2025, 6, 1, 7)
