"""What every use case shares: the dependencies (`Billing`), loading an offer or an owned subscription,
opening a checkout, crediting a payment, and refunding one in the journal and at the provider.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from subscriptions.billing.errors import (
    CheckoutAlreadyPaid,
    CheckoutExpired,
    NotMerchantMember,
    OfferNotFound,
    PaymentNotFound,
    SubscriptionNotFound,
    UnsupportedByProvider,
)
from subscriptions.billing.events import PaymentReceived, PaymentRefunded, PurchaseRefunded, RefundCardPayment
from subscriptions.billing.gifts import DEFAULT_GIFT_VALIDITY
from subscriptions.billing.offers import Offer, Plan, PlanVersion
from subscriptions.billing.payments import (
    Checkout,
    CheckoutStatus,
    InvoiceRequest,
    Payment,
    PaymentProvider,
    Purpose,
    SuccessfulPayment,
    checkout_payload,
)
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.refunds import RefundTask
from subscriptions.billing.subscription import DunningPolicy, Status, Subscription
from subscriptions.ids import UserId
from subscriptions.ledger import RevenueSplit, payment_transaction, refund_transaction
from subscriptions.money import Money
from subscriptions.ports import Clock, IdSource


@dataclass(frozen=True, slots=True)
class BillingSettings:
    checkout_ttl: timedelta = timedelta(hours=24)
    renewal_lead: timedelta = timedelta(days=3)  # renewal invoices go out this long before a term ends
    gift_validity: timedelta = DEFAULT_GIFT_VALIDITY
    dunning: DunningPolicy = field(default_factory=DunningPolicy)


@dataclass(frozen=True, slots=True)
class Billing:
    """What billing's use cases need: where units of work come from, the clock, the id source, the payment
    providers and the settings. Every use case takes it first (`await subscribe(billing, ...)`)."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    ids: IdSource
    providers: Mapping[str, PaymentProvider]
    settings: BillingSettings = field(default_factory=BillingSettings)

    def within(self, uow: UnitOfWork) -> Billing:
        """The same billing, every use case joining `uow`'s transaction (a batch that commits once)."""
        return replace(self, uow=lambda: uow)

    def using(self, units: Callable[[], UnitOfWork]) -> Billing:
        """The same billing over other units of work (a sweep's, which yield to chat replies)."""
        return replace(self, uow=units)

    def provider(self, name: str) -> PaymentProvider:
        try:
            return self.providers[name]
        except KeyError:
            raise UnsupportedByProvider(f"no provider {name!r}") from None

    def provider_for(self, plan: Plan) -> PaymentProvider:
        """The first provider that can bill `plan` (Stars for XTR plans, the card provider otherwise)."""
        for provider in self.providers.values():
            try:
                provider.check_supports(plan.price.currency, plan.interval)
            except UnsupportedByProvider:
                continue
            return provider
        raise UnsupportedByProvider(f"no provider takes {plan.price.currency} every {plan.interval}")

    def provider_for_price(self, price: Money) -> PaymentProvider:
        """The first provider that takes `price` once (Stars for XTR, the card provider otherwise); a price
        out of its range raises `PriceOutOfRange`."""
        for provider in self.providers.values():
            try:
                provider.check_one_off(price)
            except UnsupportedByProvider:
                continue
            return provider
        raise UnsupportedByProvider(f"no provider takes {price.currency}")


@dataclass(frozen=True, slots=True)
class CheckoutStarted:
    checkout: Checkout
    invoice: InvoiceRequest
    repeated: bool = False  # a double tap found this checkout: its invoice went out with the first tap


async def load_offer(uow: UnitOfWork, offer_id: str, merchant_id: str | None = None) -> Offer:
    offer = await uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    if merchant_id is not None and offer.merchant_id != merchant_id:
        raise NotMerchantMember(f"{merchant_id} does not own {offer_id}")
    return offer


async def new_checkout(
    uow: UnitOfWork,
    billing: Billing,
    *,
    user_id: UserId,
    offer: Offer,
    plan: Plan,
    purpose: Purpose,
    idempotency_key: str,
    amount: Money | None = None,
    version: PlanVersion | None = None,
    subscription: Subscription | None = None,
    term_number: int | None = None,
    timezone: str = "Asia/Seoul",
    curator_id: UserId | None = None,
    credit: Money | None = None,
    open_until: datetime | None = None,
) -> CheckoutStarted:
    provider = billing.provider(subscription.provider) if subscription else billing.provider_for(plan)
    version = version or plan.current
    now = billing.clock.now()
    checkout_id = billing.ids.new_id()
    checkout = Checkout(
        id=checkout_id,
        payload=checkout_payload(checkout_id),
        idempotency_key=idempotency_key,
        user_id=user_id,
        merchant_id=offer.merchant_id,
        offer_id=offer.id,
        plan_id=plan.id,
        plan_version_id=version.id,
        amount=amount or version.price,
        purpose=purpose,
        provider=provider.name,
        title=f"{offer.title} - {plan.name}",
        created_at=now,
        expires_at=open_until or now + billing.settings.checkout_ttl,
        timezone=timezone,
        subscription_id=subscription.id if subscription else None,
        term_number=term_number,
        curator_id=curator_id,
        credit=credit,
    )
    await uow.checkouts.add(checkout)
    return CheckoutStarted(checkout, provider.invoice_for(checkout, plan.name))


