"""Passes: a product of N uses (20 Americanos a month, a pack of 10), and each holder's pass with its balance
and its append-only ledger of activities.

A pass is never edited in place to say what happened: every change of its balance is one `PassActivity`
carrying the balance after it, so the history a customer sees and the balance in the row agree by
construction, and a dispute is settled by reading the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.money import Money
from subscriptions.shops.errors import (
    DailyCapReached,
    InvalidPassProduct,
    NoUsesLeft,
    OutsideWindow,
    PassEnded,
)

PASS_ITEM = "shop.pass"  # a pack sold alone through billing's one-off purchases
USES_LIMIT = 1000
PACK_DAYS = 180  # a pack's uses last this long unless the product says otherwise


class PassKind(StrEnum):
    SUBSCRIPTION = "subscription"  # N uses each billing period, renewed by billing
    PACK = "pack"  # N uses bought once


@dataclass(frozen=True)
class Window:
    """The hours of the day (the shop's time) when the pass may be used, like 08:00-11:00."""

    starts: int  # minutes after midnight
    ends: int

    def allows(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return self.starts <= minute < self.ends

    @property
    def text(self) -> str:
        return f"{self.starts // 60:02d}:{self.starts % 60:02d}-{self.ends // 60:02d}:{self.ends % 60:02d}"


def parse_window(text: str) -> Window:
    found = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*[-~–]\s*(\d{1,2})[:.](\d{2})\s*", text)
    if found is None:
        raise InvalidPassProduct("window")
    hours = [int(found.group(index)) for index in (1, 3)]
    minutes = [int(found.group(index)) for index in (2, 4)]
    if any(hour > 24 for hour in hours) or any(minute > 59 for minute in minutes):
        raise InvalidPassProduct("window")
    starts, ends = hours[0] * 60 + minutes[0], hours[1] * 60 + minutes[1]
    if ends <= starts or ends > 24 * 60:
        raise InvalidPassProduct("window")
    return Window(starts, ends)


@dataclass(frozen=True)
class PassProduct:
    id: str
    org_id: int
    name: str  # "Monthly pass"
    item: str  # what one use is: "Americano"
    uses: int  # a period's (subscription) or the pack's
    kind: PassKind
    price: Money
    created_at: datetime
    daily_cap: int | None = None
    window: Window | None = None
    items: tuple[str, ...] = ()  # which menu items a use covers; empty: just `item`
    rollover_max: int = 0  # unused uses carried into the next period, at most this many; 0: they expire
    valid_days: int = PACK_DAYS  # a pack's life
    offer_id: str | None = None  # billing's offer and plan that sell a subscription pass
    plan_id: str | None = None
    active: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.uses <= USES_LIMIT:
            raise InvalidPassProduct("uses")
        if self.daily_cap is not None and not 1 <= self.daily_cap <= self.uses:
            raise InvalidPassProduct("daily_cap")
        if not 0 <= self.rollover_max <= USES_LIMIT:
            raise InvalidPassProduct("rollover")
        if self.kind is PassKind.SUBSCRIPTION and not (self.offer_id and self.plan_id):
            raise InvalidPassProduct("plan")


class PassStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # the period ran out with no renewal, or the subscription ended
    REFUNDED = "refunded"


@dataclass(frozen=True)
class Pass:
    id: str
    product_id: str
    org_id: int
    holder_id: int
    balance: int
    period_end: datetime | None  # when the uses of this period (or pack) run out
    status: PassStatus
    source: str  # "subscription:<id>", "purchase:<id>", "transfer:<id>"
    created_at: datetime
    version: int = 1

    @property
    def subscription_id(self) -> str | None:
        kind, _, reference = self.source.partition(":")
        return reference if kind == "subscription" else None

    def usable(self, now: datetime) -> bool:
        return self.status is PassStatus.ACTIVE and (self.period_end is None or now < self.period_end)


class ActivityKind(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    ROLLED_OVER = "rolled_over"
    TRANSFERRED = "transferred"
    REFUNDED = "refunded"
    ADJUSTED = "adjusted"  # an undone redemption, a correction


@dataclass(frozen=True)
class PassActivity:
    id: str
    pass_id: str
    kind: ActivityKind
    delta: int
    balance_after: int
    at: datetime
    actor_id: int | None = None  # the barista, the giver, the owner; None: the system
    reference: str | None = None  # the redemption, the transfer, the payment


def check_redeemable(pass_: Pass, product: PassProduct, *, now: datetime, local: datetime,
                     used_today: int) -> None:
    """Why one more use may not be taken now, as a named refusal; nothing when it may."""
    if not pass_.usable(now):
        raise PassEnded(pass_.id)
    if pass_.balance < 1:
        raise NoUsesLeft(pass_.id)
    if product.window is not None and not product.window.allows(local):
        raise OutsideWindow(product.window.text)
    if product.daily_cap is not None and used_today >= product.daily_cap:
        raise DailyCapReached(product.daily_cap)


@dataclass(frozen=True)
class PeriodTurn:
    """What a new period does to a balance: some uses expire, some roll over, the period's uses are added."""

    expired: int
    rolled_over: int
    issued: int

    @property
    def balance(self) -> int:
        return self.rolled_over + self.issued


def turn_period(balance: int, product: PassProduct) -> PeriodTurn:
    rolled = min(balance, product.rollover_max)
    return PeriodTurn(expired=balance - rolled, rolled_over=rolled, issued=product.uses)
