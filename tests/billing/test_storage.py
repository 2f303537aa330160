"""Billing's storage contract, run on every backend: the in-memory fakes the service tests stand on
(tests/subscriptions/fakes.py), SQLite and PostgreSQL. Round trips, the charge-id guard, optimistic saves,
batched sweeps, a batch that is all or nothing, and a transaction that dies before commit.

SQL is the reference: a fake that answers differently fails here, so the service tests cannot pass on
behaviour the database would not give. What a test checks beyond the ports (how many rows are stored, the
renewal invoices sent, a unit of work that dies) goes through `Stored`, one per backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest
from sqlalchemy import Table, func, select

from bot.bootstrap import billing_for, billing_settings
from bot.config import load_config
from storage.billing.tables import billing_checkouts, billing_journal, billing_payments
from storage.core.tables import events
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.billing import services as domain
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.errors import CheckoutNotFound
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import (
    CardProvider,
    Checkout,
    PreCheckoutQuery,
    Purpose,
    StarsProvider,
    SuccessfulPayment,
)
from subscriptions.billing.subscription import Status
from subscriptions.clock import FixedClock
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import TimeOrderedIds
from subscriptions.ledger import merchant_account, statement_csv
from subscriptions.money import Money
from tests.conftest import postgres_database
from tests.subscriptions.fakes import FakeUnitOfWork, Stores

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ORGS = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}


# --- what a test looks at beyond the ports, per backend -------------------------------------------------


class Stored(Protocol):
    """Row counts, the renewal invoices that went out, and units of work that die right before commit."""

    async def payments(self) -> int: ...

    async def journal(self) -> int: ...

    async def checkouts(self) -> int: ...

    async def events(self) -> int: ...

    async def renewal_checkouts(self) -> list[Checkout]: ...

    def dying_units(self) -> Callable[[], Any]: ...


class DiesBeforeCommit(UnitOfWork):
    """The process dies after every write of the payment was made and before the commit."""

    async def commit(self) -> None:
        await self.flush()
        raise ConnectionResetError("the process died")


class FakeDiesBeforeCommit(FakeUnitOfWork):
    """The same death in memory: every write is already in the stores, and the commit never comes."""

    async def commit(self) -> None:
        raise ConnectionResetError("the process died")


@dataclass(frozen=True)
class SqlStored:
    units: UnitOfWorkFactory

    async def _count(self, table: Table) -> int:
        async with self.units() as uow:
            return int((await uow.connection.execute(select(func.count()).select_from(table))).scalar_one())

    async def payments(self) -> int:
        return await self._count(billing_payments)

    async def journal(self) -> int:
        return await self._count(billing_journal)

    async def checkouts(self) -> int:
        return await self._count(billing_checkouts)

    async def events(self) -> int:
        return await self._count(events)

    async def renewal_checkouts(self) -> list[Checkout]:
        async with self.units() as uow:
            ids = (await uow.connection.execute(select(billing_checkouts.c.id).order_by(billing_checkouts.c.id)))
            found = [await uow.checkouts.get(checkout_id) for checkout_id in ids.scalars().all()]
        return [checkout for checkout in found if checkout is not None and checkout.purpose is Purpose.RENEWAL]

    def dying_units(self) -> Callable[[], Any]:
        units = self.units
        return lambda: DiesBeforeCommit(units.engine, units.envelope, now=units.now)


@dataclass(frozen=True)
class MemoryStored:
    stores: Stores

    async def payments(self) -> int:
        return len(self.stores.payments)

    async def journal(self) -> int:
        return len(self.stores.ledger)

    async def checkouts(self) -> int:
        return len(self.stores.checkouts)

    async def events(self) -> int:
        return len(self.stores.events)

    async def renewal_checkouts(self) -> list[Checkout]:
        found = [checkout for checkout in self.stores.checkouts.values() if checkout.purpose is Purpose.RENEWAL]
        return sorted(found, key=lambda checkout: checkout.id)

    def dying_units(self) -> Callable[[], Any]:
        return lambda: FakeDiesBeforeCommit(self.stores)


# --- one billing per backend, with the demo offers published ------------------------------------------


@dataclass(frozen=True)
class Backend:
    billing: domain.Billing
    stored: Stored


def _in_memory(clock: FixedClock) -> Backend:
    """The fakes over one set of stores, a fresh unit of work each time as the SQL factory gives, with the
    settings, ids and providers `billing_for` wires."""
    stores = Stores()
    billing = domain.Billing(uow=lambda: FakeUnitOfWork(stores), clock=clock, ids=TimeOrderedIds(),
                             providers={"card": CardProvider(), "stars": StarsProvider()},
                             settings=billing_settings(load_config(environ={})))
    return Backend(billing, MemoryStored(stores))


@asynccontextmanager
async def _on_sql(url: str, envelope: Envelope, clock: FixedClock, *, migrated: bool) -> AsyncIterator[Backend]:
    engine = create_engine(url)
    try:
        if not migrated:
            await migrate(engine)
        units = UnitOfWorkFactory(engine, envelope, now=clock.now)
        yield Backend(billing_for(load_config(environ={}), units, clock), SqlStored(units))
    finally:
        await engine.dispose()


@asynccontextmanager
async def _backend(name: str, sqlite_url: str, envelope: Envelope) -> AsyncIterator[Backend]:
    clock = FixedClock(NOW)
    if name == "memory":
        yield _in_memory(clock)
    elif name == "sqlite":
        async with _on_sql(sqlite_url, envelope, clock, migrated=True) as sql:
            yield sql
    else:
        async with postgres_database() as url, _on_sql(url, envelope, clock, migrated=False) as sql:
            yield sql


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def backend(
    request: pytest.FixtureRequest, migrated_sqlite_url: str, envelope: Envelope
) -> AsyncIterator[Backend]:
    """Billing on one backend with the demo offers published. The migrated SQLite copy is made for every
    backend: it takes a millisecond, and the template behind it cannot be built from inside the event loop
    this fixture runs in."""
    async with _backend(request.param, migrated_sqlite_url, envelope) as found:
        for offer in demo_offers(ORGS, NOW):
            await domain.publish_offer(found.billing, offer)
        yield found


@pytest.fixture
def billing(backend: Backend) -> domain.Billing:
    return backend.billing


@pytest.fixture
def stored(backend: Backend) -> Stored:
    return backend.stored


# --- steps ----------------------------------------------------------------------------------------------


def _clock(billing: domain.Billing) -> FixedClock:
    assert isinstance(billing.clock, FixedClock)
    return billing.clock


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


# --- the contract ---------------------------------------------------------------------------------------


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


async def test_a_change_that_is_not_saved_stays_out_of_storage(billing: domain.Billing) -> None:
    """Repositories hand out what is stored, never the stored thing itself: only `save` changes it."""
    outcome = await domain.record_successful_payment(billing, _paid(await _checkout(billing), "c1"))
    assert outcome.subscription is not None
    async with billing.uow() as uow:
        sub = await uow.subscriptions.get(outcome.subscription.id)
        assert sub is not None
        sub.cancel_at_end(NOW)
        assert await uow.subscriptions.get(sub.id) == outcome.subscription
        await uow.commit()
    assert await domain.user_subscriptions(billing, user_id=101) == [outcome.subscription]


async def test_listings_keep_their_order_and_ties_at_one_instant_go_by_id(billing: domain.Billing) -> None:
    onda = await domain.offer(billing, "onda-pass")
    assert onda is not None
    await domain.publish_offer(billing, replace(onda, id="americano-club"))
    offers = await domain.merchant_offers(billing, merchant_id=onda.merchant_id)
    assert [offer.id for offer in offers] == ["americano-club", "onda-pass"]
    # Both paid at the same instant: the id made later is the newer one.
    first = await domain.record_successful_payment(billing, _paid(await _checkout(billing, plan="americano20"), "a"))
    second = await domain.record_successful_payment(billing, _paid(await _checkout(billing, plan="americano40"), "b"))
    assert second.subscription is not None
    assert await domain.user_subscriptions(billing, user_id=101) == [first.subscription, second.subscription]
    page = await domain.merchant_subscribers(billing, merchant_id=onda.merchant_id, limit=1, offset=1)
    assert page == [second.subscription]
    async with billing.uow() as uow:
        assert await uow.payments.for_user(101, limit=10) == [second.payment, first.payment]
        assert await uow.payments.latest_for_subscription(second.subscription.id) == second.payment


async def test_a_second_payment_with_the_same_charge_id_is_refused_by_the_unique_index(
    billing: domain.Billing, stored: Stored,
) -> None:
    first = await domain.record_successful_payment(billing, _paid(await _checkout(billing), "same-charge"))
    # Two workers raced past the check: the second insert meets the index and nothing of it stays.
    copy = replace(first.payment, id="other-id")
    with pytest.raises(ConcurrentUpdate):
        async with billing.uow() as uow:
            await uow.payments.add(copy)
            await uow.commit()
    assert await stored.payments() == 1


async def test_an_id_or_a_unique_key_already_stored_is_refused_a_second_time(
    billing: domain.Billing, stored: Stored,
) -> None:
    started = await _checkout(billing)
    # Another checkout for the same tap (user and idempotency key), and the same offer published again.
    twin = replace(started.checkout, id="twin", payload="ck_twin")
    with pytest.raises(ConcurrentUpdate):
        async with billing.uow() as uow:
            await uow.checkouts.add(twin)
            await uow.commit()
    onda = await domain.offer(billing, "onda-pass")
    assert onda is not None
    with pytest.raises(ConcurrentUpdate):
        await domain.publish_offer(billing, onda)
    assert await stored.checkouts() == 1
    async with billing.uow() as uow:
        assert await uow.checkouts.by_idempotency_key(101, started.checkout.idempotency_key) == started.checkout


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


async def test_a_payment_that_dies_before_commit_leaves_nothing_and_the_retry_credits_it_once(
    billing: domain.Billing, stored: Stored,
) -> None:
    started = await _checkout(billing)
    paid = _paid(started, "crash-charge")
    with pytest.raises(ConnectionResetError):
        await domain.record_successful_payment(billing.using(stored.dying_units()), paid)
    assert await stored.payments() == 0 and await stored.journal() == 0
    assert await stored.events() == 0 and await domain.user_subscriptions(billing, user_id=101) == []
    retried = await domain.record_successful_payment(billing, paid)
    again = await domain.record_successful_payment(billing, paid)
    assert not retried.duplicate and again.duplicate and again.payment.id == retried.payment.id
    assert await stored.payments() == 1 and await stored.journal() == 1
    assert len(await domain.user_subscriptions(billing, user_id=101)) == 1


async def test_sweeps_find_due_subscriptions_in_batches_and_move_them_once(
    billing: domain.Billing, stored: Stored,
) -> None:
    for user in range(1, 8):
        await domain.record_successful_payment(billing, _paid(await _checkout(billing, user), f"c{user}"))
    clock = _clock(billing)
    (sub,) = await domain.user_subscriptions(billing, user_id=1)
    clock.set(sub.paid_through - timedelta(days=3))
    assert await domain.issue_renewal_invoices(billing, limit=3) == 3
    assert await domain.issue_renewal_invoices(billing, limit=3) == 3
    assert await domain.issue_renewal_invoices(billing, limit=3) == 1
    assert await domain.issue_renewal_invoices(billing, limit=3) == 0
    assert await stored.checkouts() == 14
    clock.set(sub.paid_through + timedelta(seconds=1))
    assert await domain.sweep(billing, limit=4) == 7
    states = {s.status for user in range(1, 8) for s in await domain.user_subscriptions(billing, user_id=user)}
    assert states == {Status.PAST_DUE}
    assert await domain.sweep(billing, limit=4) == 0


async def test_a_batch_of_renewal_payments_commits_once_and_the_merchant_statement_adds_up(
    billing: domain.Billing, stored: Stored,
) -> None:
    for user in range(1, 6):
        await domain.record_successful_payment(billing, _paid(await _checkout(billing, user), f"first{user}"))
    (sub,) = await domain.user_subscriptions(billing, user_id=1)
    _clock(billing).set(sub.paid_through - timedelta(days=3))
    await domain.sweep(billing, )
    paid = [SuccessfulPayment(checkout.user_id, "KRW", 45000, checkout.payload, f"renew{checkout.user_id}")
            for checkout in await stored.renewal_checkouts()]
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


async def test_a_batch_of_payments_that_fails_half_way_credits_none_of_them(
    billing: domain.Billing, stored: Stored,
) -> None:
    """The services a batch runs join its one transaction: the last payment failing undoes the first two."""
    paid = [_paid(await _checkout(billing, user), f"batch{user}") for user in (1, 2)]
    unknown = replace(paid[0], invoice_payload="ck_unknown", telegram_payment_charge_id="batch3")
    with pytest.raises(CheckoutNotFound):
        await domain.record_payments(billing, [*paid, unknown])
    assert await stored.payments() == 0 and await stored.journal() == 0 and await stored.events() == 0
    assert [await domain.user_subscriptions(billing, user_id=user) for user in (1, 2)] == [[], []]
    outcomes = await domain.record_payments(billing, paid)
    assert [outcome.duplicate for outcome in outcomes] == [False, False] and await stored.payments() == 2


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
