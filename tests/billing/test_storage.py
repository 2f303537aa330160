"""The billing repositories on SQLite and on PostgreSQL: round trips, the charge-id guard, optimistic saves,
batched sweeps, and a transaction that dies before commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.bootstrap import billing_for
from bot.config import load_config
from storage.billing.tables import billing_checkouts, billing_journal, billing_payments
from storage.core.tables import events
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.billing import services as domain
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import PreCheckoutQuery, SuccessfulPayment
from subscriptions.billing.subscription import Status
from subscriptions.clock import FixedClock
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ledger import merchant_account, statement_csv
from subscriptions.money import Money

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ORGS = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}


@pytest.fixture
async def billing(database_url: str, envelope: Envelope) -> AsyncIterator[domain.Billing]:
    engine = create_engine(database_url)
    await migrate(engine)
    clock = FixedClock(NOW)
    service = billing_for(load_config(environ={}), UnitOfWorkFactory(engine, envelope, now=clock.now), clock)
    for offer in demo_offers(ORGS, NOW):
        await domain.publish_offer(service, offer)
    yield service
    await engine.dispose()


def _clock(billing: domain.Billing) -> FixedClock:
    assert isinstance(billing.clock, FixedClock)
    return billing.clock


async def _count(billing: domain.Billing, table: object) -> int:
    async with billing.uow() as uow:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int((await uow.connection.execute(query)).scalar_one())


async def _checkout(billing: domain.Billing, user: int = 101, plan: str = "americano20") -> domain.CheckoutStarted:
    subscribed = await domain.subscribe(billing, user_id=user, offer_id="onda-pass", plan_id=plan,
                                        idempotency_key=f"k{user}{plan}", timezone="Asia/Seoul", expected_price=None)
    assert subscribed.checkout is not None
    return subscribed.checkout


def _paid(started: domain.CheckoutStarted, charge: str) -> SuccessfulPayment:
    checkout = started.checkout
    return SuccessfulPayment(user_id=checkout.user_id, currency=checkout.amount.currency,
                             total_amount=checkout.amount.amount_minor, invoice_payload=checkout.payload,
                             telegram_payment_charge_id=charge, provider_payment_charge_id=f"p-{charge}")


async def test_offers_subscriptions_and_payments_read_back_as_they_were_stored(billing: domain.Billing) -> None:
    stored = {offer.id: offer for offer in demo_offers(ORGS, NOW)}
    for offer_id, offer in stored.items():
        assert await domain.offer(billing, offer_id) == offer
    started = await _checkout(billing)
    answer = await domain.check_pre_checkout(billing, PreCheckoutQuery(101, started.checkout.payload, "KRW", 45000))
    assert answer.ok
    outcome = await domain.record_successful_payment(billing, _paid(started, "ch-1"))
    assert outcome.subscription is not None
    (sub,) = await domain.user_subscriptions(billing, user_id=101)
    assert sub == outcome.subscription and sub.status is Status.ACTIVE
    async with billing.uow() as uow:
        assert await uow.payments.by_charge_id("ch-1") == outcome.payment
        assert await uow.checkouts.by_payload(started.checkout.payload) == replace(
            started.checkout, status=started.checkout.status.PAID, payment_id=outcome.payment.id,
            subscription_id=sub.id, version=1)
        journal = await uow.ledger.for_reference(outcome.payment.id)
    assert [t.kind for t in journal] == ["payment"] and len(journal[0].postings) == 3
    assert sum(p.amount.amount_minor for p in journal[0].postings) == 0


async def test_a_second_payment_with_the_same_charge_id_is_refused_by_the_unique_index(
    billing: domain.Billing,
) -> None:
    first = await domain.record_successful_payment(billing, _paid(await _checkout(billing), "same-charge"))
    # Two workers raced past the check: the second insert meets the index and nothing of it stays.
    copy = replace(first.payment, id="other-id")
    with pytest.raises(ConcurrentUpdate):
        async with billing.uow() as uow:
            await uow.payments.add(copy)
            await uow.commit()
    assert await _count(billing, billing_payments) == 1


async def test_a_stale_version_is_refused_when_two_units_of_work_save_the_same_subscription(
    billing: domain.Billing,
) -> None:
    await domain.record_successful_payment(billing, _paid(await _checkout(billing), "c1"))
    (sub,) = await domain.user_subscriptions(billing, user_id=101)
    first, second = billing.uow(), billing.uow()
    async with first:
        a = await first.subscriptions.get(sub.id)
        assert a is not None
        before = a.version
        a.cancel_at_end(NOW)
        await first.subscriptions.save(a, before)
        await first.commit()
    async with second:
        with pytest.raises(ConcurrentUpdate):
            await second.subscriptions.save(sub, sub.version - 1 if sub.version else 0)
            await second.commit()
    (stored,) = await domain.user_subscriptions(billing, user_id=101)
    assert stored.cancel_at_period_end


class DiesBeforeCommit(UnitOfWork):
    """The process dies after every write of the payment was made and before the commit."""

    async def commit(self) -> None:
        await self.flush()
        raise ConnectionResetError("the process died")


async def test_a_payment_that_dies_before_commit_leaves_nothing_and_the_retry_credits_it_once(
    billing: domain.Billing,
) -> None:
    started = await _checkout(billing)
    paid = _paid(started, "crash-charge")
    with pytest.raises(ConnectionResetError):
        units = billing.uow
        await domain.record_successful_payment(
            billing.using(lambda: DiesBeforeCommit(units.engine, units.envelope)), paid)  # type: ignore[attr-defined]
    assert await _count(billing, billing_payments) == 0 and await _count(billing, billing_journal) == 0
    assert await _count(billing, events) == 0 and await domain.user_subscriptions(billing, user_id=101) == []
    retried = await domain.record_successful_payment(billing, paid)
    again = await domain.record_successful_payment(billing, paid)
    assert not retried.duplicate and again.duplicate and again.payment.id == retried.payment.id
    assert await _count(billing, billing_payments) == 1 and await _count(billing, billing_journal) == 1
    assert len(await domain.user_subscriptions(billing, user_id=101)) == 1


async def test_sweeps_find_due_subscriptions_in_batches_and_move_them_once(billing: domain.Billing) -> None:
    for user in range(1, 8):
        await domain.record_successful_payment(billing, _paid(await _checkout(billing, user), f"c{user}"))
    clock = _clock(billing)
    (sub,) = await domain.user_subscriptions(billing, user_id=1)
    clock.set(sub.paid_through - timedelta(days=3))
    assert await domain.issue_renewal_invoices(billing, limit=3) == 3
    assert await domain.issue_renewal_invoices(billing, limit=3) == 3
    assert await domain.issue_renewal_invoices(billing, limit=3) == 1
    assert await domain.issue_renewal_invoices(billing, limit=3) == 0
    assert await _count(billing, billing_checkouts) == 14
    clock.set(sub.paid_through + timedelta(seconds=1))
    assert await domain.sweep(billing, limit=4) == 7
    states = {s.status for user in range(1, 8) for s in await domain.user_subscriptions(billing, user_id=user)}
    assert states == {Status.PAST_DUE}
    assert await domain.sweep(billing, limit=4) == 0


async def test_a_batch_of_renewal_payments_commits_once_and_the_merchant_statement_adds_up(
    billing: domain.Billing,
) -> None:
    for user in range(1, 6):
        await domain.record_successful_payment(billing, _paid(await _checkout(billing, user), f"first{user}"))
    (sub,) = await domain.user_subscriptions(billing, user_id=1)
    _clock(billing).set(sub.paid_through - timedelta(days=3))
    await domain.sweep(billing, )
    async with billing.uow() as uow:
        rows = (await uow.connection.execute(select(billing_checkouts.c.document))).all()
    renewals = [row.document for row in rows if row.document["purpose"] == "renewal"]
    paid = [SuccessfulPayment(doc["user_id"], "KRW", 45000, doc["payload"], f"renew{doc['user_id']}")
            for doc in renewals]
    outcomes = await domain.record_payments(billing, paid)
    assert [o.subscription.term.number for o in outcomes if o.subscription] == [2] * 5
    offer: Offer | None = await domain.offer(billing, "onda-pass")
    assert offer is not None
    result = await domain.merchant_statement(billing, merchant_id=offer.merchant_id, currency="KRW")
    assert result.closing == Money(42750 * 10, "KRW") and len(result.lines) == 10
    csv_text = statement_csv(result)
    assert csv_text.splitlines()[0] == "date,description,kind,reference,currency,amount,balance"
    assert csv_text.splitlines()[-1].endswith(",KRW,42750,427500")
    async with billing.uow() as uow:
        assert len(await uow.ledger.for_account(merchant_account(offer.merchant_id))) == 10


async def test_a_unit_of_work_reads_its_own_buffered_writes_before_they_are_flushed(billing: domain.Billing) -> None:
    """Writes wait in a buffer until commit; reads by key inside the same unit of work find them there."""
    started = await _checkout(billing)
    checkout = started.checkout
    async with billing.uow() as uow:
        fetched = await uow.checkouts.get(checkout.id)
        assert fetched is not None
        before = fetched.version
        fetched.mark_paid("payment-1")
        await uow.checkouts.save(fetched, before)
        again = await uow.checkouts.by_payload(checkout.payload)
        by_key = await uow.checkouts.by_idempotency_key(checkout.user_id, checkout.idempotency_key)
        assert again == fetched and by_key == fetched
        offer = await uow.offers.get("onda-pass")
        assert offer is not None
        renamed = replace(offer, title="Onda pass, renamed")
        await uow.offers.save(renamed, offer.version)
        assert await uow.offers.get("onda-pass") == renamed
        await uow.commit()
    async with billing.uow() as uow:
        assert await uow.checkouts.get(checkout.id) == fetched
