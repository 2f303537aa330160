"""Demo data of the stories: Cafe Onda's monthly pass, Daily Hanja's two Stars tiers, weekly cleaning.

The sandbox and the end-to-end tests publish these so a fresh machine has something to subscribe to.
"""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Unit
from subscriptions.ledger import CREATOR_SPLIT, SHOP_SPLIT
from subscriptions.money import Money

CAFE_ONDA = "org-cafe-onda"
DAILY_HANJA = "org-daily-hanja"
CLEAN_HOME = "org-clean-home"


def cafe_onda_pass(now: datetime) -> Offer:
    """"Monthly pass: 20 Americanos, 45,000 won / month", refundable for the unused days."""
    return Offer(
        id="cafe-onda-pass",
        merchant_id=CAFE_ONDA,
        title="Cafe Onda",
        plans=[
            new_plan("cafe-onda-monthly", "cafe-onda-monthly-v1", "Monthly pass: 20 Americanos",
                     Money(45000, "KRW"), Interval(Unit.MONTH), now),
        ],
        split=SHOP_SPLIT,
        refund_policy=RefundPolicy(RefundKind.PRORATED),
    )


def daily_hanja_tiers(now: datetime) -> Offer:
    """A creator's two membership tiers, native 30-day Stars subscriptions; full refund within 3 days."""
    return Offer(
        id="daily-hanja",
        merchant_id=DAILY_HANJA,
        title="Daily Hanja",
        plans=[
            new_plan("daily-hanja-tier1", "daily-hanja-tier1-v1", "Tier 1", Money(150, "XTR"), STARS_PERIOD, now),
            new_plan("daily-hanja-tier2", "daily-hanja-tier2-v1", "Tier 2", Money(500, "XTR"), STARS_PERIOD, now),
        ],
        split=CREATOR_SPLIT,
        refund_policy=RefundPolicy(RefundKind.FULL_WITHIN_DAYS, 3),
    )


def weekly_cleaning(now: datetime) -> Offer:
    """A cleaning service billed weekly with a first week free; no refunds once a week started."""
    return Offer(
        id="clean-home-weekly",
        merchant_id=CLEAN_HOME,
        title="Clean Home",
        plans=[
            new_plan("clean-home-weekly", "clean-home-weekly-v1", "Weekly cleaning", Money(39000, "KRW"),
                     Interval(Unit.WEEK), now, trial_days=7),
        ],
        split=SHOP_SPLIT,
        refund_policy=RefundPolicy(RefundKind.NONE),
    )


def demo_offers(now: datetime) -> list[Offer]:
    return [cafe_onda_pass(now), daily_hanja_tiers(now), weekly_cleaning(now)]
