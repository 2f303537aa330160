"""Crediting a successful payment exactly once and doing what it paid for; refunds and fees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.billing.errors import (
    CheckoutNotFound,
    NotMerchantMember,
    PaymentMismatch,
    PaymentNotFound,
    UnsupportedByProvider,
)
from subscriptions.billing.events import GiftPurchased, Message
from subscriptions.billing.gifts import Gift
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import Checkout, CheckoutStatus, Payment, Purpose, SuccessfulPayment
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.purchases import Purchase
from subscriptions.billing.services.common import (
    Billing,
    CheckoutStarted,
    closed_for,
    credit_payment,
    load_offer,
    owned_subscription,
    refund_payment,
)
from subscriptions.billing.services.purchases import credit_purchase
from subscriptions.billing.subscription import Status, Subscription, Term
from subscriptions.billing_calendar import STARS_PERIOD, BillingCalendar, require_aware, stars_calendar
from subscriptions.errors import CurrencyMismatch, RefundExceedsPayment
from subscriptions.ids import UserId
from subscriptions.ledger import fee_transaction
from subscriptions.money import Money


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    payment: Payment
    duplicate: bool  # the same charge id was credited before: nothing was done this time
    subscription: Subscription | None = None
    gift: Gift | None = None
    refunded: bool = False
    purchase: Purchase | None = None  # a one-off item or tip, credited  # money for something already paid or closed: refunded at once


async def record_successful_payment(billing: Billing, paid: SuccessfulPayment) -> PaymentOutcome:
    """Credit a payment exactly once per `telegram_payment_charge_id` and do what it paid for."""
    async with billing.uow() as uow:
        already = await uow.payments.by_charge_id(paid.telegram_payment_charge_id)
        if already is not None:
            return PaymentOutcome(already, duplicate=True)
        checkout = await uow.checkouts.by_payload(paid.invoice_payload)
        if checkout is None:
            raise CheckoutNotFound(paid.invoice_payload)
        if paid.amount != checkout.amount:
            raise PaymentMismatch(f"{paid.amount} paid for a checkout of {checkout.amount}")
        if checkout.purchase is not None:
            outcome = await _one_off(uow, billing, checkout, paid)
        else:
            offer = await load_offer(uow, checkout.offer_id)
            outcome = await _fulfil(uow, billing, offer, checkout, paid)
        await uow.commit()
        return outcome


@dataclass(frozen=True)
class StarCharge:
    """A Stars payment as Telegram's own list of the bot's transactions shows it (getStarTransactions)."""

    charge_id: str
    user_id: UserId
    total_amount: int
    invoice_payload: str
    paid_at: datetime
    subscription_period: timedelta | None = None


async def credit_missing_star_charge(billing: Billing, charge: StarCharge) -> PaymentOutcome | None:
    """Credit a Stars charge Telegram shows and no `successful_payment` credited, as that update would have.

    Returns None when it was credited already (the usual case). A recurring charge is the first of its
    subscription when its checkout was not paid yet; Telegram extends a Stars subscription by one period
    from the charge.
    """
    async with billing.uow() as uow:
        if await uow.payments.by_charge_id(charge.charge_id) is not None:
            return None
        checkout = await uow.checkouts.by_payload(charge.invoice_payload)
    recurring = charge.subscription_period is not None
    paid = SuccessfulPayment(
        user_id=charge.user_id,
        currency="XTR",
        total_amount=charge.total_amount,
        invoice_payload=charge.invoice_payload,
        telegram_payment_charge_id=charge.charge_id,
        is_recurring=recurring,
        is_first_recurring=recurring and (checkout is None or checkout.status is not CheckoutStatus.PAID),
        subscription_expiration_date=(charge.paid_at + charge.subscription_period
                                      if charge.subscription_period is not None else None),
    )
    outcome = await record_successful_payment(billing, paid)
    return None if outcome.duplicate else outcome


async def record_payments(billing: Billing, paid: Sequence[SuccessfulPayment]) -> list[PaymentOutcome]:
    """Credit several payments in one transaction (sweeps and benches): all or none."""
    async with billing.uow() as uow:
        await uow.prefetch_for_payments([one.telegram_payment_charge_id for one in paid],
                                        [one.invoice_payload for one in paid])
        batch = billing.within(uow)
        outcomes = [await record_successful_payment(batch, one) for one in paid]
        await uow.commit()
    return outcomes


async def checkout_by_id(billing: Billing, checkout_id: str) -> Checkout:
    async with billing.uow() as uow:
        found = await uow.checkouts.get(checkout_id)
    if found is None:
        raise CheckoutNotFound(checkout_id)
    return found


async def renewal_checkout(billing: Billing, *, user_id: UserId, subscription_id: str) -> CheckoutStarted | None:
    """The open renewal invoice of the user's card subscription, if one went out."""
    async with billing.uow() as uow:
        sub = await owned_subscription(uow, user_id, subscription_id)
        found = await uow.checkouts.by_idempotency_key(sub.user_id, f"renewal:{sub.id}:{sub.term.number + 1}")
        if found is None or not found.is_open(billing.clock.now()):
            return None
        offer = await load_offer(uow, found.offer_id)
        invoice = billing.provider(found.provider).invoice_for(found, offer.plan(found.plan_id).name)
        return CheckoutStarted(found, invoice)


