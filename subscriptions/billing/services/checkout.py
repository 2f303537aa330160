"""Subscribing (a trial at once, or a checkout to pay) and answering Telegram's pre-checkout query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.billing.errors import (
    LimitReached,
    NotMerchantMember,
    OfferArchived,
    PlanArchived,
    PriceChanged,
)
from subscriptions.billing.offers import Offer, Plan
from subscriptions.billing.payments import (
    Checkout,
    CheckoutStatus,
    PreCheckoutAnswer,
    PreCheckoutQuery,
    Purpose,
    Reason,
)
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.services.common import (
    Billing,
    CheckoutStarted,
    closed_for,
    existing_checkout,
    load_offer,
    new_checkout,
)
from subscriptions.billing.services.purchases import purchase_reason
from subscriptions.billing.subscription import Subscription, Term, TermKind
from subscriptions.billing_calendar import BillingCalendar
from subscriptions.ids import UserId
from subscriptions.money import Money


@dataclass(frozen=True, slots=True)
class Subscribed:
    """Either a trial started at once (`subscription`) or an invoice to pay (`checkout`)."""

    subscription: Subscription | None
    checkout: CheckoutStarted | None


async def _check_can_subscribe(uow: UnitOfWork, user_id: UserId, offer: Offer, plan: Plan) -> None:
    if await uow.bans.is_banned(user_id, offer.merchant_id):
        raise NotMerchantMember(f"{user_id} is banned by {offer.merchant_id}")
    if await uow.subscriptions.count_live(user_id, plan.id) >= plan.per_user_limit:
        raise LimitReached(f"{user_id} holds {plan.per_user_limit} of {plan.id}")


async def subscribe(
    billing: Billing, *,
    user_id: UserId,
    offer_id: str,
    plan_id: str,
    idempotency_key: str,
    timezone: str = "Asia/Seoul",
    expected_price: Money | None = None,
    curator_id: UserId | None = None,
) -> Subscribed:
    """Start a trial at once, or open a checkout whose payment starts the subscription.

    `expected_price` is the price the user saw on the button: a stale button after a price change
    raises `PriceChanged` instead of billing something else.
    """
    async with billing.uow() as uow:
        existing = await existing_checkout(uow, billing, user_id, idempotency_key)
        if existing is not None:
            return Subscribed(None, existing)
        offer = await load_offer(uow, offer_id)
        plan = offer.open_plan(plan_id)
        if expected_price is not None:
            plan.check_price(expected_price)
        await _check_can_subscribe(uow, user_id, offer, plan)
        if plan.trial_days and not await _trial_used(uow, user_id, offer.id):
            sub = await _start_trial(uow, billing, user_id, offer, plan, timezone, curator_id)
            await uow.commit()
            return Subscribed(sub, None)
        started = await new_checkout(
            uow, billing, user_id=user_id, offer=offer, plan=plan, purpose=Purpose.NEW_SUBSCRIPTION,
            idempotency_key=idempotency_key, timezone=timezone, curator_id=curator_id,
        )
        await uow.commit()
        return Subscribed(None, started)


async def _trial_used(uow: UnitOfWork, user_id: UserId, offer_id: str) -> bool:
    """One trial per user and offer, however the earlier subscription ended."""
    return any(sub.offer_id == offer_id and sub.had_trial for sub in await uow.subscriptions.for_user(user_id))


async def _start_trial(
    uow: UnitOfWork, billing: Billing, user_id: UserId, offer: Offer, plan: Plan, timezone: str, curator_id: UserId | None
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
    await uow.events.add(events)
    return sub


async def check_pre_checkout(billing: Billing, query: PreCheckoutQuery) -> PreCheckoutAnswer:
    """Answer Telegram's pre-checkout query: re-check everything the payment depends on. Reads only."""
    async with billing.uow() as uow:
        checkout = await uow.checkouts.by_payload(query.invoice_payload)
        if checkout is None:
            return PreCheckoutAnswer.decline(Reason.UNKNOWN_CHECKOUT)
        reason = _checkout_reason(checkout, query, billing.clock.now())
        if reason is None and checkout.purchase is not None:
            reason = await purchase_reason(uow, checkout)
        elif reason is None:
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
    offer = await load_offer(uow, checkout.offer_id)
    if await uow.bans.is_banned(checkout.user_id, offer.merchant_id):
        return Reason.BANNED
    if checkout.purpose in (Purpose.RENEWAL, Purpose.UPGRADE):
        sub = await uow.subscriptions.get(checkout.subscription_id or "")
        if sub is None or closed_for(checkout, sub):
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
