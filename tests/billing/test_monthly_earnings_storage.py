"""A merchant's earnings month by month, on SQLite and PostgreSQL: the ledger summed per month in the merchant's
zone and per source, refunds taken back in the month they were made, purposes billing does not name read as
the strings they are, subscribers counted at each month's end, and the purposes a statement's CSV shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from bot.bootstrap import billing_for
from bot.config import load_config
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.billing import services as domain
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.monthly_earnings import Source, month_bounds
from subscriptions.billing.payments import Payment, Purpose, SuccessfulPayment
from subscriptions.clock import FixedClock
from subscriptions.ledger import RevenueSplit, merchant_account, payment_transaction
from subscriptions.money import Money

NOV_25 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul
ORGS = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}
CAFE = "1"
SEOUL = "Asia/Seoul"


@pytest.fixture
async def billing(migrated_database_url: str, envelope: Envelope) -> AsyncIterator[domain.Billing]:
    engine = create_engine(migrated_database_url)
    try:
        await migrate(engine)
        clock = FixedClock(NOV_25)
        found = billing_for(load_config(environ={}), UnitOfWorkFactory(engine, envelope, now=clock.now), clock)
        for offer in demo_offers(ORGS, NOV_25):
            await domain.publish_offer(found, offer)
        yield found
    finally:
        await engine.dispose()


async def _subscribe_and_pay(billing: domain.Billing, user: int, charge: str) -> Payment:
    subscribed = await domain.subscribe(billing, user_id=user, offer_id="onda-pass", plan_id="americano20",
                                        idempotency_key=f"k{user}", timezone=SEOUL, expected_price=None)
    assert subscribed.checkout is not None
    checkout = subscribed.checkout.checkout
    outcome = await domain.record_successful_payment(billing, SuccessfulPayment(
        user_id=checkout.user_id, currency="KRW", total_amount=checkout.amount.amount_minor,
        invoice_payload=checkout.payload, telegram_payment_charge_id=charge, provider_payment_charge_id=f"p-{charge}"))
    return outcome.payment


async def _tip(billing: domain.Billing, user: int, amount: int, at: datetime) -> None:
    """A payment stored with a purpose billing's `Purpose` does not name (as a tip's will be), credited whole."""
    payment = Payment(id=f"tip-{user}", charge_id=f"tip-charge-{user}", provider_charge_id="", provider="card",
                      user_id=user, merchant_id=CAFE, offer_id="", checkout_id="", purpose=Purpose.TIP,
                      amount=Money(amount, "KRW"), paid_at=at, description="Tip")
    split = RevenueSplit.of(merchant=10000).split(payment.amount, has_curator=False)
    async with billing.uow() as uow:
        await uow.payments.add(payment)
        await uow.ledger.append(payment_transaction(
            transaction_id=f"txn-{payment.id}", payment_id=payment.id, provider="card", amount=payment.amount,
            split=split, merchant_id=CAFE, curator_id=None, at=at, description="Tip"))
        await uow.commit()


def _clock(billing: domain.Billing) -> FixedClock:
    assert isinstance(billing.clock, FixedClock)
    return billing.clock


def test_month_bounds_are_local_midnights_of_the_last_months_and_the_next_ones_start() -> None:
    bounds = month_bounds(datetime(2026, 1, 31, 16, 0, tzinfo=UTC), SEOUL, 3)  # Feb 1, 01:00 in Seoul
    assert [bound.isoformat() for bound in bounds] == [
        "2025-12-01T00:00:00+09:00", "2026-01-01T00:00:00+09:00", "2026-02-01T00:00:00+09:00",
        "2026-03-01T00:00:00+09:00"]


async def test_earnings_are_summed_per_local_month_and_source_with_refunds_in_their_month(
        billing: domain.Billing) -> None:
    first = await _subscribe_and_pay(billing, 101, "ch-1")
    # 23:30 on Nov 30 in UTC is Dec 1 in Seoul: the merchant's December.
    _clock(billing).set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    second = await _subscribe_and_pay(billing, 102, "ch-2")
    _clock(billing).set(datetime(2026, 12, 10, 3, 0, tzinfo=UTC))
    await _tip(billing, 103, 5000, billing.clock.now())
    await domain.refund(billing, payment_id=first.id, amount=Money(10000, "KRW"))

    (krw,) = await domain.monthly_earnings(billing, merchant_id=CAFE, timezone=SEOUL)
    assert krw.currency == "KRW" and len(krw.months) == 12
    assert krw.months[0].month == date(2026, 1, 1) and krw.months[-1].month == date(2026, 12, 1)
    november, december = krw.months[-2], krw.months[-1]
    # The cafe keeps 95% of what a subscriber pays; a refund takes back the same share.
    assert november.subscriptions == Money(42750, "KRW") and november.tips == Money(0, "KRW")
    assert december.subscriptions == Money(42750 - 9500, "KRW")
    assert december.tips == Money(5000, "KRW") and december.single_posts == Money(0, "KRW")
    assert december.by_source(Source.TIPS) == december.tips
    assert december.total == Money(42750 - 9500 + 5000, "KRW")
    assert [month.subscribers for month in krw.months[-3:]] == [0, 1, 2]
    assert all(not month.total.amount_minor for month in krw.months[:-2])

    async with billing.uow() as uow:
        purposes = await uow.payments.purposes([first.id, second.id, "tip-103", "no-such-payment"])
        assert await uow.ledger.currencies(merchant_account(CAFE)) == ["KRW"]
    assert purposes == {first.id: "new_subscription", second.id: "new_subscription", "tip-103": "tip"}


async def test_a_canceled_subscriber_leaves_the_line_from_the_month_it_ended(billing: domain.Billing) -> None:
    payment = await _subscribe_and_pay(billing, 101, "ch-1")
    assert payment.subscription_id is not None
    _clock(billing).set(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    await domain.cancel(billing, user_id=101, subscription_id=payment.subscription_id, at_period_end=False)
    (krw,) = await domain.monthly_earnings(billing, merchant_id=CAFE, timezone=SEOUL, months=3)
    assert [month.subscribers for month in krw.months] == [0, 1, 0]


async def test_a_merchant_with_plans_and_no_payments_gets_an_empty_report_per_currency(
        billing: domain.Billing) -> None:
    reports = await domain.monthly_earnings(billing, merchant_id="2", timezone=SEOUL)
    assert [report.currency for report in reports] == ["XTR"]
    assert reports[0].is_empty
