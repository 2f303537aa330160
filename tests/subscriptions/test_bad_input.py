"""Bad input and bad luck: double taps, forged ids, crashes half-way, trial abuse, stale buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from subscriptions.billing.demo import demo_offers
from subscriptions.billing.errors import (
    CheckoutAlreadyPaid,
    NotMerchantMember,
    SubscriptionNotFound,
    UnsupportedByProvider,
)
from subscriptions.billing.events import CancelStarSubscription, Message, PaymentReceived, RefundCardPayment
from subscriptions.billing.services import (
    Billing,
    buy_gift,
    cancel,
    change_plan,
    claim_gift,
    record_fee,
    refund,
    subscribe,
    withdraw_cancellation,
)
from subscriptions.billing.subscription import Status, TermKind
from subscriptions.clock import FixedClock, SystemClock
from subscriptions.errors import CurrencyMismatch
from subscriptions.ids import TimeOrderedIds
from subscriptions.ledger import balance, cash_account, fees_account, merchant_account
from subscriptions.money import Money
from tests.subscriptions.fakes import FAN, HANA, JISOO, FakeEventLog, FakeUnitOfWork, Stores, utc
from tests.subscriptions.helpers import pay


class CrashingEvents(FakeEventLog):
    """Dies once, the way a process dies between writing the payment and finishing the transaction."""

    def __init__(self, stores: Stores) -> None:
        super().__init__(stores)
        self.crashes_left = 1

    async def add(self, messages: Sequence[Message]) -> None:
        if self.crashes_left and any(isinstance(m, PaymentReceived) for m in messages):
            self.crashes_left -= 1
            raise ConnectionError("worker died")
        await super().add(messages)


async def test_a_crash_half_way_through_crediting_leaves_nothing_and_the_retry_credits_once(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    started = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                              idempotency_key="k")
    assert started.checkout is not None
    offers.events = CrashingEvents(offers.stores)
    with pytest.raises(ConnectionError):
        await pay(billing, started.checkout.checkout, "charge-1")
    assert offers.stores.payments == {} and offers.stores.ledger == [] and offers.stores.subscriptions == {}

    # Telegram delivers the update again after the restart
    outcome = await pay(billing, started.checkout.checkout, "charge-1")
    replay = await pay(billing, started.checkout.checkout, "charge-1")
    assert not outcome.duplicate and replay.duplicate
    assert len(offers.stores.ledger) == 1 and len(offers.stores.subscriptions) == 1


async def test_a_tap_on_a_paid_checkout_says_it_is_paid(offers: FakeUnitOfWork, billing: Billing) -> None:
    started = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                              idempotency_key="k")
    assert started.checkout is not None
    await pay(billing, started.checkout.checkout, "charge-1")
    with pytest.raises(CheckoutAlreadyPaid):
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                        idempotency_key="k")


async def test_forged_subscription_ids_find_nothing(offers: FakeUnitOfWork, billing: Billing) -> None:
    with pytest.raises(SubscriptionNotFound):
        await cancel(billing, user_id=JISOO, subscription_id="id-999")


async def test_a_trial_is_given_once_per_offer(offers: FakeUnitOfWork, billing: Billing) -> None:
    first = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="trial",
                            idempotency_key="t1")
    assert first.subscription is not None
    await cancel(billing, user_id=JISOO, subscription_id=first.subscription.id, at_period_end=False)
    again = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="trial",
                            idempotency_key="t2")
    assert again.subscription is None and again.checkout is not None  # pay from day one this time
    assert again.checkout.checkout.amount == Money(45000, "KRW")


async def test_a_merchant_cannot_refund_another_merchants_payment(offers: FakeUnitOfWork, billing: Billing) -> None:
    started = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                              idempotency_key="k")
    assert started.checkout is not None
    outcome = await pay(billing, started.checkout.checkout, "charge-1")
    with pytest.raises(NotMerchantMember):
        await refund(billing, payment_id=outcome.payment.id, merchant_id="org-daily-hanja")
    assert [t.kind for t in offers.stores.ledger] == ["payment"]


async def test_a_provider_fee_is_journaled_against_the_platform_not_the_merchant(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    started = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                              idempotency_key="k")
    assert started.checkout is not None
    outcome = await pay(billing, started.checkout.checkout, "charge-1")
    await record_fee(billing, payment_id=outcome.payment.id, fee=Money(1350, "KRW"), description="3% fee")
    ledger = offers.stores.ledger
    assert balance(ledger, fees_account("card"), "KRW") == Money(-1350, "KRW")  # an expense: debit balance
    assert balance(ledger, cash_account("card"), "KRW") == Money(-43650, "KRW")
    assert balance(ledger, merchant_account("org-cafe-onda"), "KRW") == Money(42750, "KRW")
    with pytest.raises(CurrencyMismatch):
        await record_fee(billing, payment_id=outcome.payment.id, fee=Money(1, "USD"), description="x")


async def test_a_partial_stars_refund_is_refused(offers: FakeUnitOfWork, billing: Billing) -> None:
    started = await subscribe(billing, user_id=FAN, offer_id="hanja", plan_id="tier1", idempotency_key="s")
    assert started.checkout is not None
    outcome = await pay(billing, started.checkout.checkout, "stars-1", recurring=True, first_recurring=True)
    with pytest.raises(UnsupportedByProvider):
        await refund(billing, payment_id=outcome.payment.id, amount=Money(50, "XTR"))
    with pytest.raises(UnsupportedByProvider):
        await change_plan(billing, user_id=FAN, subscription_id=outcome.payment.subscription_id or "",
                          plan_id="tier2", idempotency_key="up")


async def test_a_stars_charge_after_cancelling_keeps_the_cancellation(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    started = await subscribe(billing, user_id=FAN, offer_id="hanja", plan_id="tier1", idempotency_key="s")
    assert started.checkout is not None
    checkout = started.checkout.checkout
    first = await pay(billing, checkout, "stars-1", recurring=True, first_recurring=True)
    assert first.subscription is not None
    clock.advance(timedelta(days=29))
    await cancel(billing, user_id=FAN, subscription_id=first.subscription.id)
    assert offers.sent(CancelStarSubscription)[0].is_canceled
    clock.advance(timedelta(days=1))
    renewed = await pay(billing, checkout, "stars-2", recurring=True)  # Telegram had already charged
    assert renewed.subscription is not None
    assert renewed.subscription.term.number == 2 and renewed.subscription.cancel_at_period_end


async def test_a_gift_recipient_upgrading_gets_credit_for_the_gift(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    started = await buy_gift(billing, buyer_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                             idempotency_key="g")
    gift = (await pay(billing, started.checkout, "gift-charge")).gift
    assert gift is not None
    sub = await claim_gift(billing, user_id=HANA, code=gift.code)
    same = await claim_gift(billing, user_id=HANA, code=gift.code)  # double tap
    assert same.id == sub.id and len(offers.stores.subscriptions) == 1
    assert sub.term.kind is TermKind.GIFT

    clock.set(utc(2025, 12, 5, 3))  # 20 of 30 days left
    change = await change_plan(billing, user_id=HANA, subscription_id=sub.id, plan_id="premium",
                               idempotency_key="up")
    assert (change.credit, change.charge) == (Money(30000, "KRW"), Money(60000, "KRW"))
    assert change.checkout is not None and change.checkout.checkout.amount == Money(30000, "KRW")


def test_demo_offers_are_valid_and_the_real_id_source_fits_telegrams_limits() -> None:
    now = SystemClock().now()
    offers = demo_offers({"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}, now)
    assert [o.title for o in offers] == ["Cafe Onda monthly pass", "Daily Hanja membership",
                                         "Sparkle weekly cleaning"]
    assert [p.price for p in offers[1].plans] == [Money(150, "XTR"), Money(500, "XTR")]
    ids = TimeOrderedIds()
    assert len(f"ck_{ids.new_id()}") <= 64
    assert len(f"gift_{ids.token()}") <= 64
    assert now.tzinfo is not None and Status.ACTIVE.value == "active"


async def test_a_gifted_stars_period_is_a_one_off_payment_and_cannot_renew_by_itself(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    started = await buy_gift(billing, buyer_id=JISOO, offer_id="hanja", plan_id="tier2", idempotency_key="g")
    assert started.invoice.subscription_period is None  # a gift is paid once, not a Stars subscription
    gift = (await pay(billing, started.checkout, "gift-stars")).gift
    assert gift is not None
    sub = await claim_gift(billing, user_id=HANA, code=gift.code)
    assert (sub.provider, sub.term.end - sub.term.start) == ("stars", timedelta(days=30))
    with pytest.raises(UnsupportedByProvider):
        await withdraw_cancellation(billing, user_id=HANA, subscription_id=sub.id)


async def test_two_invoices_from_two_taps_paid_both_start_one_subscription(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    taps = [
        await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly", idempotency_key=key)
        for key in ("message-1", "message-2")
    ]
    checkouts = [tap.checkout.checkout for tap in taps if tap.checkout is not None]
    first = await pay(billing, checkouts[0], "charge-1")
    second = await pay(billing, checkouts[1], "charge-2")
    assert not first.refunded and second.refunded
    assert len(offers.stores.subscriptions) == 1
    assert offers.sent(RefundCardPayment)[0].amount == Money(45000, "KRW")
