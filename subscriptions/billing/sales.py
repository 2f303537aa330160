"""A merchant's sales, one line per payment with what it paid for: a plan of a subscription, or an item bought
alone. Shops' dashboards and reports group these by product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.money import Money


@dataclass(frozen=True)
class Sale:
    payment_id: str
    paid_at: datetime
    user_id: int
    amount: Money
    refunded: Money
    purpose: str
    plan_id: str | None  # the subscription's plan, for subscription payments
    item_kind: str | None  # the purchase's item, for one-off sales
    item_id: str | None

    @property
    def net(self) -> Money:
        return self.amount - self.refunded
