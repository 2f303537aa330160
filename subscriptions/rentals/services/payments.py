"""Rentals' money through billing: the first payment as a one-off checkout, the contract it starts once billing
credited it, and the refund the cooling-off owes.

Billing names no rental: the first payment is an item of kind `FIRST_PAYMENT` whose id is the application's,
sold by the brand (its organisation id is the merchant). The money is billing's to credit (once per charge,
a second invoice paid is refunded at once) and to refund; the contract is ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.billing.payments import Purpose
from subscriptions.billing.services import Billing, CheckoutStarted, refund, start_purchase
from subscriptions.errors import RefundExceedsPayment
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import contracts as rules
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import RENT_SPLIT, Contract, Instalment
from subscriptions.rentals.errors import ApplicationClosed, AwaitingReview, PaymentMismatch, WrongStep
from subscriptions.rentals.services.applications import FirstPayment, first_payment
from subscriptions.rentals.services.common import load_product
from subscriptions.rentals.services.contracts import record_first_payment

FIRST_PAYMENT = "rental_first_payment"  # billing's item kind; the item id is the application's
TITLE_LIMIT = 32  # Telegram's invoice title


@dataclass(frozen=True)
class FirstPaymentCheckout:
    """The invoice to send, with its parts as the customer is shown them."""

    started: CheckoutStarted
    parts: FirstPayment
    product: LocalText


async def checkout_first_payment(rentals: Rentals, billing: Billing, applicant_id: int, application_id: str,
                                 *, language: str) -> FirstPaymentCheckout:
    """Open (or find, on a double tap the same day) the checkout of the registration fee, the first month and
    the deposit of a signed application."""
    parts = await first_payment(rentals, applicant_id, application_id)
    async with rentals.read() as uow:
        application = await uow.rental_applications.get(application_id)
        assert application is not None  # first_payment found it the applicant's
        product = (await load_product(uow, application.product_id)).name
    day = int(rentals.clock.now().timestamp() // 86_400)  # a checkout lives a day: the next day's is new
    started = await start_purchase(
        billing, user_id=applicant_id, merchant_id=str(application.brand_id), item_kind=FIRST_PAYMENT,
        item_id=application_id, title=product.in_language(language)[:TITLE_LIMIT],
        description=product.in_language(language)[:255], price=parts.total, expected_price=parts.total,
        split=RENT_SPLIT, curator_id=None, idempotency_key=f"{FIRST_PAYMENT}:{application_id}:{day}"[:64],
        purpose=Purpose.PURCHASE)
    return FirstPaymentCheckout(started, parts, product)


@dataclass(frozen=True)
class Confirmed:
    contract: Contract
    product: LocalText
    next_payment: Instalment | None


@dataclass(frozen=True)
class RefundedLate:
    """The first payment came for an application that could no longer take it (it expired or was canceled
    between the invoice and the payment, or the amount is not the plan's): billing refunded all of it."""

    applicant_id: int
    amount: Money
    reason: str  # the refusal's code


async def first_payment_credited(rentals: Rentals, billing: Billing, application_id: str, payment_id: str,
                                 amount: Money, now: datetime) -> Confirmed | RefundedLate:
    """Billing credited the first payment (`payment_id` is billing's): the contract starts, once; money for an
    application that ended meanwhile goes back at once, never kept without a contract."""
    try:
        contract = await record_first_payment(rentals, application_id, payment_id, amount)
    except (ApplicationClosed, WrongStep, AwaitingReview, PaymentMismatch) as refused:
        async with rentals.read() as uow:
            application = await uow.rental_applications.get(application_id)
        assert application is not None  # only a missing application raises ApplicationNotFound
        await refund_cooling_off(billing, payment_id)  # all of it; nothing when it came before and went back
        return RefundedLate(application.applicant_id, amount, refused.code)
    async with rentals.read() as uow:
        product = await uow.rental_products.get(contract.product_id)
    name = product.name if product is not None else LocalText(contract.product_id, contract.product_id)
    return Confirmed(contract, name, rules.next_payment(contract, now))


async def refund_cooling_off(billing: Billing, payment_id: str) -> bool:
    """Billing refunds all of a first payment: of a contract canceled in its cooling-off period (the deposit
    with it), or one that came too late; False when nothing was left to refund (the event came again)."""
    try:
        await refund(billing, payment_id=payment_id)
    except RefundExceedsPayment:
        return False
    return True
