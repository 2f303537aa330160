"""Use cases of the subscriptions room, each a short function over a unit of work.

Every function opens the unit of work, loads aggregates, lets them decide, saves them with their
expected version, writes what happened to the outbox and commits once. Reads that change nothing
(pre-checkout, listings, statements) do not commit. The `Billing` value carries what services need
besides storage: the clock, the id source, the payment providers and the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from subscriptions.billing_calendar import (
    STARS_PERIOD,
    BillingCalendar,
    require_aware,
    split_price,
    stars_calendar,
    zone,
)
from subscriptions.errors import (
    CheckoutAlreadyPaid,
    CheckoutExpired,
    CheckoutNotFound,
    CurrencyMismatch,
    GiftNotFound,
    IllegalTransition,
    LimitReached,
    NotMerchantMember,
    OfferArchived,
    OfferNotFound,
    PaymentMismatch,
    PaymentNotFound,
    PlanArchived,
    PriceChanged,
    RefundExceedsPayment,
    SamePlan,
    SubscriptionNotFound,
    UnsupportedByProvider,
)
from subscriptions.events import (
    CancelStarSubscription,
    GiftPurchased,
    Message,
    PaymentReceived,
    PaymentRefunded,
    SendInvoice,
)
from subscriptions.gifts import DEFAULT_GIFT_VALIDITY, Gift
from subscriptions.ledger import (
    Statement,
    balance,
    fee_transaction,
    merchant_account,
    payment_transaction,
    refund_transaction,
    statement,
)
from subscriptions.money import Money
from subscriptions.offers import Offer, Plan, PlanVersion
from subscriptions.payments import (
    Checkout,
    CheckoutStatus,
    InvoiceRequest,
    Payment,
    PaymentProvider,
    PreCheckoutAnswer,
    PreCheckoutQuery,
    Purpose,
    Reason,
    SuccessfulPayment,
    checkout_payload,
)
from subscriptions.ports import Clock, IdSource, UnitOfWork
from subscriptions.receipts import Receipt, receipt_for
from subscriptions.subscription import DunningPolicy, Status, Subscription, Term, TermKind


@dataclass(frozen=True, slots=True)
class BillingSettings:
    checkout_ttl: timedelta = timedelta(hours=24)
    renewal_lead: timedelta = timedelta(days=3)  # renewal invoices go out this long before a term ends
    gift_validity: timedelta = DEFAULT_GIFT_VALIDITY
    dunning: DunningPolicy = field(default_factory=DunningPolicy)


@dataclass(frozen=True, slots=True)
class Billing:
    """What the services need besides storage."""

    clock: Clock
    ids: IdSource
    providers: Mapping[str, PaymentProvider]
    settings: BillingSettings = field(default_factory=BillingSettings)

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


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckoutStarted:
    checkout: Checkout
    invoice: InvoiceRequest


@dataclass(frozen=True, slots=True)
class Subscribed:
    """Either a trial started at once (`subscription`) or an invoice to pay (`checkout`)."""

    subscription: Subscription | None
    checkout: CheckoutStarted | None


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    payment: Payment
    duplicate: bool  # the same charge id was credited before: nothing was done this time
    subscription: Subscription | None = None
    gift: Gift | None = None
    refunded: bool = False  # money for something already paid or closed: refunded at once


@dataclass(frozen=True, slots=True)
class Canceled:
    subscription: Subscription
    refund: Money | None


@dataclass(frozen=True, slots=True)
class PlanChange:
    """`applied` at once, `scheduled` for the period end, or a `checkout` for the prorated difference."""

    subscription: Subscription
    applied: bool
    scheduled: bool
    checkout: CheckoutStarted | None
    credit: Money | None = None
    charge: Money | None = None


@dataclass(frozen=True, slots=True)
class SweepResult:
    transitioned: int
    invoiced: int


# --- offers ---------------------------------------------------------------------------------------


async def publish_offer(uow: UnitOfWork, offer: Offer) -> Offer:
    async with uow:
        await uow.offers.add(offer)
        await uow.commit()
    return offer


async def _merchant_offer(uow: UnitOfWork, offer_id: str, merchant_id: str | None = None) -> Offer:
    offer = await uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    if merchant_id is not None and offer.merchant_id != merchant_id:
        raise NotMerchantMember(f"{merchant_id} does not own {offer_id}")
    return offer


async def change_price(
    uow: UnitOfWork, billing: Billing, *, merchant_id: str, offer_id: str, plan_id: str, price: Money
) -> PlanVersion:
    """A new price for new periods; subscriptions keep the version their current term was billed at."""
    async with uow:
        offer = await _merchant_offer(uow, offer_id, merchant_id)
        before = offer.version
        version = offer.change_price(plan_id, billing.ids.new_id(), price, billing.clock.now())
        await uow.offers.save(offer, before)
        await uow.commit()
    return version


async def archive_offer(uow: UnitOfWork, *, merchant_id: str, offer_id: str, plan_id: str | None = None) -> None:
    """No new subscribers to the offer (or one plan); existing subscriptions keep renewing."""
    async with uow:
        offer = await _merchant_offer(uow, offer_id, merchant_id)
        before = offer.version
        if plan_id is None:
            offer.archive()
        else:
            offer.archive_plan(plan_id)
        await uow.offers.save(offer, before)
        await uow.commit()


# --- subscribing and paying -----------------------------------------------------------------------


async def _new_checkout(
    uow: UnitOfWork,
    billing: Billing,
    *,
    user_id: str,
    offer: Offer,
    plan: Plan,
    purpose: Purpose,
    idempotency_key: str,
    amount: Money | None = None,
    version: PlanVersion | None = None,
    subscription: Subscription | None = None,
    term_number: int | None = None,
    timezone: str = "Asia/Seoul",
    curator_id: str | None = None,
    credit: Money | None = None,
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
        expires_at=now + billing.settings.checkout_ttl,
        timezone=timezone,
        subscription_id=subscription.id if subscription else None,
        term_number=term_number,
        curator_id=curator_id,
        credit=credit,
    )
    await uow.checkouts.add(checkout)
    return CheckoutStarted(checkout, provider.invoice_for(checkout, plan.name))


async def _existing_checkout(uow: UnitOfWork, billing: Billing, user_id: str, key: str) -> CheckoutStarted | None:
    """A double tap returns the checkout the first tap made."""
    found = await uow.checkouts.by_idempotency_key(user_id, key)
    if found is None:
        return None
    if found.status is CheckoutStatus.PAID:
        raise CheckoutAlreadyPaid(found.id)
    if not found.is_open(billing.clock.now()):
        raise CheckoutExpired(found.id)
    offer = await _merchant_offer(uow, found.offer_id)
    provider = billing.provider(found.provider)
    return CheckoutStarted(found, provider.invoice_for(found, offer.plan(found.plan_id).name))


async def _check_can_subscribe(uow: UnitOfWork, user_id: str, offer: Offer, plan: Plan) -> None:
    if await uow.bans.is_banned(user_id, offer.merchant_id):
        raise NotMerchantMember(f"{user_id} is banned by {offer.merchant_id}")
    if await uow.subscriptions.count_live(user_id, plan.id) >= plan.per_user_limit:
        raise LimitReached(f"{user_id} holds {plan.per_user_limit} of {plan.id}")


async def subscribe(
    uow: UnitOfWork,
    billing: Billing,
    *,
    user_id: str,
    offer_id: str,
    plan_id: str,
    idempotency_key: str,
    timezone: str = "Asia/Seoul",
    expected_price: Money | None = None,
    curator_id: str | None = None,
) -> Subscribed:
    """Start a trial at once, or open a checkout whose payment starts the subscription.

    `expected_price` is the price the user saw on the button: a stale button after a price change
    raises `PriceChanged` instead of billing something else.
    """
    async with uow:
        existing = await _existing_checkout(uow, billing, user_id, idempotency_key)
        if existing is not None:
            return Subscribed(None, existing)
        offer = await _merchant_offer(uow, offer_id)
        plan = offer.open_plan(plan_id)
        if expected_price is not None:
            plan.check_price(expected_price)
        await _check_can_subscribe(uow, user_id, offer, plan)
        if plan.trial_days and not await uow.subscriptions.trial_used(user_id, offer.id):
            sub = await _start_trial(uow, billing, user_id, offer, plan, timezone, curator_id)
            await uow.commit()
            return Subscribed(sub, None)
        started = await _new_checkout(
            uow, billing, user_id=user_id, offer=offer, plan=plan, purpose=Purpose.NEW_SUBSCRIPTION,
            idempotency_key=idempotency_key, timezone=timezone, curator_id=curator_id,
        )
        await uow.commit()
        return Subscribed(None, started)


async def _start_trial(
    uow: UnitOfWork, billing: Billing, user_id: str, offer: Offer, plan: Plan, timezone: str, curator_id: str | None
) -> Subscription:
    now = billing.clock.now()
    trial_end = now + timedelta(days=plan.trial_days)
    provider = billing.provider_for(plan)
    # Stripe's rule: with a trial, the billing anchor is the trial's end.
    calendar = BillingCalendar(trial_end, timezone, plan.interval)
    term = Term(0, now, calendar.anchor, plan.current.id, Money.zero(plan.price.currency), TermKind.TRIAL, -1)
    sub, events = Subscription.start(
        subscription_id=billing.ids.new_id(), user_id=user_id, offer_id=offer.id, merchant_id=offer.merchant_id,
        plan_id=plan.id, provider=provider.name, calendar=calendar, first_term=term, now=now,
        curator_id=curator_id, dunning=billing.settings.dunning,
    )
    await uow.subscriptions.add(sub)
    await uow.outbox.add(events)
    return sub


async def check_pre_checkout(uow: UnitOfWork, billing: Billing, query: PreCheckoutQuery) -> PreCheckoutAnswer:
    """Answer Telegram's pre-checkout query: re-check everything the payment depends on. Reads only."""
    async with uow:
        checkout = await uow.checkouts.by_payload(query.invoice_payload)
        if checkout is None:
            return PreCheckoutAnswer.decline(Reason.UNKNOWN_CHECKOUT)
        reason = _checkout_reason(checkout, query, billing.clock.now())
        if reason is None:
            reason = await _context_reason(uow, checkout)
        return PreCheckoutAnswer.decline(reason) if reason else PreCheckoutAnswer.accept()


