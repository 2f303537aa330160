"""Shop gift cards: a won balance bought by card, given by a link, spent in parts at the counter.

Like a pass, a card's balance only moves through activities that carry the balance after them. A spend is
asked by staff (the amount) and confirmed by the holder with a tap; the confirmation takes the amount with one
conditional write (`balance >= amount`), so two spends can never take more than the card holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.money import Money
from subscriptions.shops.errors import InvalidGiftCardAmount

GIFT_CARD_ITEM = "shop.gift_card"
CURRENCY = "KRW"
AMOUNT_RANGE = (10_000, 500_000)
SUGGESTED_AMOUNTS = (10_000, 30_000, 50_000, 100_000)
SPEND_LIFETIME = timedelta(minutes=5)
GIFT_LINK_LIFETIME = timedelta(days=30)


def check_amount(amount: int) -> Money:
    low, high = AMOUNT_RANGE
    if not low <= amount <= high or amount % 1000:
        raise InvalidGiftCardAmount(str(amount))
    return Money(amount, CURRENCY)


class GiftCardStatus(StrEnum):
    ACTIVE = "active"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class GiftCard:
    id: str
    org_id: int
    holder_id: int
    buyer_id: int
    initial: int  # won
    balance: int
    status: GiftCardStatus
    payment_id: str
    created_at: datetime
    gift_code: str | None = None  # the open giving link, until it is claimed
    version: int = 1

    @property
    def touched(self) -> bool:
        return self.balance != self.initial

    def money(self, amount: int | None = None) -> Money:
        return Money(self.balance if amount is None else amount, CURRENCY)


class GiftCardActivityKind(StrEnum):
    ISSUED = "issued"
    GIVEN = "given"
    SPENT = "spent"
    REFUNDED = "refunded"
    ADJUSTED = "adjusted"


@dataclass(frozen=True)
class GiftCardActivity:
    id: str
    card_id: str
    kind: GiftCardActivityKind
    delta: int
    balance_after: int
    at: datetime
    actor_id: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class SpendRequest:
    """Staff asked `amount` from a card; the holder confirms or declines."""

    id: str
    card_id: str
    org_id: int
    staff_id: int
    holder_id: int
    amount: int
    created_at: datetime
    expires_at: datetime
    status: str = "waiting"  # waiting | confirmed | declined
