"""Fixed-term subscriptions (a rental's monthly rent): the rules of the aggregate, and a three-month term run by
billing's own sweep on each backend: invoices for the second and third month only, then it ends by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import billing_for
from bot.config import load_config
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.billing import services as billing
from subscriptions.billing.errors import FixedTerm, IllegalTransition
from subscriptions.billing.offers import Offer, OfferStatus, Plan, PlanVersion
from subscriptions.billing.payments import Purpose, SuccessfulPayment
from subscriptions.billing.reminders import RenewalUpcoming
from subscriptions.billing.services.fixed_term import start_fixed_term
from subscriptions.billing.subscription import Status, Subscription, Term
from subscriptions.billing_calendar import MONTHLY, BillingCalendar
from subscriptions.clock import FixedClock
from subscriptions.money import Money

INSTALLED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # 15:00 in Seoul
RENT = Money(29_900, "KRW")


def rent_offer() -> Offer:
    plan = Plan("rent-v1", "Homeline water purifier", MONTHLY, [PlanVersion("rent-v1", RENT, INSTALLED)],
                status=OfferStatus.ARCHIVED)
    return Offer("rent-v1", "8", "Homeline water purifier", [plan], status=OfferStatus.ARCHIVED)


def rent(periods: int, paid_terms: int = 1) -> Subscription:
    calendar = BillingCalendar(INSTALLED, "Asia/Seoul", MONTHLY)
    first = calendar.period(0)
    sub, _ = Subscription.start(subscription_id="rent-1", user_id=710_001, offer_id="rent-v1", merchant_id="8",
                                plan_id="rent-v1", provider="card", calendar=calendar,
                                first_term=Term(1, first.start, first.end, "rent-v1", RENT), now=INSTALLED,
                                term_periods=periods)
    for _ in range(paid_terms - 1):
        sub.renew(amount=RENT, plan_version_id="rent-v1", now=sub.term.end - timedelta(days=1))
    return sub


def test_the_last_term_is_neither_invoiced_nor_reminded_nor_renewed() -> None:
    sub = rent(3, paid_terms=3)
    assert sub.in_last_term and sub.terms_left == 0
    assert sub.renewal_invoice_due_at(timedelta(days=3)) is None
    assert RenewalUpcoming().reminders_for(sub, sub.term.end - timedelta(days=2)) == []
    with pytest.raises(IllegalTransition):
        sub.renew(amount=RENT, plan_version_id="rent-v1", now=sub.term.end)


def test_a_term_before_the_last_is_invoiced_and_reminded_as_any_other() -> None:
    sub = rent(3, paid_terms=2)
    assert sub.terms_left == 1
    assert sub.renewal_invoice_due_at(timedelta(days=3)) == sub.term.end - timedelta(days=3)
    assert len(RenewalUpcoming().reminders_for(sub, sub.term.end - timedelta(days=2))) == 1


def test_the_end_of_the_last_term_ends_the_subscription_as_complete() -> None:
    sub = rent(2, paid_terms=2)
    events = sub.advance(sub.term.end)
    assert sub.status is Status.CANCELED and sub.canceled_at == sub.term.end
    assert [getattr(event, "reason", None) for event in events] == ["term_complete"]


def test_a_missed_rent_before_the_last_term_is_past_due_as_any_other() -> None:
    sub = rent(3)
    sub.advance(sub.term.end)
    assert sub.status is Status.PAST_DUE


@pytest.mark.parametrize("move", ["cancel_at_end", "pause"])
def test_the_subscriber_cannot_pause_or_cancel_a_fixed_term(move: str) -> None:
    with pytest.raises(FixedTerm):
        getattr(rent(3), move)(INSTALLED + timedelta(days=1))


def test_the_owning_domain_still_ends_it_at_once() -> None:
    sub = rent(3)
    sub.cancel_now(INSTALLED + timedelta(days=7), refund=None)
    assert sub.status is Status.CANCELED


def test_a_fixed_term_cannot_start_with_fewer_terms_than_its_first() -> None:
    with pytest.raises(IllegalTransition):
        rent(0)


@pytest.fixture
async def units(database_url: str, envelope: Envelope) -> AsyncIterator[tuple[UnitOfWorkFactory, FixedClock]]:
    clock = FixedClock(INSTALLED)
    engine = create_engine(database_url)
    try:
        await migrate(engine, envelope)
        yield UnitOfWorkFactory(engine, envelope, now=clock.now), clock
    finally:
        await engine.dispose()


async def test_three_months_run_by_the_sweep_invoice_two_and_then_end(
        units: tuple[UnitOfWorkFactory, FixedClock]) -> None:
    factory, clock = units
    bill = billing_for(load_config(environ={}), factory, clock)
    async with factory() as uow:
        await start_fixed_term(uow, subscription_id="rent-1", offer=rent_offer(), plan_id="rent-v1", user_id=710_001,
                               provider="card", anchor=INSTALLED, timezone="Asia/Seoul", periods=3, now=INSTALLED)
        again = await start_fixed_term(uow, subscription_id="rent-1", offer=rent_offer(), plan_id="rent-v1",
                                       user_id=710_001, provider="card", anchor=INSTALLED, timezone="Asia/Seoul",
                                       periods=3, now=INSTALLED)
        await uow.commit()
    assert again.id == "rent-1"
    invoiced: list[int] = []
    for month in (1, 2):
        async with factory() as uow:
            sub = await uow.subscriptions.get("rent-1")
        assert sub is not None
        clock.set(sub.term.end - timedelta(days=3))
        await billing.sweep(bill)
        async with factory() as uow:
            checkout = await uow.checkouts.by_idempotency_key(710_001, f"renewal:rent-1:{month + 1}")
        assert checkout is not None and checkout.purpose is Purpose.RENEWAL and checkout.amount == RENT
        invoiced.append(month + 1)
        await billing.record_successful_payment(bill, SuccessfulPayment(
            user_id=710_001, currency="KRW", total_amount=29_900, invoice_payload=checkout.payload,
            telegram_payment_charge_id=f"charge-{month + 1}", provider_payment_charge_id=f"card-{month + 1}"))
    async with factory() as uow:
        sub = await uow.subscriptions.get("rent-1")
    assert sub is not None and sub.term.number == 3 and sub.in_last_term
    assert sub.term.end == BillingCalendar(INSTALLED, "Asia/Seoul", MONTHLY).boundary(3)
    clock.set(sub.term.end - timedelta(days=3))
    await billing.sweep(bill)
    async with factory() as uow:
        assert await uow.checkouts.by_idempotency_key(710_001, "renewal:rent-1:4") is None
    clock.set(sub.term.end + timedelta(minutes=1))
    await billing.sweep(bill)
    async with factory() as uow:
        ended = await uow.subscriptions.get("rent-1")
    assert ended is not None and ended.status is Status.CANCELED and invoiced == [2, 3]