def _checkout_reason(checkout: Checkout, query: PreCheckoutQuery, now: datetime) -> Reason | None:
    if checkout.user_id != query.user_id:
        return Reason.WRONG_USER
    if checkout.status is CheckoutStatus.PAID:
        return Reason.ALREADY_PAID
    if not checkout.is_open(now):
        return Reason.EXPIRED
    if query.currency != checkout.amount.currency:
        return Reason.CURRENCY_MISMATCH
    if query.total_amount != checkout.amount.amount_minor:
        return Reason.PRICE_CHANGED
    return None


async def _context_reason(uow: UnitOfWork, checkout: Checkout) -> Reason | None:
    offer = await _merchant_offer(uow, checkout.offer_id)
    if await uow.bans.is_banned(checkout.user_id, offer.merchant_id):
        return Reason.BANNED
    if checkout.purpose in (Purpose.RENEWAL, Purpose.UPGRADE):
        sub = await uow.subscriptions.get(checkout.subscription_id or "")
        if sub is None or _closed_for(checkout, sub):
            return Reason.SUBSCRIPTION_CLOSED
        return None
    try:
        plan = offer.open_plan(checkout.plan_id)
        plan.check_price(checkout.amount)
    except OfferArchived:
        return Reason.OFFER_ARCHIVED
    except PlanArchived:
        return Reason.PLAN_ARCHIVED
    except PriceChanged:
        return Reason.PRICE_CHANGED
    count = await uow.subscriptions.count_live(checkout.user_id, checkout.plan_id)
    if checkout.purpose is Purpose.NEW_SUBSCRIPTION and count >= plan.per_user_limit:
        return Reason.LIMIT_REACHED
    return None


