"""One-off sales: starting the checkout of an item or a tip, crediting its payment once, and what was bought.

The selling domain names the item, its price and how the money is split; billing checks the price against
the provider (Stars take 1 to 10,000 per item), refuses a stale price and a second purchase of an item the
user holds, and answers a double tap with the first tap's checkout. The payment is credited on
`successful_payment` through `record_successful_payment`, once per charge id, like every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from subscriptions.billing.errors import (
    AlreadyOwned,
    CheckoutAlreadyPaid,
    CheckoutExpired,
    InvalidPurchase,
    NotMerchantMember,
    PriceChanged,
)
from subscriptions.billing.events import ItemPurchased, TipPaid
from subscriptions.billing.payments import (
    Checkout,
    CheckoutStatus,
    Payment,
    Purpose,
    Reason,
    SuccessfulPayment,
    checkout_payload,
)
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.purchases import Purchase, purchase_terms
from subscriptions.billing.services.common import Billing, CheckoutStarted, credit_payment, refund_payment
from subscriptions.ids import UserId
from subscriptions.ledger import RevenueSplit
from subscriptions.money import Money

PAGE = 20


async def start_purchase(
    billing: Billing, *,
    user_id: UserId,
    merchant_id: str,
    item_kind: str,
    item_id: str,
    title: str,
    description: str,
    price: Money,
    expected_price: Money | None,
    split: RevenueSplit,
    curator_id: UserId | None,
    idempotency_key: str,
    purpose: Purpose,
    message: str | None = None,
) -> CheckoutStarted:
    """Open the checkout of a one-off item (PURCHASE) or a tip (TIP), to be sent as a one-off invoice.

    `expected_price` is the price the user saw on the button: a different one raises `PriceChanged` with the
    price as it is now. The same `idempotency_key` returns the first checkout (`CheckoutStarted.repeated`).
    """
    terms = purchase_terms(purpose=purpose, item_kind=item_kind, item_id=item_id, description=description,
                           split=split, message=message)
    if not title.strip():
        raise InvalidPurchase("a one-off sale needs a title")
    provider = billing.provider_for_price(price)
    async with billing.uow() as uow:
        found = await uow.checkouts.by_idempotency_key(user_id, idempotency_key)
        if found is not None:
            return _again(billing, found)
        if expected_price is not None and expected_price != price:
            raise PriceChanged(f"{item_kind} {item_id} now costs {price}, not {expected_price}", price=price)
        if await uow.bans.is_banned(user_id, merchant_id):
            raise NotMerchantMember(f"{user_id} is banned by {merchant_id}")
        if purpose is Purpose.PURCHASE and await uow.purchases.owned(user_id, item_kind, [item_id]):
            raise AlreadyOwned(f"{user_id} holds {item_kind} {item_id}")
        now = billing.clock.now()
        checkout_id = billing.ids.new_id()
        checkout = Checkout(
            id=checkout_id, payload=checkout_payload(checkout_id), idempotency_key=idempotency_key,
            user_id=user_id, merchant_id=merchant_id, offer_id="", plan_id="", plan_version_id="",
            amount=price, purpose=purpose, provider=provider.name, title=title.strip(), created_at=now,
            expires_at=now + billing.settings.checkout_ttl, curator_id=curator_id, purchase=terms,
        )
        await uow.checkouts.add(checkout)
        await uow.commit()
    return CheckoutStarted(checkout, provider.invoice_for(checkout, terms.description))


def _again(billing: Billing, found: Checkout) -> CheckoutStarted:
    """A double tap: the first tap's checkout, if it can still be paid."""
    if found.purchase is None:
        raise InvalidPurchase(f"checkout {found.id} sells no item")
    if found.status is CheckoutStatus.PAID:
        raise CheckoutAlreadyPaid(found.id)
    if not found.is_open(billing.clock.now()):
        raise CheckoutExpired(found.id)
    invoice = billing.provider(found.provider).invoice_for(found, found.purchase.description)
    return CheckoutStarted(found, invoice, repeated=True)


