"""Offers and plans a merchant publishes, with versioned prices, revenue splits and refund policies.

A merchant is an organisation (a shop, a creator, a brand) identified by its organisation id. An
offer groups plans ("Monthly pass", "Tier 1" and "Tier 2") and carries the rules every plan shares:
how each payment is split and how refunds are computed. A plan's price is versioned: a change adds a
new `PlanVersion`, and each subscription period records the version it was billed at, so a price
change reaches new periods only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing.errors import InvalidPlan, OfferArchived, PlanArchived, PlanNotFound, PriceChanged
from subscriptions.billing_calendar import STARS_PERIOD, Interval, Period, require_aware, split_price
from subscriptions.ledger import SHOP_SPLIT, RevenueSplit
from subscriptions.money import STARS, Money


class RefundKind(StrEnum):
    NONE = "none"
    PRORATED = "prorated"
    FULL_WITHIN_DAYS = "full_within_days"


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    """What a cancellation at once gives back: nothing, the unused time, or all within N days."""

    kind: RefundKind = RefundKind.NONE
    days: int = 0

    def refund_for(self, paid: Money, period: Period, paid_at: datetime, now: datetime) -> Money:
        """The refund owed for a period paid `paid` at `paid_at`, if cancelled at `now`."""
        now = require_aware(now)
        if self.kind is RefundKind.PRORATED:
            return split_price(paid, period, now)[1] if now < period.end else Money.zero(paid.currency)
        if self.kind is RefundKind.FULL_WITHIN_DAYS and now - require_aware(paid_at) <= timedelta(days=self.days):
            return paid
        return Money.zero(paid.currency)


class OfferStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One price of a plan from `effective_from` on; `id` travels with every period billed at it."""

    id: str
    price: Money
    effective_from: datetime


@dataclass(slots=True)
class Plan:
    """A way to subscribe to an offer: a price per interval, an optional trial and a per-user limit."""

    id: str
    name: str
    interval: Interval
    versions: list[PlanVersion]
    trial_days: int = 0
    per_user_limit: int = 1
    status: OfferStatus = OfferStatus.ACTIVE

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]

    @property
    def price(self) -> Money:
        return self.current.price

    def version(self, version_id: str) -> PlanVersion:
        for candidate in self.versions:
            if candidate.id == version_id:
                return candidate
        raise PlanNotFound(f"plan {self.id} has no version {version_id}")

    def change_price(self, version_id: str, price: Money, now: datetime) -> PlanVersion:
        """Publish a new price; periods already billed keep their version."""
        if price.currency != self.price.currency:
            raise InvalidPlan("a plan keeps its currency; publish a new plan for another one")
        _check_price(price, self.interval)
        new = PlanVersion(version_id, price, require_aware(now))
        self.versions.append(new)
        return new

    def check_price(self, expected: Money) -> None:
        """Raise `PriceChanged` unless `expected` is still the plan's price."""
        if expected != self.price:
            raise PriceChanged(f"plan {self.id} now costs {self.price}, not {expected}")


def _check_price(price: Money, interval: Interval) -> None:
    if not price.is_positive:
        raise InvalidPlan("a plan's price must be positive")
    # Telegram Stars subscriptions exist only as 30-day periods paid in XTR.
    if price.currency == STARS and interval != STARS_PERIOD:
        raise InvalidPlan("a Stars plan renews every 30 days")


def _check_plan(plan: Plan) -> None:
    _check_price(plan.price, plan.interval)
    if plan.trial_days < 0 or plan.per_user_limit < 1:
        raise InvalidPlan("trial days cannot be negative and the per-user limit is at least one")
    # Telegram's Stars subscriptions start charging at once; they have no trial.
    if plan.price.currency == STARS and plan.trial_days:
        raise InvalidPlan("Stars plans cannot have a trial")


@dataclass(slots=True)
class Offer:
    """What a merchant sells by subscription: plans plus the split and refund rules they share."""

    id: str
    merchant_id: str
    title: str
    plans: list[Plan]
    split: RevenueSplit = SHOP_SPLIT
    refund_policy: RefundPolicy = field(default_factory=RefundPolicy)
    status: OfferStatus = OfferStatus.ACTIVE
    version: int = 0

    def __post_init__(self) -> None:
        for plan in self.plans:
            _check_plan(plan)

    def plan(self, plan_id: str) -> Plan:
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise PlanNotFound(f"offer {self.id} has no plan {plan_id}")

    def open_plan(self, plan_id: str) -> Plan:
        """The plan, if the offer and the plan both still take subscribers."""
        if self.status is OfferStatus.ARCHIVED:
            raise OfferArchived(self.id)
        plan = self.plan(plan_id)
        if plan.status is OfferStatus.ARCHIVED:
            raise PlanArchived(plan_id)
        return plan

    def add_plan(self, plan: Plan) -> None:
        _check_plan(plan)
        self.plans.append(plan)
        self.version += 1

    def archive(self) -> None:
        self.status = OfferStatus.ARCHIVED
        self.version += 1

    def archive_plan(self, plan_id: str) -> None:
        self.plan(plan_id).status = OfferStatus.ARCHIVED
        self.version += 1

    def change_price(self, plan_id: str, version_id: str, price: Money, now: datetime) -> PlanVersion:
        new = self.plan(plan_id).change_price(version_id, price, now)
        self.version += 1
        return new


def new_plan(
    plan_id: str,
    version_id: str,
    name: str,
    price: Money,
    interval: Interval,
    now: datetime,
    trial_days: int = 0,
    per_user_limit: int = 1,
) -> Plan:
    """A plan with its first price version effective from `now`."""
    return Plan(
        id=plan_id,
        name=name,
        interval=interval,
        versions=[PlanVersion(version_id, price, require_aware(now))],
        trial_days=trial_days,
        per_user_limit=per_user_limit,
    )