async def record_successful_payment(uow: UnitOfWork, billing: Billing, paid: SuccessfulPayment) -> PaymentOutcome:
    """Credit a payment exactly once per `telegram_payment_charge_id` and do what it paid for."""
    async with uow:
        already = await uow.payments.by_charge_id(paid.telegram_payment_charge_id)
        if already is not None:
            return PaymentOutcome(already, duplicate=True)
        checkout = await uow.checkouts.by_payload(paid.invoice_payload)
        if checkout is None:
            raise CheckoutNotFound(paid.invoice_payload)
        if paid.amount != checkout.amount:
            raise PaymentMismatch(f"{paid.amount} paid for a checkout of {checkout.amount}")
        offer = await _merchant_offer(uow, checkout.offer_id)
        outcome = await _fulfil(uow, billing, offer, checkout, paid)
        await uow.commit()
        return outcome


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
    if sub is None or _closed_for(checkout, sub):
        return await _refund_unwanted(uow, billing, offer, checkout, paid, sub, now)
    if checkout.purpose is Purpose.RENEWAL:
        return await _renewal(uow, billing, offer, checkout, paid, sub, now)
    return await _upgrade_payment(uow, billing, offer, checkout, paid, sub, now)


def _closed_for(checkout: Checkout, sub: Subscription) -> bool:
    """Whether a renewal or upgrade checkout can no longer apply to `sub` (paid elsewhere, closed)."""
    if checkout.purpose is Purpose.RENEWAL:
        closed = sub.status in (Status.CANCELED, Status.PAUSED)
        return closed or sub.term.number >= (checkout.term_number or 0)
    return sub.status not in (Status.ACTIVE, Status.TRIALING) or sub.plan_id == checkout.plan_id


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
    """Store the payment, its split in the ledger and the receipt event; mark the checkout paid."""
    term = subscription.term if subscription else None
    payment = Payment(
        id=billing.ids.new_id(),
        charge_id=paid.telegram_payment_charge_id,
        provider_charge_id=paid.provider_payment_charge_id,
        provider=checkout.provider,
        user_id=checkout.user_id,
        merchant_id=offer.merchant_id,
        offer_id=offer.id,
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
            amount=payment.amount, split=offer.split.split(payment.amount, curator is not None),
            merchant_id=offer.merchant_id, curator_id=curator, at=now, description=checkout.title,
        )
    )
    if mark_paid and checkout.status is CheckoutStatus.OPEN:
        before = checkout.version
        checkout.mark_paid(payment.id)
        await uow.checkouts.save(checkout, before)
    await uow.outbox.add(
        [PaymentReceived(payment.id, payment.user_id, payment.merchant_id, payment.amount, payment.purpose.value,
                         payment.subscription_id, now)]
    )
    return payment


