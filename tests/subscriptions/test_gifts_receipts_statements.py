"""Gifts from purchase to claim or expiry, receipt history, merchant statements and their CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from subscriptions.billing.errors import CannotClaimOwnGift, GiftAlreadyClaimed, GiftCodeExpired, GiftNotFound
from subscriptions.billing.events import GiftClaimed, GiftExpired, GiftPurchased, RefundCardPayment
from subscriptions.billing.gifts import code_from_payload, deep_link_payload
from subscriptions.billing.offers import RefundKind, RefundPolicy
from subscriptions.billing.services import (
    Billing,
    account_statement,
    active_offers,
    archive_offer,
    buy_gift,
    claim_gift,
    expire_gifts,
    merchant_balance,
    merchant_offers,
    merchant_statement,
    receipt_history,
    refund,
    subscribe,
)
from subscriptions.billing.subscription import Status, TermKind
from subscriptions.clock import FixedClock
from subscriptions.ledger import curator_account, statement_csv, statement_text
from subscriptions.money import Money
from tests.subscriptions.fakes import CURATOR, FAN, HANA, JISOO, MINJI, FakeUnitOfWork, utc
from tests.subscriptions.helpers import pay


async def bought_gift(billing: Billing, buyer: int = JISOO) -> str:
    started = await buy_gift(billing, buyer_id=buyer, offer_id="cafe-pass", plan_id="monthly",
                             idempotency_key="gift-1")
    outcome = await pay(billing, started.checkout, "gift-charge")
    assert outcome.gift is not None
    return outcome.gift.code


async def test_a_paid_gift_yields_a_code_that_fits_a_deep_link(offers: FakeUnitOfWork, billing: Billing) -> None:
    code = await bought_gift(billing)
    link = deep_link_payload(code)
    assert len(link) <= 64 and link == f"gift_{code}"
    assert code_from_payload(link) == code
    assert len(code) >= 22  # 16 random bytes, URL-safe
    purchased = offers.sent(GiftPurchased)[0]
    assert (purchased.buyer_id, purchased.expires_at) == (JISOO, utc(2025, 12, 25, 3))


async def test_claiming_a_gift_starts_one_period_and_tells_the_buyer(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    code = await bought_gift(billing)
    clock.set(utc(2025, 12, 1, 1))
    sub = await claim_gift(billing, user_id=HANA, code=code)
    assert (sub.user_id, sub.status, sub.term.kind) == (HANA, Status.ACTIVE, TermKind.GIFT)
    assert (sub.term.start, sub.term.end) == (utc(2025, 12, 1, 1), utc(2026, 1, 1, 1))
    assert sub.cancel_at_period_end  # going on after the gift is hana's own choice
    claimed = offers.sent(GiftClaimed)[0]
    assert (claimed.buyer_id, claimed.recipient_id) == (JISOO, HANA)

    with pytest.raises(GiftAlreadyClaimed):
        await claim_gift(billing, user_id=MINJI, code=code)
    assert len(offers.stores.subscriptions) == 1


async def test_the_buyer_cannot_claim_their_own_gift(offers: FakeUnitOfWork, billing: Billing) -> None:
    code = await bought_gift(billing)
    with pytest.raises(CannotClaimOwnGift):
        await claim_gift(billing, user_id=JISOO, code=code)
    with pytest.raises(GiftNotFound):
        await claim_gift(billing, user_id=HANA, code="not-a-real-code-at-all")


async def test_an_unclaimed_gift_expires_and_is_refunded_by_the_offer_policy(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    code = await bought_gift(billing)
    clock.set(utc(2025, 12, 25, 3))
    with pytest.raises(GiftCodeExpired):
        await claim_gift(billing, user_id=HANA, code=code)
    assert await expire_gifts(billing) == 1
    assert await expire_gifts(billing) == 0

    expired = offers.sent(GiftExpired)[0]
    assert expired.refund == Money(45000, "KRW")  # prorated policy: an unused gift is wholly unused
    assert offers.sent(RefundCardPayment)[0].amount == Money(45000, "KRW")
    assert await merchant_balance(billing, merchant_id="org-cafe-onda", currency="KRW") == Money(0, "KRW")


async def test_a_gift_under_a_no_refund_policy_expires_without_money_back(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    offers.stores.offers["cafe-pass"].refund_policy = RefundPolicy(RefundKind.NONE)
    await bought_gift(billing)
    clock.set(utc(2026, 1, 1))
    await expire_gifts(billing)
    assert offers.sent(GiftExpired)[0].refund == Money(0, "KRW")
    assert offers.sent(RefundCardPayment) == []


async def test_receipt_history_lists_payments_newest_first_with_period_and_refund(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    result = await subscribe(billing, user_id=JISOO, offer_id="cafe-pass", plan_id="monthly",
                             idempotency_key="r")
    assert result.checkout is not None
    first = await pay(billing, result.checkout.checkout, "tg-charge-1")
    clock.advance(timedelta(days=1))
    await bought_gift(billing)
    await refund(billing, payment_id=first.payment.id, amount=Money(5000, "KRW"))

    receipts = await receipt_history(billing, user_id=JISOO)
    assert [r.purpose for r in receipts] == ["gift", "new_subscription"]
    pass_receipt = receipts[1]
    assert pass_receipt.reference == "tg-charge-1"
    assert pass_receipt.lines("ko") == [
        "Cafe Onda - Monthly pass",
        "₩45,000",
        "2025-11-25",
        "2025-11-25 - 2025-12-25",
        "-₩5,000",
        "tg-charge-1",
    ]


async def test_merchant_statement_has_running_balances_and_exports_csv(
    offers: FakeUnitOfWork, billing: Billing, clock: FixedClock
) -> None:
    for user in (JISOO, HANA):
        result = await subscribe(billing, user_id=user, offer_id="cafe-pass", plan_id="monthly",
                                 idempotency_key=user)
        assert result.checkout is not None
        outcome = await pay(billing, result.checkout.checkout, f"charge-{user}")
        clock.advance(timedelta(hours=1))
    await refund(billing, payment_id=outcome.payment.id)

    result_statement = await merchant_statement(billing, merchant_id="org-cafe-onda", currency="KRW")
    assert [(line.amount.amount_minor, line.balance.amount_minor) for line in result_statement.lines] == [
        (42750, 42750),
        (42750, 85500),
        (-42750, 42750),
    ]
    rows = list(csv.reader(io.StringIO(statement_csv(result_statement))))
    assert rows[0] == ["date", "description", "kind", "reference", "currency", "amount", "balance"]
    assert rows[1][0] == "2025-11-25T03:00:00+00:00"
    assert rows[3][2:] == ["refund", outcome.payment.id, "KRW", "-42750", "42750"]
    assert statement_text(result_statement, "en")[0] == "2025-11-25 Cafe Onda - Monthly pass +₩42,750 = ₩42,750"

    since = await merchant_statement(billing, merchant_id="org-cafe-onda", currency="KRW",
                                     since=utc(2025, 11, 25, 3, 30))
    assert since.opening == Money(42750, "KRW") and len(since.lines) == 2


async def test_the_catalogue_lists_active_offers_and_a_curator_sees_their_earnings(
    offers: FakeUnitOfWork, billing: Billing
) -> None:
    await archive_offer(billing, merchant_id="org-clean-home", offer_id="cleaning")
    assert [o.title for o in await active_offers(billing)] == ["Cafe Onda", "Daily Hanja"]
    assert [o.id for o in await merchant_offers(billing, merchant_id="org-clean-home")] == ["cleaning"]

    result = await subscribe(billing, user_id=FAN, offer_id="hanja", plan_id="tier2", idempotency_key="s",
                             curator_id=CURATOR)
    assert result.checkout is not None
    await pay(billing, result.checkout.checkout, "stars-1", recurring=True, first_recurring=True)
    earnings = await account_statement(billing, account=curator_account(CURATOR), currency="XTR")
    assert [line.amount for line in earnings.lines] == [Money(25, "XTR")]  # 5% of 500 Stars