async def _one_off(uow: UnitOfWork, billing: Billing, checkout: Checkout, paid: SuccessfulPayment) -> PaymentOutcome:
    payment, purchase = await credit_purchase(uow, billing, checkout, paid, billing.clock.now())
    return PaymentOutcome(payment, False, purchase=purchase, refunded=purchase is None)


async def _fulfil(
    uow: UnitOfWork, billing: Billing, offer: Offer, checkout: Checkout, paid: SuccessfulPayment
) -> PaymentOutcome:
    now = billing.clock.now()
    if checkout.status is CheckoutStatus.PAID:
        if paid.is_recurring and checkout.subscription_id:
            return await _stars_renewal(uow, billing, offer, checkout, paid, now)
        return await _refund_unwanted(uow, billing, offer, checkout, paid, None, now)
    if checkout.purpose is Purpose.NEW_SUBSCRIPTION:
        return await _first_payment(uow, billing, offer, checkout, paid, now)
    if checkout.purpose is Purpose.GIFT:
        return await _gift_payment(uow, billing, offer, checkout, paid, now)
    sub = await uow.subscriptions.get(checkout.subscription_id or "")
    if sub is None or closed_for(checkout, sub):
        return await _refund_unwanted(uow, billing, offer, checkout, paid, sub, now)
    if checkout.purpose is Purpose.RENEWAL:
        return await _renewal(uow, billing, offer, checkout, paid, sub, now)
    return await _upgrade_payment(uow, billing, offer, checkout, paid, sub, now)


async def _credit(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    now: datetime,
    *,
    subscription: Subscription | None = None,
    gift_id: str | None = None,
    mark_paid: bool = True,
) -> Payment:
    """Credit a payment for something of `offer`, split as the offer says."""
    return await credit_payment(uow, billing, checkout, paid, now, offer.split, subscription=subscription,
                                gift_id=gift_id, mark_paid=mark_paid)


async def _first_payment(
    uow: UnitOfWork, billing: Billing, offer: Offer, checkout: Checkout, paid: SuccessfulPayment, now: datetime
) -> PaymentOutcome:
    plan = offer.plan(checkout.plan_id)
    if await uow.subscriptions.count_live(checkout.user_id, plan.id) >= plan.per_user_limit:
        # Two invoices paid from two taps: the limit holds, the second payment goes back.
        return await _refund_unwanted(uow, billing, offer, checkout, paid, None, now)
    if checkout.provider == "stars":
        # Telegram states when the Stars subscription expires; anchor our calendar on it.
        expires = paid.subscription_expiration_date
        calendar = stars_calendar(require_aware(expires) - timedelta(days=STARS_PERIOD.days) if expires else now)
    else:
        calendar = BillingCalendar(now, checkout.timezone, plan.interval)
    first = calendar.period_at(now)
    term = Term(1, first.start, first.end, checkout.plan_version_id, paid.amount, calendar_index=first.index)
    sub, events = Subscription.start(
        subscription_id=billing.ids.new_id(), user_id=checkout.user_id, offer_id=offer.id,
        merchant_id=offer.merchant_id, plan_id=plan.id, provider=checkout.provider, calendar=calendar,
        first_term=term, now=now, curator_id=checkout.curator_id,
        first_charge_id=paid.telegram_payment_charge_id if checkout.provider == "stars" else None,
        dunning=billing.settings.dunning,
    )
    await uow.subscriptions.add(sub)
    # Stars renewals arrive with this checkout's payload: remember which subscription it started.
    checkout.subscription_id = sub.id
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub)
    await uow.events.add(events)
    return PaymentOutcome(payment, False, subscription=sub)


async def _save_and_credit(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    sub: Subscription,
    before: int,
    events: Sequence[Message],
    now: datetime,
    *,
    mark_paid: bool = True,
) -> PaymentOutcome:
    """The common end of every payment for a live subscription: save it (if nobody moved it meanwhile),
    credit the money, queue what it caused."""
    await uow.subscriptions.save(sub, before)
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub, mark_paid=mark_paid)
    await uow.events.add(events)
    return PaymentOutcome(payment, False, subscription=sub)