async def _first_payment(
    uow: UnitOfWork, billing: Billing, offer: Offer, checkout: Checkout, paid: SuccessfulPayment, now: datetime
) -> PaymentOutcome:
    plan = offer.plan(checkout.plan_id)
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
    await uow.outbox.add(events)
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
    await uow.subscriptions.save(sub, before)
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub)
    await uow.outbox.add(events)
    return PaymentOutcome(payment, False, subscription=sub)


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
    await uow.subscriptions.save(sub, before)
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub, mark_paid=False)
    await uow.outbox.add(events)
    return PaymentOutcome(payment, False, subscription=sub)


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
    await uow.subscriptions.save(sub, before)
    payment = await _credit(uow, billing, offer, checkout, paid, now, subscription=sub)
    await uow.outbox.add(events)
    return PaymentOutcome(payment, False, subscription=sub)


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
    await uow.outbox.add([GiftPurchased(gift.id, gift.buyer_id, gift.code, gift.expires_at, now)])
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
    await _refund(uow, billing, payment, payment.amount, now, "refund: paid twice or closed")
    return PaymentOutcome(payment, False, subscription=sub, refunded=True)


async def _refund(
    uow: UnitOfWork, billing: Billing, payment: Payment, amount: Money, now: datetime, description: str
) -> None:
    """Reverse `amount` of `payment` in the ledger and ask the provider to pay it back."""
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
    await uow.outbox.add(
        [
            provider.refund_command(payment, amount, now),
            PaymentRefunded(payment.id, payment.user_id, payment.merchant_id, amount, now),
        ]
    )


