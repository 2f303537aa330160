"""One-off purchases and tips on each backend (SQLite and PostgreSQL): a purchase stored once per payment, what a
user owns (one query for a page of items), a merchant's sales and tips newest first, a full refund taking the item
back, the monthly earnings by purpose net of refunds, and the payments written before billing_0006 keeping their
purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.bootstrap import billing_for
from bot.config import load_config
from storage.billing.tables import billing_payments, billing_purchases
from storage.core.tables import events
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import alembic_config, migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.billing import services as billing
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.payments import Purpose, SuccessfulPayment
from subscriptions.billing.purchases import Purchase, PurchaseStatus
from subscriptions.billing.services import Billing, CheckoutStarted
from subscriptions.billing.services.payments import PaymentOutcome
from subscriptions.clock import FixedClock
from subscriptions.errors import ConcurrentUpdate
from subscriptions.ids import UserId
from subscriptions.ledger import CREATOR_SPLIT
from subscriptions.money import Money

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul
MINJI, JISOO, HANA_ORG = UserId(700000101), UserId(700000102), "42"


@dataclass(frozen=True)
class Shop:
    billing: Billing
    units: UnitOfWorkFactory
    clock: FixedClock


@pytest.fixture
async def shop(database_url: str, envelope: Envelope) -> AsyncIterator[Shop]:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        clock = FixedClock(NOW)
        units = UnitOfWorkFactory(engine, envelope, now=clock.now)
        yield Shop(billing_for(load_config(environ={}), units, clock), units, clock)
    finally:
        await engine.dispose()


async def _start(shop: Shop, user: UserId, item: str, price: Money, *, purpose: Purpose = Purpose.PURCHASE,
                 key: str | None = None, message: str | None = None, curator: UserId | None = None,
                 kind: str = "post") -> CheckoutStarted:
    return await billing.start_purchase(
        shop.billing, user_id=user, merchant_id=HANA_ORG, item_kind=kind, item_id=item, title=f"Post {item}",
        description="A single post", price=price, expected_price=price, split=CREATOR_SPLIT, curator_id=curator,
        idempotency_key=key or f"{purpose}:{item}:{shop.clock.now().isoformat()}", purpose=purpose, message=message)


async def _pay(shop: Shop, started: CheckoutStarted, charge: str) -> PaymentOutcome:
    checkout = started.checkout
    return await billing.record_successful_payment(shop.billing, SuccessfulPayment(
        user_id=checkout.user_id, currency=checkout.amount.currency, total_amount=checkout.amount.to_telegram(),
        invoice_payload=checkout.payload, telegram_payment_charge_id=charge))


async def _bought(shop: Shop, user: UserId, item: str, price: Money, charge: str, **more: object) -> Purchase:
    started = await _start(shop, user, item, price, key=f"key-{charge}", **more)  # type: ignore[arg-type]
    outcome = await _pay(shop, started, charge)
    assert outcome.purchase is not None
    return outcome.purchase


async def _event_kinds(shop: Shop) -> list[str]:
    async with shop.units() as uow:
        return list((await uow.connection.execute(select(events.c.kind).order_by(events.c.id))).scalars())


async def test_a_purchase_is_stored_once_with_its_payment_and_its_event(shop: Shop) -> None:
    started = await _start(shop, MINJI, "p1", Money(50, "XTR"), curator=JISOO)
    first = await _pay(shop, started, "charge-1")
    again = await _pay(shop, started, "charge-1")
    assert again.duplicate and again.purchase is None
    assert first.purchase is not None
    async with shop.units() as uow:
        stored = await uow.purchases.by_payment(first.payment.id)
        rows = (await uow.connection.execute(select(billing_purchases.c.id))).all()
        purpose = (await uow.connection.execute(select(billing_payments.c.purpose))).scalar_one()
    assert stored == first.purchase and len(rows) == 1 and purpose == "purchase"
    assert (stored.item_kind, stored.item_id, stored.purpose, stored.amount, stored.curator_id, stored.status) == (
        "post", "p1", Purpose.PURCHASE, Money(50, "XTR"), JISOO, PurchaseStatus.ACTIVE)
    assert await _event_kinds(shop) == ["PaymentReceived", "ItemPurchased"]


async def test_paying_a_second_invoice_for_an_item_already_owned_refunds_it_and_buys_nothing(shop: Shop) -> None:
    """Two invoices for one post, both paid (the second pre-checkout answered before the first payment landed)."""
    earlier = await _start(shop, MINJI, "p1", Money(100, "XTR"), key="message-1")
    later = await _start(shop, MINJI, "p1", Money(100, "XTR"), key="message-2")
    assert (await _pay(shop, earlier, "c1")).purchase is not None
    second = await _pay(shop, later, "c2")
    assert second.refunded and second.purchase is None and second.payment.refundable_amount == Money(0, "XTR")
    async with shop.units() as uow:
        assert len((await uow.connection.execute(select(billing_purchases.c.id))).all()) == 1
    refunds = [kind for kind in await _event_kinds(shop) if kind in ("RefundStarPayment", "PurchaseRefunded")]
    assert refunds == ["RefundStarPayment"]  # the Stars go back; the purchase bought with the first stays
    assert await billing.owns_item(shop.billing, MINJI, "post", "p1")


async def test_a_second_purchase_row_for_one_payment_is_refused(shop: Shop) -> None:
    purchase = await _bought(shop, MINJI, "p1", Money(50, "XTR"), "charge-1")
    with pytest.raises(ConcurrentUpdate):
        async with shop.units() as uow:
            await uow.purchases.add(Purchase("other", MINJI, HANA_ORG, "post", "p2", Purpose.PURCHASE,
                                             Money(50, "XTR"), purchase.payment_id, NOW))
            await uow.commit()


async def test_owned_items_answers_for_a_page_of_items_and_ignores_tips_other_kinds_and_other_people(
    shop: Shop,
) -> None:
    await _bought(shop, MINJI, "p1", Money(50, "XTR"), "c1")
    await _bought(shop, MINJI, "p3", Money(1000, "KRW"), "c2")
    await _bought(shop, MINJI, "p4", Money(50, "XTR"), "c3", purpose=Purpose.TIP)
    await _bought(shop, MINJI, "p2", Money(50, "XTR"), "c4", kind="album")
    await _bought(shop, JISOO, "p2", Money(50, "XTR"), "c5")
    assert await billing.owned_items(shop.billing, MINJI, "post", ["p1", "p2", "p3", "p4", "p5"]) == {"p1", "p3"}
    assert await billing.owns_item(shop.billing, JISOO, "post", "p2")
    assert not await billing.owns_item(shop.billing, MINJI, "post", "p2")
    assert await billing.owned_items(shop.billing, MINJI, "post", []) == set()


async def test_a_full_refund_takes_the_item_back_and_is_recorded_once(shop: Shop) -> None:
    purchase = await _bought(shop, MINJI, "p1", Money(1000, "KRW"), "c1")
    await billing.refund(shop.billing, payment_id=purchase.payment_id)
    assert not await billing.owns_item(shop.billing, MINJI, "post", "p1")
    async with shop.units() as uow:
        stored = await uow.purchases.by_payment(purchase.payment_id)
    assert stored is not None and stored.status is PurchaseStatus.REFUNDED and stored.version == 1
    assert (await _event_kinds(shop)).count("PurchaseRefunded") == 1
    # Refunded, it may be bought again.
    await _bought(shop, MINJI, "p1", Money(1000, "KRW"), "c2")
    assert await billing.owns_item(shop.billing, MINJI, "post", "p1")


async def test_a_partial_card_refund_leaves_the_item_with_the_buyer(shop: Shop) -> None:
    purchase = await _bought(shop, MINJI, "p1", Money(1000, "KRW"), "c1")
    await billing.refund(shop.billing, payment_id=purchase.payment_id, amount=Money(400, "KRW"))
    assert await billing.owns_item(shop.billing, MINJI, "post", "p1")
    assert "PurchaseRefunded" not in await _event_kinds(shop)


async def test_a_merchants_sales_and_tips_come_newest_first_a_page_at_a_time(shop: Shop) -> None:
    for number in range(3):
        await _bought(shop, MINJI, f"p{number}", Money(50, "XTR"), f"sale-{number}")
        shop.clock.advance(timedelta(minutes=1))
    for number in range(2):
        await _bought(shop, JISOO, "p0", Money(30, "XTR"), f"tip-{number}", purpose=Purpose.TIP,
                      message=f"thanks {number}")
        shop.clock.advance(timedelta(minutes=1))
    await _bought(shop, JISOO, "42", Money(20, "XTR"), "tip-creator", purpose=Purpose.TIP, kind="creator")
    sales = await billing.purchases_of_merchant(shop.billing, HANA_ORG, limit=2)
    more = await billing.purchases_of_merchant(shop.billing, HANA_ORG, limit=2, offset=2)
    assert [p.item_id for p in sales] == ["p2", "p1"] and [p.item_id for p in more] == ["p0"]
    tips = await billing.tips_of_merchant(shop.billing, HANA_ORG)
    assert [(p.item_kind, p.message) for p in tips] == [("creator", None), ("post", "thanks 1"), ("post", "thanks 0")]
    for_post = await billing.tips_of_merchant(shop.billing, HANA_ORG, item=("post", "p0"))
    assert [p.amount for p in for_post] == [Money(30, "XTR")] * 2
    assert await billing.purchases_of_merchant(shop.billing, "43") == []


async def test_monthly_earnings_split_posts_and_tips_net_of_refunds_in_the_merchants_months(shop: Shop) -> None:
    # September: a post (100 Stars) and a tip brought by a curator; the merchant's share is 85 of each.
    shop.clock.set(datetime(2026, 9, 10, 3, 0, tzinfo=UTC))
    september_post = await _bought(shop, MINJI, "p1", Money(100, "XTR"), "c1")
    await _bought(shop, MINJI, "42", Money(200, "XTR"), "c2", purpose=Purpose.TIP, kind="creator", curator=JISOO)
    # October: nothing. November: the September post is refunded, another is sold, and one in won.
    shop.clock.set(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    await billing.refund(shop.billing, payment_id=september_post.payment_id)
    await _bought(shop, JISOO, "p2", Money(300, "XTR"), "c3")
    await _bought(shop, JISOO, "p3", Money(1000, "KRW"), "c4")
    # An hour into December in Seoul is still November in UTC: it counts in December.
    shop.clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    await _bought(shop, MINJI, "p4", Money(20, "XTR"), "c5", purpose=Purpose.TIP)
    reports = {report.currency: report for report in
               await billing.monthly_earnings(shop.billing, merchant_id=HANA_ORG, timezone="Asia/Seoul", months=4)}
    stars = [(month.month, month.single_posts, month.tips) for month in reports["XTR"].months]
    assert stars == [
        (date(2026, 9, 1), Money(85, "XTR"), Money(170, "XTR")),
        (date(2026, 10, 1), Money(0, "XTR"), Money(0, "XTR")),
        (date(2026, 11, 1), Money(255 - 85, "XTR"), Money(0, "XTR")),
        (date(2026, 12, 1), Money(0, "XTR"), Money(17, "XTR")),
    ]
    won = [(month.month, month.single_posts) for month in reports["KRW"].months]
    assert won[-2:] == [(date(2026, 11, 1), Money(850, "KRW")), (date(2026, 12, 1), Money(0, "KRW"))]


async def test_monthly_earnings_count_a_subscription_beside_a_tip_of_the_same_merchant(shop: Shop) -> None:
    """A subscription's payment of the same merchant shows beside the one-off ones (the chart's third source)."""
    ids = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}
    for offer in demo_offers(ids, NOW):
        await billing.publish_offer(shop.billing, offer)
    hanja = str(ids["daily-hanja"])
    subscribed = await billing.subscribe(shop.billing, user_id=MINJI, offer_id="hanja-club", plan_id="tier1",
                                         idempotency_key="sub-1")
    assert subscribed.checkout is not None
    checkout = subscribed.checkout.checkout
    await billing.record_successful_payment(shop.billing, SuccessfulPayment(
        user_id=MINJI, currency="XTR", total_amount=checkout.amount.amount_minor, invoice_payload=checkout.payload,
        telegram_payment_charge_id="sub-charge", is_recurring=True, is_first_recurring=True,
        subscription_expiration_date=NOW + timedelta(days=30)))
    tip = await billing.start_purchase(
        shop.billing, user_id=MINJI, merchant_id=hanja, item_kind="creator", item_id=hanja, title="Tip",
        description="A tip", price=Money(100, "XTR"), expected_price=None, split=CREATOR_SPLIT, curator_id=None,
        idempotency_key="tip-1", purpose=Purpose.TIP)
    await _pay(shop, tip, "tip-charge")
    shop.clock.set(NOW)
    (stars,) = await billing.monthly_earnings(shop.billing, merchant_id=hanja, timezone="Asia/Seoul", months=1)
    (month,) = stars.months
    assert (month.month, month.subscriptions, month.single_posts, month.tips) == (
        date(2026, 11, 1), Money(128, "XTR"), Money(0, "XTR"), Money(85, "XTR"))


async def test_payments_made_before_billing_0006_keep_their_purpose(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "billing_0005"))
            await connection.execute(text(
                "INSERT INTO billing_payments (id, charge_id, user_id, merchant_id, subscription_id, amount_minor, "
                "currency, paid_at, version, document) VALUES ('pay-1', 'ch-1', 1, '2', NULL, 150, 'XTR', :at, 0, "
                ":doc)"), {"at": NOW, "doc": '{"id": "pay-1", "purpose": "renewal"}'})
        await migrate(engine)
        async with engine.connect() as connection:
            purpose = (await connection.execute(select(billing_payments.c.purpose))).scalar_one()
    finally:
        await engine.dispose()
    assert purpose == "renewal"