async def purchase_reason(uow: UnitOfWork, checkout: Checkout) -> Reason | None:
    """Why a one-off checkout can no longer be paid (pre-checkout): a ban, or the item bought meanwhile."""
    terms = checkout.purchase
    if terms is None:
        return None
    if await uow.bans.is_banned(checkout.user_id, checkout.merchant_id):
        return Reason.BANNED
    if checkout.purpose is Purpose.PURCHASE and await uow.purchases.owned(
            checkout.user_id, terms.item_kind, [terms.item_id]):
        return Reason.ALREADY_OWNED
    return None


async def credit_purchase(
    uow: UnitOfWork, billing: Billing, checkout: Checkout, paid: SuccessfulPayment, now: datetime
) -> tuple[Payment, Purchase | None]:
    """Credit a one-off payment and store what it bought; money for a checkout paid before or an item the
    user holds by now (two invoices paid) is credited and refunded at once (no purchase)."""
    terms = checkout.purchase
    if terms is None:
        raise InvalidPurchase(f"checkout {checkout.id} sells no item")
    owned = checkout.purpose is Purpose.PURCHASE and bool(
        await uow.purchases.owned(checkout.user_id, terms.item_kind, [terms.item_id]))
    if checkout.status is CheckoutStatus.PAID or owned:
        payment = await credit_payment(uow, billing, checkout, paid, now, terms.split)
        await refund_payment(uow, billing, payment, payment.amount, now, "refund: paid twice or already owned")
        return payment, None
    payment = await credit_payment(uow, billing, checkout, paid, now, terms.split)
    purchase = Purchase(
        id=billing.ids.new_id(), user_id=checkout.user_id, merchant_id=checkout.merchant_id,
        item_kind=terms.item_kind, item_id=terms.item_id, purpose=checkout.purpose, amount=payment.amount,
        payment_id=payment.id, created_at=now, curator_id=checkout.curator_id, message=terms.message,
    )
    await uow.purchases.add(purchase)
    if purchase.purpose is Purpose.TIP:
        await uow.events.add([TipPaid(purchase.id, payment.id, purchase.user_id, purchase.merchant_id,
                                      purchase.item_kind, purchase.item_id, purchase.amount, purchase.message, now)])
    else:
        await uow.events.add([ItemPurchased(purchase.id, payment.id, purchase.user_id, purchase.merchant_id,
                                            purchase.item_kind, purchase.item_id, purchase.amount,
                                            purchase.curator_id, now)])
    return payment, purchase


# --- reads ----------------------------------------------------------------------------------------------


async def owns_item(billing: Billing, user_id: UserId, item_kind: str, item_id: str) -> bool:
    """Whether the user holds a purchase of the item that was not refunded."""
    return bool(await owned_items(billing, user_id, item_kind, [item_id]))


async def owned_items(billing: Billing, user_id: UserId, item_kind: str, item_ids: Sequence[str]) -> set[str]:
    """Those of `item_ids` the user holds (a page of posts in one query)."""
    if not item_ids:
        return set()
    async with billing.uow() as uow:
        return await uow.purchases.owned(user_id, item_kind, item_ids)


async def purchases_of_merchant(billing: Billing, merchant_id: str, *, limit: int = PAGE, offset: int = 0,
                                item: tuple[str, str] | None = None) -> list[Purchase]:
    """The merchant's sales of single items, refunded ones included, newest first."""
    async with billing.uow() as uow:
        return await uow.purchases.of_merchant(merchant_id, Purpose.PURCHASE, limit, offset, item)


async def tips_of_merchant(billing: Billing, merchant_id: str, *, limit: int = PAGE, offset: int = 0,
                           item: tuple[str, str] | None = None) -> list[Purchase]:
    """The tips the merchant received (to it, or for one item when `item` is given), newest first."""
    async with billing.uow() as uow:
        return await uow.purchases.of_merchant(merchant_id, Purpose.TIP, limit, offset, item)