async def refund(
    uow: UnitOfWork,
    billing: Billing,
    *,
    payment_id: str,
    amount: Money | None = None,
    merchant_id: str | None = None,
) -> Payment:
    """Refund all that is left of a payment, or `amount` of it (Stars refund whole payments only).

    With `merchant_id` (a merchant's own request) the payment must be that merchant's.
    """
    async with uow:
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
        await _refund(uow, billing, payment, wanted, billing.clock.now(), f"refund: {payment.description}")
        await uow.commit()
        return payment


async def record_fee(uow: UnitOfWork, billing: Billing, *, payment_id: str, fee: Money, description: str) -> None:
    """A provider reported the fee it kept on a payment (card providers settle net of fees)."""
    async with uow:
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


# --- managing a subscription ----------------------------------------------------------------------


async def _owned(uow: UnitOfWork, user_id: str, subscription_id: str) -> Subscription:
    sub = await uow.subscriptions.get(subscription_id)
    if sub is None:
        raise SubscriptionNotFound(subscription_id)
    sub.ensure_owner(user_id)
    return sub


async def cancel(
    uow: UnitOfWork, billing: Billing, *, user_id: str, subscription_id: str, at_period_end: bool = True
) -> Canceled:
    """Cancel at the period end (renewals stop) or at once (refund by the offer's policy)."""
    async with uow:
        sub = await _owned(uow, user_id, subscription_id)
        now = billing.clock.now()
        before = sub.version
        messages: list[Message] = []
        refund_amount: Money | None = None
        if at_period_end:
            messages += sub.cancel_at_end(now)
        else:
            refund_amount = await _refund_for_cancel(uow, billing, sub, now)
            messages += sub.cancel_now(now, refund_amount)
        if messages and sub.provider == "stars" and sub.first_charge_id:
            # Telegram keeps charging a Stars subscription until it is told to stop.
            messages.append(CancelStarSubscription(sub.user_id, sub.first_charge_id, True, now))
        await uow.subscriptions.save(sub, before)
        await uow.outbox.add(messages)
        await uow.commit()
        return Canceled(sub, refund_amount)


async def _refund_for_cancel(uow: UnitOfWork, billing: Billing, sub: Subscription, now: datetime) -> Money | None:
    if sub.term.kind is not TermKind.PAID or sub.status is Status.CANCELED:
        return None
    payment = await uow.payments.latest_for_subscription(sub.id)
    if payment is None:
        return None
    offer = await _merchant_offer(uow, sub.offer_id)
    wanted = offer.refund_policy.refund_for(sub.term.amount, sub.term.period, payment.paid_at, now)
    wanted = min(wanted, payment.refundable_amount)
    amount = billing.provider(payment.provider).refundable(payment.refundable_amount, wanted)
    if not amount.is_positive:
        return None
    await _refund(uow, billing, payment, amount, now, f"refund on cancel: {payment.description}")
    return amount


async def withdraw_cancellation(uow: UnitOfWork, billing: Billing, *, user_id: str, subscription_id: str) -> Subscription:
    async with uow:
        sub = await _owned(uow, user_id, subscription_id)
        now = billing.clock.now()
        before = sub.version
        messages: list[Message] = list(sub.withdraw_cancellation(now))
        if messages and sub.provider == "stars" and sub.first_charge_id:
            messages.append(CancelStarSubscription(sub.user_id, sub.first_charge_id, False, now))
        await uow.subscriptions.save(sub, before)
        await uow.outbox.add(messages)
        await uow.commit()
        return sub


