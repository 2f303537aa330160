"""Payments as the domain sees them: checkouts, providers, pre-checkout answers, credited payments.

A `Checkout` is what is being paid (a new subscription, a renewal, an upgrade's difference, a
gift, or a one-off item or tip, whose `PurchaseTerms` it carries): its `payload` is the invoice payload Telegram hands back in the pre-checkout query and in
`successful_payment`. A payment is credited once per `telegram_payment_charge_id`; the record of
it (`Payment`) is what receipts, refunds and the ledger refer to.

Providers differ in what they can do by themselves: Telegram Stars renews a 30-day subscription on
its own and refunds whole payments only; a card provider charges only when the user pays an invoice,
so renewals go out as invoices before each period ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from subscriptions.billing.errors import PayloadTooLong, PriceOutOfRange, UnsupportedByProvider
from subscriptions.billing.events import Command, RefundCardPayment, RefundStarPayment
from subscriptions.billing_calendar import STARS_PERIOD, Interval, require_aware
from subscriptions.errors import RefundExceedsPayment
from subscriptions.ids import UserId
from subscriptions.ledger import RevenueSplit
from subscriptions.money import STARS, Money

PAYLOAD_LIMIT = 64  # Telegram: invoice payload 1-128 bytes, deep-link payload 64 chars; we keep both under 64
STARS_SUBSCRIPTION_PERIOD_SECONDS = 2_592_000
STARS_PER_ITEM = (1, 10_000)  # Telegram: a Stars invoice asks for 1 to 10,000 Stars


class Purpose(StrEnum):
    NEW_SUBSCRIPTION = "new_subscription"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    GIFT = "gift"
    PURCHASE = "purchase"  # a one-off item (a single post); other domains key earnings on this string
    TIP = "tip"

    @property
    def is_one_off(self) -> bool:
        return self in (Purpose.PURCHASE, Purpose.TIP)


class CheckoutStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    EXPIRED = "expired"


def checkout_payload(checkout_id: str) -> str:
    """The invoice payload for a checkout: short, opaque, within Telegram's limits."""
    payload = f"ck_{checkout_id}"
    if len(payload) > PAYLOAD_LIMIT:
        raise PayloadTooLong(payload)
    return payload


@dataclass(frozen=True, slots=True)
class PurchaseTerms:
    """What a one-off checkout sells: an opaque item (`("post", "p123")`, `("creator", "42")`), the invoice's
    description, how the payment is split, and a tip's message to the merchant."""

    item_kind: str
    item_id: str
    description: str
    split: RevenueSplit
    message: str | None = None


@dataclass(slots=True)
class Checkout:
    """An invoice in flight: who pays what for which purpose, and whether it was paid."""

    id: str
    payload: str
    idempotency_key: str
    user_id: UserId
    merchant_id: str
    offer_id: str
    plan_id: str
    plan_version_id: str
    amount: Money
    purpose: Purpose
    provider: str
    title: str
    created_at: datetime
    expires_at: datetime
    timezone: str = "Asia/Seoul"  # the payer's, for the billing anchor of a new subscription
    subscription_id: str | None = None
    term_number: int | None = None  # for renewals: the term this pays for
    curator_id: UserId | None = None
    credit: Money | None = None  # for upgrades: unused time of the old plan, already netted from `amount`
    status: CheckoutStatus = CheckoutStatus.OPEN
    payment_id: str | None = None
    version: int = 0
    purchase: PurchaseTerms | None = None  # a one-off checkout's item (its offer and plan ids are empty)

    def is_open(self, now: datetime) -> bool:
        return self.status is CheckoutStatus.OPEN and require_aware(now) < self.expires_at

    def mark_paid(self, payment_id: str) -> None:
        self.status = CheckoutStatus.PAID
        self.payment_id = payment_id
        self.version += 1


@dataclass(frozen=True, slots=True)
class LabeledPrice:
    label: str
    amount: int  # minor units, as the Bot API takes them


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    """What to ask Telegram for: `sendInvoice` (cards) or `createInvoiceLink` (Stars subscriptions).

    `provider_token_required` is False for Stars (XTR invoices take an empty token);
    `subscription_period` is set only for native Stars subscriptions.
    """

    payload: str
    title: str
    description: str
    currency: str
    prices: tuple[LabeledPrice, ...]
    provider_token_required: bool
    subscription_period: int | None


class PaymentProvider(Protocol):
    """What the domain needs from a way to pay; the Telegram calls behind it are the bot's."""

    @property
    def name(self) -> str: ...

    @property
    def renews_by_itself(self) -> bool: ...

    def check_supports(self, currency: str, interval: Interval) -> None: ...

    def check_one_off(self, price: Money) -> None:
        """Refuse a one-off price this provider cannot take: `UnsupportedByProvider` for its currency,
        `PriceOutOfRange` for its amount."""
        ...

    def invoice_for(self, checkout: Checkout, description: str) -> InvoiceRequest: ...

    def refundable(self, paid: Money, wanted: Money) -> Money: ...

    def refund_command(self, payment: Payment, amount: Money, now: datetime) -> Command: ...


