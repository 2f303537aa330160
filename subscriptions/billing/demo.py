"""The demo catalogue: Cafe Onda's monthly pass, Daily Hanja's two Stars tiers, Sparkle Cleaning's weekly plan.

The sandbox and the end-to-end tests publish these so a fresh machine has something to subscribe to; the
merchants are the demo organisations, by slug (their ids are the database's).
"""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.offers import Offer, RefundKind, RefundPolicy, new_plan
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Unit
from subscriptions.ledger import CREATOR_SPLIT, SHOP_SPLIT
from subscriptions.money import Money


def demo_offers(org_ids: dict[str, int], now: datetime) -> list[Offer]:
    """Cafe Onda's monthly pass, Daily Hanja's two Stars tiers and Sparkle Cleaning's weekly plan."""
    month, week = Interval(Unit.MONTH), Interval(Unit.WEEK)
    return [
        Offer(
            id="onda-pass", merchant_id=str(org_ids["cafe-onda"]), title="Cafe Onda monthly pass",
            plans=[
                new_plan("americano20", "americano20-v1", "20 Americanos", Money(45000, "KRW"), month, now),
                new_plan("americano40", "americano40-v1", "40 Americanos", Money(80000, "KRW"), month, now),
            ],
            split=SHOP_SPLIT, refund_policy=RefundPolicy(RefundKind.PRORATED),
        ),
        Offer(
            id="hanja-club", merchant_id=str(org_ids["daily-hanja"]), title="Daily Hanja membership",
            plans=[
                new_plan("tier1", "tier1-v1", "Tier 1", Money(150, "XTR"), STARS_PERIOD, now),
                new_plan("tier2", "tier2-v1", "Tier 2", Money(500, "XTR"), STARS_PERIOD, now),
            ],
            split=CREATOR_SPLIT, refund_policy=RefundPolicy(RefundKind.FULL_WITHIN_DAYS, 3),
        ),
        Offer(
            id="sparkle-weekly", merchant_id=str(org_ids["sparkle-cleaning"]), title="Sparkle weekly cleaning",
            plans=[new_plan("weekly", "weekly-v1", "Weekly cleaning", Money(39000, "KRW"), week, now)],
            split=SHOP_SPLIT, refund_policy=RefundPolicy(RefundKind.NONE),
        ),
    ]