async def pause(uow: UnitOfWork, billing: Billing, *, user_id: str, subscription_id: str) -> Subscription:
    async with uow:
        sub = await _owned(uow, user_id, subscription_id)
        before = sub.version
        events = sub.pause(billing.clock.now())
        await uow.subscriptions.save(sub, before)
        await uow.outbox.add(events)
        await uow.commit()
        return sub


async def resume(uow: UnitOfWork, billing: Billing, *, user_id: str, subscription_id: str) -> Subscription:
    async with uow:
        sub = await _owned(uow, user_id, subscription_id)
        before = sub.version
        events = sub.resume(billing.clock.now())
        await uow.subscriptions.save(sub, before)
        await uow.outbox.add(events)
        await uow.commit()
        return sub


async def change_timezone(uow: UnitOfWork, *, user_id: str, timezone: str) -> int:
    """The user moved: their subscriptions bill at the same local time in `timezone` from the next term."""
    zone(timezone)
    async with uow:
        changed = 0
        for sub in await uow.subscriptions.for_user(user_id):
            before = sub.version
            if sub.change_timezone(timezone):
                await uow.subscriptions.save(sub, before)
                changed += 1
        await uow.commit()
        return changed


async def change_plan(
    uow: UnitOfWork, billing: Billing, *, user_id: str, subscription_id: str, plan_id: str, idempotency_key: str
) -> PlanChange:
    """Upgrade at once with proration (pay the difference), or switch at the period end (downgrade)."""
    async with uow:
        existing = await _existing_checkout(uow, billing, user_id, idempotency_key)
        sub = await _owned(uow, user_id, subscription_id)
        if existing is not None:
            return PlanChange(sub, False, False, existing)
        offer = await _merchant_offer(uow, sub.offer_id)
        new_plan = offer.open_plan(plan_id)
        if plan_id == sub.plan_id:
            raise SamePlan(plan_id)
        if sub.provider == "stars":
            raise UnsupportedByProvider("a Stars subscription changes plan by cancelling and subscribing again")
        old_plan = offer.plan(sub.plan_id)
        if new_plan.price.currency != old_plan.price.currency:
            raise CurrencyMismatch("plans of one offer must share a currency to switch between them")
        result = await _apply_plan_change(uow, billing, sub, offer, old_plan, new_plan, idempotency_key)
        await uow.commit()
        return result


async def _apply_plan_change(
    uow: UnitOfWork,
    billing: Billing,
    sub: Subscription,
    offer: Offer,
    old_plan: Plan,
    new_plan: Plan,
    idempotency_key: str,
) -> PlanChange:
    now = billing.clock.now()
    before = sub.version
    old_price = old_plan.version(sub.term.plan_version_id).price
    upgrade = new_plan.interval == old_plan.interval and new_plan.price > old_price
    if sub.status is Status.TRIALING or (upgrade and sub.status is Status.ACTIVE):
        zero = Money.zero(old_price.currency)
        # Credit is the unused share of what this term actually cost (a gift's price, an earlier
        # upgrade's charge included); a trial cost nothing and switches for nothing.
        paid = sub.term.kind is not TermKind.TRIAL
        credit = split_price(sub.term.amount, sub.term.period, now)[1] if paid else zero
        charge = split_price(new_plan.price, sub.term.period, now)[1] if paid else zero
        if charge > credit:
            started = await _new_checkout(
                uow, billing, user_id=sub.user_id, offer=offer, plan=new_plan, purpose=Purpose.UPGRADE,
                idempotency_key=idempotency_key, amount=charge - credit, subscription=sub, credit=credit,
            )
            return PlanChange(sub, False, False, started, credit, charge)
        events = sub.upgrade(plan_id=new_plan.id, plan_version_id=new_plan.current.id, credit=credit,
                             charge=charge, now=now)
        await uow.subscriptions.save(sub, before)
        await uow.outbox.add(events)
        return PlanChange(sub, True, False, None, credit, charge)
    if not sub.is_live:
        raise IllegalTransition("change the plan of", sub.status.value)
    events = sub.schedule_plan_change(plan_id=new_plan.id, plan_version_id=new_plan.current.id, now=now)
    await uow.subscriptions.save(sub, before)
    await uow.outbox.add(events)
    return PlanChange(sub, False, True, None)


