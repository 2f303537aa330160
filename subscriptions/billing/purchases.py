"""One-off purchases and tips: an item bought once (a single post) or a tip to a merchant, paid like any checkout.

Billing names no other domain's concepts: an item is an opaque pair of a kind and an id (`("post", "p123")`,
`("creator", "42")`) that the selling domain chooses. A `Purchase` is stored once its payment is credited; a
PURCHASE makes the item the buyer's (`owns_item`) until its payment is refunded in full, a TIP may repeat and
carries a short message to the merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.billing.errors import InvalidPurchase, TipMessageTooLong
from subscriptions.billing.payments import PurchaseTerms, Purpose
from subscriptions.ids import UserId
from subscriptions.ledger import RevenueSplit
from subscriptions.money import Money

ITEM_KIND_LIMIT = 32
ITEM_ID_LIMIT = 64
TIP_MESSAGE_LIMIT = 200  # characters: a line the merchant reads, not a letter


class PurchaseStatus(StrEnum):
    ACTIVE = "active"
    REFUNDED = "refunded"


@dataclass(slots=True)
class Purchase:
    """A credited one-off payment: what was bought (or tipped for), by whom, from whom, and for how much."""

    id: str
    user_id: UserId
    merchant_id: str
    item_kind: str
    item_id: str
    purpose: Purpose
    amount: Money
    payment_id: str
    created_at: datetime
    curator_id: UserId | None = None
    message: str | None = None
    status: PurchaseStatus = PurchaseStatus.ACTIVE
    version: int = 0

    @property
    def is_active(self) -> bool:
        return self.status is PurchaseStatus.ACTIVE

    def mark_refunded(self) -> bool:
        """Whether this changed anything (a purchase refunded twice is refunded once)."""
        if not self.is_active:
            return False
        self.status = PurchaseStatus.REFUNDED
        self.version += 1
        return True


def purchase_terms(
    *, purpose: Purpose, item_kind: str, item_id: str, description: str, split: RevenueSplit, message: str | None
) -> PurchaseTerms:
    """The terms of a one-off sale, checked: a purchase or a tip, of a named item, with a short message."""
    if not purpose.is_one_off:
        raise InvalidPurchase(f"{purpose} is not a one-off sale")
    if not 0 < len(item_kind) <= ITEM_KIND_LIMIT or not 0 < len(item_id) <= ITEM_ID_LIMIT:
        raise InvalidPurchase(f"item {item_kind!r}/{item_id!r} is not an item")
    text = (message or "").strip()
    if len(text) > TIP_MESSAGE_LIMIT:
        raise TipMessageTooLong(f"{len(text)} characters, at most {TIP_MESSAGE_LIMIT}")
    return PurchaseTerms(item_kind, item_id, description, split, text or None)




