"""Gifts: a paid plan period wrapped in a single-use code that someone else claims.

The code is random (at least 128 bits from the id source), URL-safe, and short enough that the deep
link payload `gift_<code>` stays within Telegram's 64 characters. A claim starts the recipient's
subscription for one period; the buyer is told. A code nobody claimed expires and is refunded as
the offer's policy says. The buyer cannot claim their own gift: the link is meant to be forwarded,
and a buyer who taps it by mistake must not use it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing.errors import (
    CannotClaimOwnGift,
    GiftAlreadyClaimed,
    GiftCodeExpired,
    PayloadTooLong,
)
from subscriptions.billing.events import GiftClaimed, GiftExpired
from subscriptions.billing.offers import RefundKind, RefundPolicy
from subscriptions.billing_calendar import require_aware
from subscriptions.ids import UserId
from subscriptions.money import Money

DEEP_LINK_PREFIX = "gift_"
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,59}$")  # 59 + len("gift_") = 64
DEFAULT_GIFT_VALIDITY = timedelta(days=30)


def deep_link_payload(code: str) -> str:
    """`gift_<code>`, the `start` parameter of the gift's t.me link."""
    if not _CODE_SHAPE.match(code):
        raise PayloadTooLong(f"gift code must be 16-59 URL-safe characters, got {len(code)}")
    return DEEP_LINK_PREFIX + code


def code_from_payload(payload: str) -> str | None:
    """The code inside a `/start gift_<code>` payload, or None if it is not a gift link."""
    if not payload.startswith(DEEP_LINK_PREFIX):
        return None
    code = payload[len(DEEP_LINK_PREFIX) :]
    return code if _CODE_SHAPE.match(code) else None


class GiftStatus(StrEnum):
    UNCLAIMED = "unclaimed"
    CLAIMED = "claimed"
    EXPIRED = "expired"


@dataclass(slots=True)
class Gift:
    id: str
    code: str
    buyer_id: UserId
    merchant_id: str
    offer_id: str
    plan_id: str
    plan_version_id: str
    price: Money
    payment_id: str
    purchased_at: datetime
    expires_at: datetime
    status: GiftStatus = GiftStatus.UNCLAIMED
    recipient_id: UserId | None = None
    claimed_at: datetime | None = None
    subscription_id: str | None = None
    version: int = 0

    def __post_init__(self) -> None:
        deep_link_payload(self.code)

    def check_claimable(self, user_id: UserId, now: datetime) -> None:
        """Raise the named reason this user cannot claim the gift now."""
        if self.status is GiftStatus.CLAIMED:
            raise GiftAlreadyClaimed(self.id)
        if self.status is GiftStatus.EXPIRED or require_aware(now) >= self.expires_at:
            raise GiftCodeExpired(self.id)
        if user_id == self.buyer_id:
            raise CannotClaimOwnGift(self.id)

    def claim(self, user_id: UserId, subscription_id: str, now: datetime) -> GiftClaimed:
        self.check_claimable(user_id, now)
        self.status = GiftStatus.CLAIMED
        self.recipient_id = user_id
        self.claimed_at = require_aware(now)
        self.subscription_id = subscription_id
        self.version += 1
        return GiftClaimed(self.id, self.buyer_id, user_id, subscription_id, self.claimed_at)

    def expire(self, policy: RefundPolicy, now: datetime) -> GiftExpired | None:
        """Close an unclaimed gift past its expiry; the event carries the refund the policy gives."""
        now = require_aware(now)
        if self.status is not GiftStatus.UNCLAIMED or now < self.expires_at:
            return None
        self.status = GiftStatus.EXPIRED
        self.version += 1
        return GiftExpired(self.id, self.buyer_id, gift_refund(policy, self.price, self.purchased_at, now), now)


def gift_refund(policy: RefundPolicy, price: Money, purchased_at: datetime, now: datetime) -> Money:
    """An unclaimed gift was never used: prorated means all of it; "full within N days" counts from purchase."""
    if policy.kind is RefundKind.PRORATED:
        return price
    if policy.kind is RefundKind.FULL_WITHIN_DAYS and require_aware(now) - purchased_at <= timedelta(days=policy.days):
        return price
    return Money.zero(price.currency)