# --- the clock's work -----------------------------------------------------------------------------


async def advance_due(uow: UnitOfWork, billing: Billing, *, limit: int = 500) -> int:
    """Move subscriptions whose time has come: period-end cancellations, past due, suspended, canceled."""
    async with uow:
        now = billing.clock.now()
        due = await uow.subscriptions.due_for_transition(now, limit)
        for sub in due:
            before = sub.version
            events = sub.advance(now)
            await uow.subscriptions.save(sub, before)
            await uow.outbox.add(events)
        await uow.commit()
        return len(due)


async def issue_renewal_invoices(uow: UnitOfWork, billing: Billing, *, limit: int = 500) -> int:
    """Card providers cannot charge by themselves: invoice the next term before the current one ends."""
    async with uow:
        now = billing.clock.now()
        lead = billing.settings.renewal_lead
        due = await uow.subscriptions.due_for_renewal(now, lead, limit)
        for sub in due:
            await _invoice_next_term(uow, billing, sub, now)
        await uow.commit()
        return len(due)


async def _invoice_next_term(uow: UnitOfWork, billing: Billing, sub: Subscription, now: datetime) -> None:
    offer = await _merchant_offer(uow, sub.offer_id)
    plan = offer.plan(sub.pending_plan.plan_id if sub.pending_plan else sub.plan_id)
    # The price in force when the invoice goes out: a change published earlier applies to this term.
    version = plan.current
    term_number = sub.term.number + 1
    started = await _new_checkout(
        uow, billing, user_id=sub.user_id, offer=offer, plan=plan, purpose=Purpose.RENEWAL,
        idempotency_key=f"renewal:{sub.id}:{term_number}", version=version, subscription=sub,
        term_number=term_number, timezone=sub.calendar.timezone,
    )
    before = sub.version
    sub.mark_invoiced(term_number)
    await uow.subscriptions.save(sub, before)
    await uow.outbox.add([SendInvoice(sub.user_id, started.checkout.id, now)])


async def renew_due(uow: UnitOfWork, billing: Billing, *, limit: int = 500) -> SweepResult:
    """One tick of the billing clock: apply transitions, then send the renewal invoices due."""
    transitioned = await advance_due(uow, billing, limit=limit)
    invoiced = await issue_renewal_invoices(uow, billing, limit=limit)
    return SweepResult(transitioned, invoiced)


# --- gifts ----------------------------------------------------------------------------------------


async def buy_gift(
    uow: UnitOfWork,
    billing: Billing,
    *,
    buyer_id: str,
    offer_id: str,
    plan_id: str,
    idempotency_key: str,
    expected_price: Money | None = None,
) -> CheckoutStarted:
    """An invoice for one period of `plan_id` as a gift; paying it creates the gift code."""
    async with uow:
        existing = await _existing_checkout(uow, billing, buyer_id, idempotency_key)
        if existing is not None:
            return existing
        offer = await _merchant_offer(uow, offer_id)
        plan = offer.open_plan(plan_id)
        if expected_price is not None:
            plan.check_price(expected_price)
        if await uow.bans.is_banned(buyer_id, offer.merchant_id):
            raise NotMerchantMember(f"{buyer_id} is banned by {offer.merchant_id}")
        started = await _new_checkout(
            uow, billing, user_id=buyer_id, offer=offer, plan=plan, purpose=Purpose.GIFT,
            idempotency_key=idempotency_key,
        )
        await uow.commit()
        return started