async def credit_payment(
    uow: UnitOfWork,
    billing: Billing,
    checkout: Checkout,
    paid: SuccessfulPayment,
    now: datetime,
    split: RevenueSplit,
    *,
    subscription: Subscription | None = None,
    gift_id: str | None = None,
    mark_paid: bool = True,
) -> Payment:
    """Store the payment, its split in the ledger and the receipt event; mark the checkout paid."""
    term = subscription.term if subscription else None
    payment = Payment(
        id=billing.ids.new_id(),
        charge_id=paid.telegram_payment_charge_id,
        provider_charge_id=paid.provider_payment_charge_id,
        provider=checkout.provider,
        user_id=checkout.user_id,
        merchant_id=checkout.merchant_id,
        offer_id=checkout.offer_id,
        checkout_id=checkout.id,
        purpose=Purpose.RENEWAL if paid.is_recurring and not paid.is_first_recurring else checkout.purpose,
        amount=paid.amount,
        paid_at=now,
        description=checkout.title,
        subscription_id=subscription.id if subscription else None,
        gift_id=gift_id,
        period_start=term.start if term else None,
        period_end=term.end if term else None,
    )
    await uow.payments.add(payment)
    curator = checkout.curator_id or (subscription.curator_id if subscription else None)
    await uow.ledger.append(
        payment_transaction(
            transaction_id=billing.ids.new_id(), payment_id=payment.id, provider=checkout.provider,
            amount=payment.amount, split=split.split(payment.amount, curator is not None),
            merchant_id=checkout.merchant_id, curator_id=curator, at=now, description=checkout.title,
        )
    )
    if mark_paid and checkout.status is CheckoutStatus.OPEN:
        before = checkout.version
        checkout.mark_paid(payment.id)
        await uow.checkouts.save(checkout, before)
    await uow.events.add(
        [PaymentReceived(payment.id, payment.user_id, payment.merchant_id, payment.amount, payment.purpose.value,
                         payment.subscription_id, now)]
    )
    return payment


async def existing_checkout(uow: UnitOfWork, billing: Billing, user_id: UserId, key: str) -> CheckoutStarted | None:
    """A double tap returns the checkout the first tap made."""
    found = await uow.checkouts.by_idempotency_key(user_id, key)
    if found is None:
        return None
    if found.status is CheckoutStatus.PAID:
        raise CheckoutAlreadyPaid(found.id)
    if not found.is_open(billing.clock.now()):
        raise CheckoutExpired(found.id)
    offer = await load_offer(uow, found.offer_id)
    provider = billing.provider(found.provider)
    return CheckoutStarted(found, provider.invoice_for(found, offer.plan(found.plan_id).name))


async def refund_payment(
    uow: UnitOfWork, billing: Billing, payment: Payment, amount: Money, now: datetime, description: str,
    reason: str = "",
) -> None:
    """Reverse `amount` of `payment` in the ledger and ask the provider to pay it back (`reason`: why, for the
    payer to read, when someone decided it)."""
    provider = billing.provider(payment.provider)
    journal = [t for t in await uow.ledger.for_reference(payment.id) if t.kind == "payment"]
    if not journal:
        raise PaymentNotFound(f"no ledger entry for {payment.id}")
    txn = refund_transaction(
        transaction_id=billing.ids.new_id(), original=journal[0], already_refunded=payment.refunded_amount,
        refund=amount, provider=payment.provider, at=now, description=description,
    )
    before = payment.version
    payment.record_refund(amount)
    await uow.payments.save(payment, before)
    await uow.ledger.append(txn)
    command = provider.refund_command(payment, amount, now)
    if isinstance(command, RefundCardPayment):
        # No Bot API call refunds a card: the merchant does, and the task stays open until they say so.
        task = RefundTask(billing.ids.new_id(), payment.id, payment.merchant_id, payment.user_id, payment.provider,
                          command.provider_payment_charge_id, amount, description, now)
        await uow.refund_tasks.add(task)
        command = dataclasses.replace(command, task_id=task.id)
    await uow.events.add([command, PaymentRefunded(payment.id, payment.user_id, payment.merchant_id, amount, now,
                                                         reason)])
    if payment.purpose.is_one_off and not payment.refundable_amount.is_positive:
        await _purchase_refunded(uow, payment, now)


async def _purchase_refunded(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """A one-off payment refunded in full takes the item back (a partial refund leaves it the buyer's)."""
    purchase = await uow.purchases.by_payment(payment.id)
    if purchase is None:
        return  # money for something already owned, refunded as it arrived: nothing was bought
    before = purchase.version
    if not purchase.mark_refunded():
        return
    await uow.purchases.save(purchase, before)
    await uow.events.add([PurchaseRefunded(purchase.id, payment.id, purchase.user_id, purchase.merchant_id,
                                           purchase.item_kind, purchase.item_id, purchase.purpose.value,
                                           payment.amount, now)])


async def owned_subscription(uow: UnitOfWork, user_id: UserId, subscription_id: str) -> Subscription:
    sub = await uow.subscriptions.get(subscription_id)
    if sub is None:
        raise SubscriptionNotFound(subscription_id)
    sub.ensure_owner(user_id)
    return sub


def closed_for(checkout: Checkout, sub: Subscription) -> bool:
    """Whether a renewal or upgrade checkout can no longer apply to `sub` (paid elsewhere, closed)."""
    if checkout.purpose is Purpose.RENEWAL:
        closed = sub.status in (Status.CANCELED, Status.PAUSED)
        return closed or sub.term.number >= (checkout.term_number or 0)
    return sub.status not in (Status.ACTIVE, Status.TRIALING) or sub.plan_id == checkout.plan_id
