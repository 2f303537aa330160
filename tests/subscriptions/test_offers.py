"""Offers and plans: versioned prices, plan rules, revenue splits and refund policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from subscriptions.billing.errors import InvalidPlan, OfferArchived, PlanArchived, PlanNotFound, PriceChanged
from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing_calendar import STARS_PERIOD, BillingCalendar, Interval, Unit
from subscriptions.errors import InvalidSplit
from subscriptions.ledger import CREATOR_SPLIT, SHOP_SPLIT, Party, RevenueSplit
from subscriptions.money import Money

NOW = datetime(2025, 11, 25, 3, tzinfo=UTC)


def cafe() -> Offer:
    plan = new_plan("monthly", "v1", "Monthly pass", Money(45000, "KRW"), Interval(Unit.MONTH), NOW)
    return Offer("cafe", "org-cafe", "Cafe Onda", [plan])


def test_a_price_change_adds_a_version_and_keeps_the_old_one() -> None:
    offer = cafe()
    new = offer.change_price("monthly", "v2", Money(48000, "KRW"), NOW + timedelta(days=3))
    plan = offer.plan("monthly")
    assert [v.id for v in plan.versions] == ["v1", "v2"]
    assert plan.price == Money(48000, "KRW") and plan.version("v1").price == Money(45000, "KRW")
    assert new.effective_from == NOW + timedelta(days=3)
    assert offer.version == 1
    with pytest.raises(PriceChanged):
        plan.check_price(Money(45000, "KRW"))
    with pytest.raises(InvalidPlan):
        offer.change_price("monthly", "v3", Money(48, "USD"), NOW)


def test_archiving_closes_the_offer_or_one_plan_to_new_subscribers() -> None:
    offer = cafe()
    offer.archive_plan("monthly")
    with pytest.raises(PlanArchived):
        offer.open_plan("monthly")
    offer.archive()
    with pytest.raises(OfferArchived):
        offer.open_plan("monthly")
    with pytest.raises(PlanNotFound):
        offer.plan("yearly")


def test_stars_plans_are_30_days_in_xtr_without_a_trial() -> None:
    with pytest.raises(InvalidPlan):
        Offer("x", "org", "X", [new_plan("p", "v", "P", Money(150, "XTR"), Interval(Unit.MONTH), NOW)])
    with pytest.raises(InvalidPlan):
        Offer("x", "org", "X", [new_plan("p", "v", "P", Money(150, "XTR"), STARS_PERIOD, NOW, trial_days=7)])
    with pytest.raises(InvalidPlan):
        Offer("x", "org", "X", [new_plan("p", "v", "P", Money(0, "KRW"), Interval(Unit.MONTH), NOW)])


def test_revenue_splits_must_add_up_to_100_percent_with_the_merchant_in_it() -> None:
    with pytest.raises(InvalidSplit):
        RevenueSplit.of(merchant=9000, platform=500)
    with pytest.raises(InvalidSplit):
        RevenueSplit.of(curator=5000, platform=5000)
    assert SHOP_SPLIT.split(Money(45000, "KRW"), has_curator=False) == {
        Party.MERCHANT: Money(42750, "KRW"),
        Party.PLATFORM: Money(2250, "KRW"),
    }
    assert CREATOR_SPLIT.split(Money(1999, "USD"), has_curator=True) == {
        # 1699.15 / 99.95 / 199.90: the two leftover cents go to the largest remainders (.95, .90)
        Party.MERCHANT: Money(1699, "USD"),
        Party.CURATOR: Money(100, "USD"),
        Party.PLATFORM: Money(200, "USD"),
    }


def test_refund_policies() -> None:
    period = BillingCalendar(NOW, "Asia/Seoul", Interval(Unit.MONTH)).period(0)  # 30 days
    paid = Money(45000, "KRW")
    ten_days_in = NOW + timedelta(days=10)
    assert RefundPolicy().refund_for(paid, period, NOW, ten_days_in) == Money(0, "KRW")
    assert RefundPolicy(RefundKind.PRORATED).refund_for(paid, period, NOW, ten_days_in) == Money(30000, "KRW")
    within = RefundPolicy(RefundKind.FULL_WITHIN_DAYS, 14)
    assert within.refund_for(paid, period, NOW, ten_days_in) == paid
    assert within.refund_for(paid, period, NOW, NOW + timedelta(days=15)) == Money(0, "KRW")