async def claim_gift(
    uow: UnitOfWork, billing: Billing, *, user_id: str, code: str, timezone: str = "Asia/Seoul"
) -> Subscription:
    """Start the recipient's subscription for the gifted period; the buyer is told (GiftClaimed)."""
    async with uow:
        gift = await uow.gifts.by_code(code)
        if gift is None:
            raise GiftNotFound(code)
        if gift.recipient_id == user_id and gift.subscription_id:
            # The recipient tapped the link twice: the same subscription, nothing new.
            claimed_before = await uow.subscriptions.get(gift.subscription_id)
            if claimed_before is not None:
                return claimed_before
        now = billing.clock.now()
        gift.check_claimable(user_id, now)
        offer = await _merchant_offer(uow, gift.offer_id)
        plan = offer.plan(gift.plan_id)
        if await uow.subscriptions.count_live(user_id, plan.id) >= plan.per_user_limit:
            raise LimitReached(f"{user_id} already holds {plan.id}")
        sub = await _start_gifted(uow, billing, gift, offer, plan, user_id, timezone, now)
        before = gift.version
        claimed = gift.claim(user_id, sub.id, now)
        await uow.gifts.save(gift, before)
        await uow.outbox.add([claimed])
        await uow.commit()
        return sub


async def _start_gifted(
    uow: UnitOfWork, billing: Billing, gift: Gift, offer: Offer, plan: Plan, user_id: str, timezone: str,
    now: datetime,
) -> Subscription:
    provider = billing.provider_for(plan)
    calendar = stars_calendar(now) if provider.name == "stars" else BillingCalendar(now, timezone, plan.interval)
    first = calendar.period(0)
    term = Term(1, first.start, first.end, gift.plan_version_id, gift.price, TermKind.GIFT, first.index)
    sub, events = Subscription.start(
        subscription_id=billing.ids.new_id(), user_id=user_id, offer_id=offer.id, merchant_id=offer.merchant_id,
        plan_id=plan.id, provider=provider.name, calendar=calendar, first_term=term, now=now, gift_id=gift.id,
        dunning=billing.settings.dunning,
    )
    await uow.subscriptions.add(sub)
    await uow.outbox.add(events)
    return sub


async def expire_gifts(uow: UnitOfWork, billing: Billing, *, limit: int = 500) -> int:
    """Close unclaimed gifts past their expiry and refund them as each offer's policy says."""
    async with uow:
        now = billing.clock.now()
        gifts = await uow.gifts.expiring(now, limit)
        for gift in gifts:
            await _expire_gift(uow, billing, gift, now)
        await uow.commit()
        return len(gifts)


async def _expire_gift(uow: UnitOfWork, billing: Billing, gift: Gift, now: datetime) -> None:
    offer = await _merchant_offer(uow, gift.offer_id)
    before = gift.version
    expired = gift.expire(offer.refund_policy, now)
    if expired is None:
        return
    await uow.gifts.save(gift, before)
    await uow.outbox.add([expired])
    payment = await uow.payments.get(gift.payment_id)
    if payment is not None and expired.refund.is_positive:
        amount = billing.provider(payment.provider).refundable(payment.refundable_amount, expired.refund)
        if amount.is_positive:
            await _refund(uow, billing, payment, amount, now, f"unclaimed gift: {payment.description}")


# --- reading --------------------------------------------------------------------------------------


async def user_subscriptions(uow: UnitOfWork, *, user_id: str) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.for_user(user_id)


async def merchant_subscribers(
    uow: UnitOfWork, *, merchant_id: str, limit: int = 50, offset: int = 0
) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.for_merchant(merchant_id, limit, offset)


async def receipt_history(uow: UnitOfWork, *, user_id: str, limit: int = 20) -> list[Receipt]:
    async with uow:
        return [receipt_for(p) for p in await uow.payments.for_user(user_id, limit)]


async def merchant_balance(uow: UnitOfWork, *, merchant_id: str, currency: str) -> Money:
    async with uow:
        account = merchant_account(merchant_id)
        return balance(await uow.ledger.for_account(account), account, currency)


async def merchant_statement(
    uow: UnitOfWork,
    *,
    merchant_id: str,
    currency: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Statement:
    async with uow:
        account = merchant_account(merchant_id)
        return statement(await uow.ledger.for_account(account), account, currency, since, until)
