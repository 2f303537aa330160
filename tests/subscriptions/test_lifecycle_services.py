"""Renewals, dunning, cancellation, pause, plan changes and prices over time, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subscriptions.billing.errors import (
    IllegalTransition,
    NotYourSubscription,
    RefundTaskClosed,
    RefundTaskNotFound,
    SamePlan,
    UnsupportedByProvider,
)
from subscriptions.billing.events import (
    CancellationScheduled,
    CancelStarSubscription,
    CardRefundDone,
    PaymentFailed,
    RefundCardPayment,
    RefundStarPayment,
    SendInvoice,
    SubscriptionCanceled,
    SubscriptionRenewed,
    SubscriptionSuspended,
    SubscriptionUpgraded,
)
from subscriptions.billing.payments import Checkout, PreCheckoutQuery, Purpose
from subscriptions.billing.refunds import RefundTaskStatus
from subscriptions.billing.services import (
    Billing,
    cancel,
    change_plan,
    change_price,
    change_timezone,
    check_pre_checkout,
    mark_refund_done,
    open_refund_tasks,
    pause,
    renew_due,
    resume,
    subscribe,
    withdraw_cancellation,
)
from subscriptions.billing.subscription import Status, Subscription, TermKind
from subscriptions.clock import FixedClock
from subscriptions.errors import UnknownTimezone
from subscriptions.ledger import PLATFORM_REVENUE, balance, merchant_account
from subscriptions.money import Money
from tests.subscriptions.fakes import FAN, JISOO, MALLORY, NAMES, FakeUnitOfWork, utc
from tests.subscriptions.helpers import pay


async def subscribed(
    billing: Billing, plan: str = "monthly", offer: str = "cafe-pass", user: int = JISOO
) -> Subscription:
    name = NAMES[user]
    result = await subscribe(billing, user_id=user, offer_id=offer, plan_id=plan, idempotency_key=f"{name}-{plan}")
    assert result.checkout is not None
    outcome = await pay(billing, result.checkout.checkout, f"charge-{name}-{plan}", recurring=offer == "hanja",
                        first_recurring=offer == "hanja")
    assert outcome.subscription is not None
    return outcome.subscription


def stored(uow: FakeUnitOfWork, sub: Subscription) -> Subscription:
    return uow.stores.subscriptions[sub.id]


def renewal_checkout(uow: FakeUnitOfWork) -> Checkout:
    found = [c for c in uow.stores.checkouts.values() if c.purpose is Purpose.RENEWAL]
    assert len(found) == 1
    return found[0]


async def test_renewal_invoice_goes_out_three_days_before_the_term_ends_and_only_once(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 22, 2, 59))
    assert (await renew_due(billing)).invoiced == 0
    clock.set(utc(2025, 12, 22, 3, 0))
    assert (await renew_due(billing)).invoiced == 1
    assert (await renew_due(billing)).invoiced == 0  # the next tick sends nothing again

    invoice = renewal_checkout(offers)
    assert (invoice.amount, invoice.term_number) == (Money(45000, "KRW"), 2)
    assert [m.checkout_id for m in offers.sent(SendInvoice)] == [invoice.id]

    await pay(billing, invoice, "charge-renewal")
    renewed = stored(offers, sub)
    assert renewed.term.number == 2
    assert (renewed.term.start, renewed.term.end) == (utc(2025, 12, 25, 3), utc(2026, 1, 25, 3))
    assert offers.sent(SubscriptionRenewed)[0].recovered is False


async def test_a_missed_payment_goes_past_due_then_suspended_then_canceled(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 25, 3))
    await renew_due(billing)
    assert stored(offers, sub).status is Status.PAST_DUE
    assert offers.sent(PaymentFailed)[0].due_at == utc(2025, 12, 25, 3)
    assert stored(offers, sub).has_access(clock.now())  # grace while dunning runs

    clock.set(utc(2026, 1, 1, 3))  # +7 days: the last dunning step
    await renew_due(billing)
    assert stored(offers, sub).status is Status.SUSPENDED
    assert len(offers.sent(SubscriptionSuspended)) == 1
    assert not stored(offers, sub).has_access(clock.now())

    clock.set(utc(2026, 1, 24, 3))  # +30 days
    await renew_due(billing)
    assert stored(offers, sub).status is Status.CANCELED
    assert offers.sent(SubscriptionCanceled)[0].reason == "unpaid"


async def test_paying_while_past_due_recovers_and_keeps_the_calendar(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 22, 3))
    await renew_due(billing)
    clock.set(utc(2025, 12, 27, 3))
    await renew_due(billing)
    assert stored(offers, sub).status is Status.PAST_DUE

    invoice = renewal_checkout(offers)  # sent five days ago and still payable through dunning
    query = PreCheckoutQuery(JISOO, invoice.payload, "KRW", invoice.amount.amount_minor)
    assert (await check_pre_checkout(billing, query)).ok
    await pay(billing, invoice, "late")
    back = stored(offers, sub)
    assert back.status is Status.ACTIVE
    assert (back.term.start, back.term.end) == (utc(2025, 12, 25, 3), utc(2026, 1, 25, 3))
    assert offers.sent(SubscriptionRenewed)[0].recovered is True


async def test_a_price_change_reaches_the_next_period_only(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 1))
    version = await change_price(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass",
                                 plan_id="monthly", price=Money(48000, "KRW"))
    assert stored(offers, sub).term.plan_version_id == "monthly-v1"
    assert stored(offers, sub).term.amount == Money(45000, "KRW")

    clock.set(utc(2025, 12, 22, 3))
    await renew_due(billing)
    invoice = renewal_checkout(offers)
    assert (invoice.amount, invoice.plan_version_id) == (Money(48000, "KRW"), version.id)
    await pay(billing, invoice, "renewal")
    assert stored(offers, sub).term.plan_version_id == version.id


async def test_cancel_at_period_end_keeps_service_until_then_and_sends_no_invoice(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    result = await cancel(billing, user_id=JISOO, subscription_id=sub.id, at_period_end=True)
    again = await cancel(billing, user_id=JISOO, subscription_id=sub.id, at_period_end=True)
    assert result.refund is None and again.subscription.status is Status.ACTIVE
    assert len(offers.sent(CancellationScheduled)) == 1  # a double tap schedules once

    clock.set(utc(2025, 12, 23))
    assert (await renew_due(billing)).invoiced == 0
    clock.set(utc(2025, 12, 25, 3))
    await renew_due(billing)
    assert stored(offers, sub).status is Status.CANCELED
    assert offers.sent(SubscriptionCanceled)[0].reason == "period_end"


async def test_withdrawing_a_cancellation_keeps_renewing(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    await cancel(billing, user_id=JISOO, subscription_id=sub.id)
    await withdraw_cancellation(billing, user_id=JISOO, subscription_id=sub.id)
    clock.set(utc(2025, 12, 22, 3))
    assert (await renew_due(billing)).invoiced == 1


async def test_cancel_at_once_refunds_the_unused_time_and_reverses_the_split(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 5, 3))  # 10 of 30 days used
    result = await cancel(billing, user_id=JISOO, subscription_id=sub.id, at_period_end=False)

    assert result.refund == Money(30000, "KRW")
    assert stored(offers, sub).status is Status.CANCELED
    ledger = offers.stores.ledger
    assert balance(ledger, merchant_account("org-cafe-onda"), "KRW") == Money(42750 - 28500, "KRW")
    assert balance(ledger, PLATFORM_REVENUE, "KRW") == Money(2250 - 1500, "KRW")
    refund = offers.sent(RefundCardPayment)[0]
    assert (refund.amount, refund.provider_payment_charge_id) == (Money(30000, "KRW"), "prov-charge-jisoo-monthly")
    # No Bot API call refunds a card: the merchant must, so it is a task, open until they mark it done.
    (task,) = offers.stores.refund_tasks.values()
    assert (task.id, task.merchant_id, task.amount, task.status) == (
        refund.task_id, "org-cafe-onda", Money(30000, "KRW"), RefundTaskStatus.OPEN)
    assert [t.id for t in await open_refund_tasks(billing, ["org-daily-hanja"])] == []
    with pytest.raises(RefundTaskNotFound):
        await mark_refund_done(billing, task.id, by=99, merchant_ids=["org-daily-hanja"])
    await mark_refund_done(billing, task.id, by=7, merchant_ids=["org-cafe-onda"])
    with pytest.raises(RefundTaskClosed):
        await mark_refund_done(billing, task.id, by=8, merchant_ids=None)
    assert offers.stores.refund_tasks[task.id].done_by == 7 and await open_refund_tasks(billing, None) == []
    assert [e.task_id for e in offers.sent(CardRefundDone)] == [task.id]


async def test_no_refund_policy_cancels_at_once_without_money_back(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing, plan="weekly", offer="cleaning")
    clock.advance(timedelta(days=2))
    result = await cancel(billing, user_id=JISOO, subscription_id=sub.id, at_period_end=False)
    assert result.refund is None
    assert [t.kind for t in offers.stores.ledger] == ["payment"]


async def test_someone_elses_subscription_cannot_be_touched(offers: FakeUnitOfWork, billing: Billing) -> None:
    sub = await subscribed(billing)
    with pytest.raises(NotYourSubscription):
        await cancel(billing, user_id=MALLORY, subscription_id=sub.id, at_period_end=False)
    with pytest.raises(NotYourSubscription):
        await pause(billing, user_id=MALLORY, subscription_id=sub.id)
    assert stored(offers, sub).status is Status.ACTIVE


async def test_pause_keeps_the_unused_days_and_resume_gives_them_back(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 5, 3))  # 20 days left
    await pause(billing, user_id=JISOO, subscription_id=sub.id)
    assert stored(offers, sub).status is Status.PAUSED
    clock.set(utc(2026, 2, 1))
    assert (await renew_due(billing)).invoiced == 0  # paused: nothing billed, nothing moves

    clock.set(utc(2026, 3, 1, 3))
    resumed = await resume(billing, user_id=JISOO, subscription_id=sub.id)
    assert resumed.status is Status.ACTIVE
    assert resumed.term.end == utc(2026, 3, 21, 3)
    assert resumed.calendar.period(1).start == utc(2026, 4, 21, 3)  # re-anchored on the 21st
    await cancel(billing, user_id=JISOO, subscription_id=sub.id, at_period_end=False)
    with pytest.raises(IllegalTransition):
        await resume(billing, user_id=JISOO, subscription_id=sub.id)


async def test_upgrade_charges_the_rest_of_the_period_minus_the_unused_credit(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)
    clock.set(utc(2025, 12, 5, 3))  # 20 of 30 days left
    change = await change_plan(billing, user_id=JISOO, subscription_id=sub.id, plan_id="premium",
                               idempotency_key="up-1")
    assert (change.credit, change.charge) == (Money(30000, "KRW"), Money(60000, "KRW"))
    assert change.checkout is not None
    assert change.checkout.checkout.amount == Money(30000, "KRW")
    assert stored(offers, sub).plan_id == "monthly"  # nothing changes before the difference is paid

    await pay(billing, change.checkout.checkout, "upgrade-charge")
    upgraded = stored(offers, sub)
    assert (upgraded.plan_id, upgraded.term.plan_version_id) == ("premium", "premium-v1")
    assert upgraded.term.amount == Money(75000, "KRW")
    assert upgraded.term.end == utc(2025, 12, 25, 3)  # same period
    event = offers.sent(SubscriptionUpgraded)[0]
    assert (event.credit, event.charge) == (Money(30000, "KRW"), Money(60000, "KRW"))
    assert balance(offers.stores.ledger, merchant_account("org-cafe-onda"), "KRW") == Money(42750 + 28500, "KRW")


async def test_downgrade_waits_for_the_period_end_and_renews_at_the_lower_price(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing, plan="premium")
    change = await change_plan(billing, user_id=JISOO, subscription_id=sub.id, plan_id="monthly",
                               idempotency_key="down-1")
    assert change.scheduled and change.checkout is None
    assert stored(offers, sub).plan_id == "premium"

    clock.set(utc(2025, 12, 22, 3))
    await renew_due(billing)
    invoice = renewal_checkout(offers)
    assert (invoice.plan_id, invoice.amount) == ("monthly", Money(45000, "KRW"))
    await pay(billing, invoice, "renewal")
    assert stored(offers, sub).plan_id == "monthly"
    with pytest.raises(SamePlan):
        await change_plan(billing, user_id=JISOO, subscription_id=sub.id, plan_id="monthly",
                          idempotency_key="same")


async def test_a_trial_starts_without_payment_and_bills_from_the_trial_end(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    result = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="trial",
                             idempotency_key="t")
    sub = result.subscription
    assert sub is not None and result.checkout is None
    assert (sub.status, sub.term.kind, sub.term.end) == (Status.TRIALING, TermKind.TRIAL, utc(2025, 12, 2, 3))

    clock.set(utc(2025, 11, 29, 3))  # three days before the trial ends
    await renew_due(billing)
    invoice = renewal_checkout(offers)
    await pay(billing, invoice, "after-trial")
    active = stored(offers, sub)
    assert (active.status, active.term.number) == (Status.ACTIVE, 1)
    assert (active.term.start, active.term.end) == (utc(2025, 12, 2, 3), utc(2026, 1, 2, 3))


async def test_stars_cancellation_tells_telegram_to_stop_and_refunds_whole_payments_only(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing, plan="tier1", offer="hanja", user=FAN)
    with pytest.raises(UnsupportedByProvider):
        await pause(billing, user_id=FAN, subscription_id=sub.id)
    clock.advance(timedelta(days=2))  # within the offer's 3-day full refund window
    result = await cancel(billing, user_id=FAN, subscription_id=sub.id, at_period_end=False)

    assert result.refund == Money(150, "XTR")
    assert offers.sent(RefundStarPayment)[0].telegram_payment_charge_id == "charge-fan-tier1"
    assert offers.stores.refund_tasks == {}  # Telegram refunds Stars itself: nothing for the merchant to do
    stop = offers.sent(CancelStarSubscription)[0]
    assert (stop.telegram_payment_charge_id, stop.is_canceled) == ("charge-fan-tier1", True)
    assert balance(offers.stores.ledger, merchant_account("org-daily-hanja"), "XTR") == Money(0, "XTR")


async def test_moving_to_new_york_bills_the_next_terms_at_noon_new_york_time(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    sub = await subscribed(billing)  # renews 12:00 Seoul on the 25th
    stars = await subscribed(billing, plan="tier1", offer="hanja")
    with pytest.raises(UnknownTimezone):
        await change_timezone(billing, user_id=JISOO, timezone="Seoul/Gangnam")
    assert await change_timezone(billing, user_id=JISOO, timezone="America/New_York") == 1  # not the Stars one
    assert stored(offers, stars).calendar.timezone == "UTC"

    clock.set(utc(2025, 12, 22, 3))
    await renew_due(billing)
    await pay(billing, renewal_checkout(offers), "renewal")
    term = stored(offers, sub).term
    assert (term.start, term.end) == (utc(2025, 12, 25, 3), utc(2026, 1, 25, 17))  # 12:00 EST