@dataclass(frozen=True, slots=True)
class CardProvider:
    """A Telegram Payments provider (a provider token from the environment, many currencies)."""

    name: str = "card"
    currencies: frozenset[str] = frozenset({"KRW", "JPY", "USD", "EUR"})

    @property
    def renews_by_itself(self) -> bool:
        return False

    def check_supports(self, currency: str, interval: Interval) -> None:
        if currency not in self.currencies:
            raise UnsupportedByProvider(f"{self.name} does not take {currency}")

    def check_one_off(self, price: Money) -> None:
        if price.currency not in self.currencies:
            raise UnsupportedByProvider(f"{self.name} does not take {price.currency}")
        if not price.is_positive:
            raise PriceOutOfRange(f"{price} is not a price")

    def invoice_for(self, checkout: Checkout, description: str) -> InvoiceRequest:
        price = LabeledPrice(checkout.title, checkout.amount.to_telegram())
        return InvoiceRequest(
            checkout.payload, checkout.title, description, checkout.amount.currency, (price,), True, None
        )

    def refundable(self, paid: Money, wanted: Money) -> Money:
        return wanted

    def refund_command(self, payment: Payment, amount: Money, now: datetime) -> Command:
        return RefundCardPayment(self.name, payment.provider_charge_id, amount, now)


@dataclass(frozen=True, slots=True)
class StarsProvider:
    """Telegram Stars: XTR only, 30-day native subscriptions, whole-payment refunds."""

    name: str = "stars"

    @property
    def renews_by_itself(self) -> bool:
        return True

    def check_supports(self, currency: str, interval: Interval) -> None:
        if currency != STARS:
            raise UnsupportedByProvider("Stars payments are in XTR")
        if interval != STARS_PERIOD:
            raise UnsupportedByProvider("Stars subscriptions renew every 30 days")

    def check_one_off(self, price: Money) -> None:
        if price.currency != STARS:
            raise UnsupportedByProvider("Stars payments are in XTR")
        low, high = STARS_PER_ITEM
        if not low <= price.amount_minor <= high:
            raise PriceOutOfRange(f"{price} is outside {low}-{high} Stars")

    def invoice_for(self, checkout: Checkout, description: str) -> InvoiceRequest:
        recurring = checkout.purpose is Purpose.NEW_SUBSCRIPTION
        price = LabeledPrice(checkout.title, checkout.amount.to_telegram())
        period = STARS_SUBSCRIPTION_PERIOD_SECONDS if recurring else None
        return InvoiceRequest(checkout.payload, checkout.title, description, STARS, (price,), False, period)

    def refundable(self, paid: Money, wanted: Money) -> Money:
        # refundStarPayment returns a whole payment; a partial refund cannot be made, so none is.
        return paid if wanted == paid else Money.zero(paid.currency)

    def refund_command(self, payment: Payment, amount: Money, now: datetime) -> Command:
        return RefundStarPayment(payment.user_id, payment.charge_id, now)


@dataclass(frozen=True, slots=True)
class SuccessfulPayment:
    """The fields of Telegram's `successful_payment` the domain needs (the handler parses them)."""

    user_id: UserId
    currency: str
    total_amount: int
    invoice_payload: str
    telegram_payment_charge_id: str
    provider_payment_charge_id: str = ""
    is_recurring: bool = False
    is_first_recurring: bool = False
    subscription_expiration_date: datetime | None = None

    @property
    def amount(self) -> Money:
        return Money.from_telegram(self.total_amount, self.currency)


@dataclass(slots=True)
class Payment:
    """A credited payment: one per Telegram charge id (the storage backs this with a unique index)."""

    id: str
    charge_id: str
    provider_charge_id: str
    provider: str
    user_id: UserId
    merchant_id: str
    offer_id: str
    checkout_id: str
    purpose: Purpose
    amount: Money
    paid_at: datetime
    description: str
    subscription_id: str | None = None
    gift_id: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    refunded: Money | None = None
    version: int = 0

    @property
    def refunded_amount(self) -> Money:
        return self.refunded if self.refunded is not None else Money.zero(self.amount.currency)

    @property
    def refundable_amount(self) -> Money:
        return self.amount - self.refunded_amount

    def record_refund(self, amount: Money) -> None:
        if amount > self.refundable_amount or not amount.is_positive:
            raise RefundExceedsPayment(f"{amount} of {self.refundable_amount} left on {self.id}")
        self.refunded = self.refunded_amount + amount
        self.version += 1


@dataclass(frozen=True, slots=True)
class PreCheckoutQuery:
    user_id: UserId
    invoice_payload: str
    currency: str
    total_amount: int


class Reason(StrEnum):
    """Why a pre-checkout query is declined; handlers translate the code into the user's language."""

    UNKNOWN_CHECKOUT = "unknown_checkout"
    WRONG_USER = "wrong_user"
    ALREADY_PAID = "already_paid"
    EXPIRED = "expired"
    PRICE_CHANGED = "price_changed"
    CURRENCY_MISMATCH = "currency_mismatch"
    OFFER_ARCHIVED = "offer_archived"
    PLAN_ARCHIVED = "plan_archived"
    LIMIT_REACHED = "limit_reached"
    BANNED = "banned"
    SUBSCRIPTION_CLOSED = "subscription_closed"
    ALREADY_OWNED = "already_owned"


@dataclass(frozen=True, slots=True)
class PreCheckoutAnswer:
    """`ok=True` -> answerPreCheckoutQuery(ok=True); otherwise decline with `reason`."""

    ok: bool
    reason: Reason | None = None

    @classmethod
    def accept(cls) -> PreCheckoutAnswer:
        return cls(True)

    @classmethod
    def decline(cls, reason: Reason) -> PreCheckoutAnswer:
        return cls(False, reason)
