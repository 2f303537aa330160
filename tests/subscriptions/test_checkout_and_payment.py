"""Subscribing, pre-checkout answers and crediting payments exactly once (card and Stars)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subscriptions.billing.errors import (
    CheckoutNotFound,
    LimitReached,
    NotMerchantMember,
    OfferArchived,
    PaymentMismatch,
    PlanArchived,
    PriceChanged,
)
from subscriptions.billing.events import PaymentReceived, SubscriptionStarted
from subscriptions.billing.payments import PreCheckoutQuery, Reason
from subscriptions.billing.services import (
    Billing,
    CheckoutStarted,
    add_plan,
    archive_offer,
    change_price,
    check_pre_checkout,
    record_successful_payment,
    subscribe,
)
from subscriptions.billing.subscription import Status
from subscriptions.billing_calendar import Interval, Unit
from subscriptions.clock import FixedClock
from subscriptions.ledger import PLATFORM_REVENUE, balance, cash_account, curator_account, merchant_account
from subscriptions.money import Money
from tests.subscriptions.fakes import CURATOR, FAN, JISOO, MALLORY, FakeUnitOfWork, utc
from tests.subscriptions.helpers import paid, pay


async def open_cafe_checkout(
    billing: Billing, user: int = JISOO, key: str = "tap-1"
) -> CheckoutStarted:
    result = await subscribe(billing, user_id=user, offer_id="cafe-pass", plan_id="monthly", idempotency_key=key)
    assert result.checkout is not None
    return result.checkout


async def test_subscribing_opens_an_invoice_for_the_plan_price(offers: FakeUnitOfWork, billing: Billing) -> None:
    started = await open_cafe_checkout(billing)
    invoice = started.invoice
    assert invoice.currency == "KRW"
    assert [p.amount for p in invoice.prices] == [45000]
    assert invoice.title == "Cafe Onda - Monthly pass"
    assert invoice.provider_token_required is True
    assert invoice.subscription_period is None
    assert invoice.payload.startswith("ck_") and len(invoice.payload) <= 64
    assert offers.stores.subscriptions == {}  # nothing starts before the money arrives


async def test_a_double_tap_returns_the_same_checkout(offers: FakeUnitOfWork, billing: Billing) -> None:
    first = await open_cafe_checkout(billing, key="msg-42")
    second = await open_cafe_checkout(billing, key="msg-42")
    assert second.checkout.id == first.checkout.id
    assert len(offers.stores.checkouts) == 1


async def test_a_stale_button_with_an_old_price_raises_price_changed(offers: FakeUnitOfWork, billing: Billing) -> None:
    await change_price(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass", plan_id="monthly",
                       price=Money(48000, "KRW"))
    with pytest.raises(PriceChanged):
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                        idempotency_key="k", expected_price=Money(45000, "KRW"))


async def test_archived_offers_and_plans_take_no_new_subscribers(offers: FakeUnitOfWork, billing: Billing) -> None:
    await archive_offer(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass", plan_id="premium")
    with pytest.raises(PlanArchived):
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="premium", idempotency_key="a")
    await archive_offer(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass")
    with pytest.raises(OfferArchived):
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly", idempotency_key="b")


async def test_pre_checkout_accepts_a_fresh_checkout(offers: FakeUnitOfWork, billing: Billing) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    answer = await check_pre_checkout(billing, PreCheckoutQuery(JISOO, checkout.payload, "KRW", 45000))
    assert answer.ok and answer.reason is None
    assert offers.committed == 1  # only the checkout itself; the pre-checkout wrote nothing


@pytest.mark.parametrize(
    ("user", "currency", "amount", "reason"),
    [
        (MALLORY, "KRW", 45000, Reason.WRONG_USER),
        (JISOO, "USD", 45000, Reason.CURRENCY_MISMATCH),
        (JISOO, "KRW", 4500, Reason.PRICE_CHANGED),
    ],
)
async def test_pre_checkout_declines_a_query_that_does_not_match_the_checkout(
    offers: FakeUnitOfWork, billing: Billing, user: int, currency: str, amount: int, reason: Reason
) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    answer = await check_pre_checkout(billing, PreCheckoutQuery(user, checkout.payload, currency, amount))
    assert (answer.ok, answer.reason) == (False, reason)


async def test_pre_checkout_declines_unknown_expired_and_changed_checkouts(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    unknown = await check_pre_checkout(billing, PreCheckoutQuery(JISOO, "ck_forged", "KRW", 45000))
    assert unknown.reason is Reason.UNKNOWN_CHECKOUT

    checkout = (await open_cafe_checkout(billing)).checkout
    query = PreCheckoutQuery(JISOO, checkout.payload, "KRW", 45000)
    await change_price(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass", plan_id="monthly",
                       price=Money(48000, "KRW"))
    assert (await check_pre_checkout(billing, query)).reason is Reason.PRICE_CHANGED

    clock.advance(timedelta(hours=25))
    assert (await check_pre_checkout(billing, query)).reason is Reason.EXPIRED


async def test_pre_checkout_declines_archived_offers_bans_and_limits(offers: FakeUnitOfWork, billing: Billing) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    query = PreCheckoutQuery(JISOO, checkout.payload, "KRW", 45000)

    offers.stores.bans.add((JISOO, "org-cafe-onda"))
    assert (await check_pre_checkout(billing, query)).reason is Reason.BANNED
    offers.stores.bans.clear()

    other = (await open_cafe_checkout(billing, key="tap-2")).checkout
    await pay(billing, other, "charge-other")  # the limit of one pass is now used
    assert (await check_pre_checkout(billing, query)).reason is Reason.LIMIT_REACHED
    with pytest.raises(LimitReached):
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                        idempotency_key="tap-3")

    await archive_offer(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass")
    assert (await check_pre_checkout(billing, query)).reason is Reason.OFFER_ARCHIVED


async def test_payment_starts_the_subscription_and_splits_it_in_the_ledger(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    outcome = await pay(billing, checkout, "charge-1")

    sub = outcome.subscription
    assert sub is not None and sub.status is Status.ACTIVE
    # 12:00 Seoul on Nov 25 -> renews 12:00 Seoul on Dec 25
    assert (sub.term.start, sub.term.end) == (utc(2025, 11, 25, 3), utc(2025, 12, 25, 3))
    assert sub.term.plan_version_id == "monthly-v1"

    ledger = offers.stores.ledger
    assert len(ledger) == 1
    assert balance(ledger, merchant_account("org-cafe-onda"), "KRW") == Money(42750, "KRW")
    assert balance(ledger, PLATFORM_REVENUE, "KRW") == Money(2250, "KRW")
    assert balance(ledger, cash_account("card"), "KRW") == Money(-45000, "KRW")  # an asset: debit balance
    assert [type(m) for m in offers.stores.events] == [PaymentReceived, SubscriptionStarted]


async def test_a_replayed_successful_payment_is_credited_once(offers: FakeUnitOfWork, billing: Billing) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    first = await pay(billing, checkout, "charge-1")
    again = await pay(billing, checkout, "charge-1")

    assert again.duplicate and again.payment.id == first.payment.id
    assert len(offers.stores.payments) == 1
    assert len(offers.stores.ledger) == 1
    assert len(offers.stores.subscriptions) == 1
    assert len(offers.sent(PaymentReceived)) == 1


async def test_a_second_charge_for_a_paid_checkout_is_refunded_not_started_twice(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    await pay(billing, checkout, "charge-1")
    second = await pay(billing, checkout, "charge-2")

    assert second.refunded
    assert len(offers.stores.subscriptions) == 1
    ledger = offers.stores.ledger
    assert [t.kind for t in ledger] == ["payment", "payment", "refund"]
    assert balance(ledger, merchant_account("org-cafe-onda"), "KRW") == Money(42750, "KRW")


async def test_a_payment_that_differs_from_its_checkout_is_refused_and_nothing_is_kept(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    checkout = (await open_cafe_checkout(billing)).checkout
    with pytest.raises(PaymentMismatch):
        await record_successful_payment(billing, replace(paid(checkout, "charge-x"), total_amount=100))
    with pytest.raises(CheckoutNotFound):
        await record_successful_payment(billing, replace(paid(checkout, "charge-y"), invoice_payload="ck_x"))
    assert offers.stores.payments == {} and offers.stores.ledger == []
    assert offers.rolled_back == 2


async def test_stars_subscription_invoice_asks_telegram_for_a_30_day_period(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    result = await subscribe(billing, user_id=FAN, offer_id="hanja", plan_id="tier1", idempotency_key="s")
    assert result.checkout is not None
    invoice = result.checkout.invoice
    assert (invoice.currency, invoice.prices[0].amount) == ("XTR", 150)
    assert invoice.subscription_period == 2_592_000
    assert invoice.provider_token_required is False


async def test_stars_renewals_arrive_as_recurring_payments_and_extend_by_30_days(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    result = await subscribe(billing, user_id=FAN, offer_id="hanja", plan_id="tier1",
                             idempotency_key="s", curator_id=CURATOR)
    assert result.checkout is not None
    checkout = result.checkout.checkout
    expires = utc(2025, 12, 25, 3)
    first = await pay(billing, checkout, "stars-1", recurring=True, first_recurring=True, expires=expires)
    assert first.subscription is not None
    assert first.subscription.term.end == expires

    clock.set(expires)
    renewal = await pay(billing, checkout, "stars-2", recurring=True, expires=utc(2026, 1, 24, 3))
    replay = await pay(billing, checkout, "stars-2", recurring=True, expires=utc(2026, 1, 24, 3))

    sub = renewal.subscription
    assert sub is not None and sub.term.number == 2
    assert (sub.term.start, sub.term.end) == (expires, utc(2026, 1, 24, 3))
    assert replay.duplicate
    ledger = offers.stores.ledger
    assert len(ledger) == 2
    # 150 Stars: creator 127.5 -> 128, curator 7.5 -> 7, platform 15 (leftover to the first tied share)
    assert balance(ledger, merchant_account("org-daily-hanja"), "XTR") == Money(256, "XTR")
    assert balance(ledger, curator_account(CURATOR), "XTR") == Money(14, "XTR")
    assert balance(ledger, PLATFORM_REVENUE, "XTR") == Money(30, "XTR")


async def test_a_merchant_adds_a_plan_and_only_its_own_offers_can_be_managed(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    plan = await add_plan(billing, merchant_id="org-cafe-onda", offer_id="cafe-pass", name="Yearly pass",
                          price=Money(450000, "KRW"), interval=Interval(Unit.YEAR))
    assert offers.stores.offers["cafe-pass"].plan(plan.id).price == Money(450000, "KRW")
    with pytest.raises(NotMerchantMember):
        await add_plan(billing, merchant_id="org-daily-hanja", offer_id="cafe-pass", name="Stolen",
                       price=Money(1, "KRW"), interval=Interval(Unit.MONTH))
    with pytest.raises(NotMerchantMember):
        await change_price(billing, merchant_id="org-daily-hanja", offer_id="cafe-pass",
                           plan_id="monthly", price=Money(1, "KRW"))
    assert offers.stores.offers["cafe-pass"].plan("monthly").price == Money(45000, "KRW")