async def _renewal(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    sub: Subscription,
    now: datetime,
) -> PaymentOutcome:
    before = sub.version
    plan = offer.plan(sub.pending_plan.plan_id if sub.pending_plan else sub.plan_id)
    events = sub.renew(amount=paid.amount, plan_version_id=checkout.plan_version_id, now=now, interval=plan.interval)
    return await _save_and_credit(uow, billing, offer, checkout, paid, sub, before, events, now)


async def _stars_renewal(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    now: datetime,
) -> PaymentOutcome:
    """Telegram charged the next 30 days by itself (`is_recurring`): extend the subscription."""
    sub = await uow.subscriptions.get(checkout.subscription_id or "")
    if sub is None or sub.status is Status.CANCELED:
        return await _refund_unwanted(uow, billing, offer, checkout, paid, sub, now)
    before = sub.version
    events = sub.renew(amount=paid.amount, plan_version_id=sub.term.plan_version_id, now=now, automatic=True)
    return await _save_and_credit(uow, billing, offer, checkout, paid, sub, before, events, now, mark_paid=False)


async def _upgrade_payment(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    sub: Subscription,
    now: datetime,
) -> PaymentOutcome:
    before = sub.version
    credit = checkout.credit or Money.zero(paid.amount.currency)
    events = sub.upgrade(
        plan_id=checkout.plan_id, plan_version_id=checkout.plan_version_id, credit=credit,
        charge=paid.amount + credit, now=now,
    )
    return await _save_and_credit(uow, billing, offer, checkout, paid, sub, before, events, now)


async def _gift_payment(
    uow: UnitOfWork, billing: Billing, offer: Offer, checkout: Checkout, paid: SuccessfulPayment, now: datetime
) -> PaymentOutcome:
    gift_id = billing.ids.new_id()
    payment = await _credit(uow, billing, offer, checkout, paid, now, gift_id=gift_id)
    gift = Gift(
        id=gift_id, code=billing.ids.token(), buyer_id=checkout.user_id, merchant_id=offer.merchant_id,
        offer_id=offer.id, plan_id=checkout.plan_id, plan_version_id=checkout.plan_version_id, price=paid.amount,
        payment_id=payment.id, purchased_at=now, expires_at=now + billing.settings.gift_validity,
    )
    await uow.gifts.add(gift)
    await uow.events.add([GiftPurchased(gift.id, gift.buyer_id, gift.code, gift.expires_at, now)])
    return PaymentOutcome(payment, False, gift=gift)


async def _refund_unwanted(
    uow: UnitOfWork,
    billing: Billing,
    offer: Offer,
    checkout: Checkout,
    paid: SuccessfulPayment,
    sub: Subscription | None,
    now: datetime,
) -> PaymentOutcome:
    """Money arrived for something already paid or closed: credit it, then give it all back."""
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub, mark_paid=False)
    await refund_payment(uow, billing, payment, payment.amount, now, "refund: paid twice or closed")
    return PaymentOutcome(payment, False, subscription=sub, refunded=True)


async def refund(
    billing: Billing, *,
    payment_id: str,
    amount: Money | None = None,
    merchant_id: str | None = None,
) -> Payment:
    """Refund all that is left of a payment, or `amount` of it (Stars refund whole payments only).

    With `merchant_id` (a merchant's own request) the payment must be that merchant's.
    """
    async with billing.uow() as uow:
        payment = await uow.payments.get(payment_id)
        if payment is None:
            raise PaymentNotFound(payment_id)
        if merchant_id is not None and payment.merchant_id != merchant_id:
            raise NotMerchantMember(f"{merchant_id} did not receive {payment_id}")
        wanted = amount or payment.refundable_amount
        if wanted.currency != payment.amount.currency:
            raise CurrencyMismatch(f"refund in {wanted.currency} of a {payment.amount.currency} payment")
        allowed = billing.provider(payment.provider).refundable(payment.refundable_amount, wanted)
        if allowed != wanted:
            raise UnsupportedByProvider(f"{payment.provider} cannot refund {wanted} of {payment.amount}")
        if not wanted.is_positive:
            raise RefundExceedsPayment(f"nothing left to refund on {payment_id}")
        await refund_payment(uow, billing, payment, wanted, billing.clock.now(), f"refund: {payment.description}")
        await uow.commit()
        return payment


async def record_fee(billing: Billing, *, payment_id: str, fee: Money, description: str) -> None:
    """A provider reported the fee it kept on a payment (card providers settle net of fees)."""
    async with billing.uow() as uow:
        payment = await uow.payments.get(payment_id)
        if payment is None:
            raise PaymentNotFound(payment_id)
        if fee.currency != payment.amount.currency:
            raise CurrencyMismatch(f"fee in {fee.currency} on a {payment.amount.currency} payment")
        await uow.ledger.append(
            fee_transaction(
                transaction_id=billing.ids.new_id(), payment_id=payment.id, provider=payment.provider, fee=fee,
                at=billing.clock.now(), description=description,
            )
        )
        await uow.commit()
