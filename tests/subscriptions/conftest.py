"""Fixtures for the subscriptions room: a clock, ids, an in-memory unit of work and demo offers."""
# ruff: noqa: E402

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pytest runs with --import-mode=importlib, which puts nothing on sys.path; the fakes are shared as
# `tests.subscriptions.fakes`, so the repository root must be importable.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing.payments import CardProvider, StarsProvider
from subscriptions.billing.services import Billing
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Unit
from subscriptions.clock import FixedClock
from subscriptions.ledger import CREATOR_SPLIT, SHOP_SPLIT
from subscriptions.money import Money
from tests.subscriptions.fakes import FakeUnitOfWork, SequentialIds, utc

START = utc(2025, 11, 25, 3, 0)  # 12:00 in Seoul


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ids() -> SequentialIds:
    return SequentialIds()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def billing(uow: FakeUnitOfWork, clock: FixedClock, ids: SequentialIds) -> Billing:
    """Billing over the test's one in-memory unit of work (the `offers` fixture fills the same one)."""
    return Billing(uow=lambda: uow, clock=clock, ids=ids, providers={"card": CardProvider(), "stars": StarsProvider()})


def cafe_onda() -> Offer:
    """Cafe Onda's monthly pass: 20 Americanos, 45,000 won a month; a 7-day prorated refund window."""
    return Offer(
        id="cafe-pass",
        merchant_id="org-cafe-onda",
        title="Cafe Onda",
        plans=[
            new_plan("monthly", "monthly-v1", "Monthly pass", Money(45000, "KRW"), Interval(Unit.MONTH), START),
            new_plan("premium", "premium-v1", "Premium pass", Money(90000, "KRW"), Interval(Unit.MONTH), START),
            new_plan("trial", "trial-v1", "Try a week", Money(45000, "KRW"), Interval(Unit.MONTH), START,
                     trial_days=7),
        ],
        split=SHOP_SPLIT,
        refund_policy=RefundPolicy(RefundKind.PRORATED),
    )


def daily_hanja() -> Offer:
    """Creator "Daily Hanja": two tiers paid in Stars, 150 and 500 a month."""
    return Offer(
        id="hanja",
        merchant_id="org-daily-hanja",
        title="Daily Hanja",
        plans=[
            new_plan("tier1", "tier1-v1", "Tier 1", Money(150, "XTR"), STARS_PERIOD, START),
            new_plan("tier2", "tier2-v1", "Tier 2", Money(500, "XTR"), STARS_PERIOD, START),
        ],
        split=CREATOR_SPLIT,
        refund_policy=RefundPolicy(RefundKind.FULL_WITHIN_DAYS, 3),
    )


def weekly_cleaning() -> Offer:
    return Offer(
        id="cleaning",
        merchant_id="org-clean-home",
        title="Clean Home",
        plans=[new_plan("weekly", "weekly-v1", "Weekly cleaning", Money(39000, "KRW"), Interval(Unit.WEEK), START)],
        split=SHOP_SPLIT,
        refund_policy=RefundPolicy(RefundKind.NONE),
    )


@pytest.fixture
def offers(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    """The unit of work with the demo offers stored."""
    for offer in (cafe_onda(), daily_hanja(), weekly_cleaning()):
        uow.stores.offers[offer.id] = offer
    return uow
