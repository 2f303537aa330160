"""What a subscriber does to their subscription: cancel, pause, resume, change plan or timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.billing.errors import FixedTerm, IllegalTransition, SamePlan, UnsupportedByProvider
from subscriptions.billing.events import CancelStarSubscription, Message
from subscriptions.billing.offers import Offer, Plan
from subscriptions.billing.payments import Purpose
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.services.common import (
    Billing,
    CheckoutStarted,
    existing_checkout,
    load_offer,
    new_checkout,
    owned_subscription,
    refund_payment,
)
from subscriptions.billing.subscription import Status, Subscription, TermKind
from subscriptions.billing_calendar import split_price, zone
from subscriptions.errors import CurrencyMismatch
from subscriptions.ids import UserId
from subscriptions.money import Money


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


async def cancel(
    billing: Billing, *, user_id: UserId, subscription_id: str, at_period_end: bool = True
) -> Canceled:
    """Cancel at the period end (renewals stop) or at once (refund by the offer's policy)."""
    async with billing.uow() as uow:
        sub = await owned_subscription(uow, user_id, subscription_id)
        if sub.is_fixed_term:
            raise FixedTerm("cancel")  # a contract's rent ends with the contract, not from the subscriptions list
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
        await uow.events.add(messages)
        await uow.commit()
        return Canceled(sub, refund_amount)


async def _refund_for_cancel(uow: UnitOfWork, billing: Billing, sub: Subscription, now: datetime) -> Money | None:
    if sub.term.kind is not TermKind.PAID or sub.status is Status.CANCELED:
        return None
    payment = await uow.payments.latest_for_subscription(sub.id)
    if payment is None:
        return None
    offer = await load_offer(uow, sub.offer_id)
    wanted = offer.refund_policy.refund_for(sub.term.amount, sub.term.period, payment.paid_at, now)
    wanted = min(wanted, payment.refundable_amount)
    amount = billing.provider(payment.provider).refundable(payment.refundable_amount, wanted)
    if not amount.is_positive:
        return None
    await refund_payment(uow, billing, payment, amount, now, f"refund on cancel: {payment.description}")
    return amount


async def withdraw_cancellation(billing: Billing, *, user_id: UserId, subscription_id: str) -> Subscription:
    async with billing.uow() as uow:
        sub = await owned_subscription(uow, user_id, subscription_id)
        now = billing.clock.now()
        before = sub.version
        messages: list[Message] = list(sub.withdraw_cancellation(now))
        if messages and sub.provider == "stars" and sub.first_charge_id:
            messages.append(CancelStarSubscription(sub.user_id, sub.first_charge_id, False, now))
        await uow.subscriptions.save(sub, before)
        await uow.events.add(messages)
        await uow.commit()
        return sub


async def pause(billing: Billing, *, user_id: UserId, subscription_id: str) -> Subscription:
    async with billing.uow() as uow:
        sub = await owned_subscription(uow, user_id, subscription_id)
        before = sub.version
        events = sub.pause(billing.clock.now())
        await uow.subscriptions.save(sub, before)
        await uow.events.add(events)
        await uow.commit()
        return sub


async def resume(billing: Billing, *, user_id: UserId, subscription_id: str) -> Subscription:
    async with billing.uow() as uow:
        sub = await owned_subscription(uow, user_id, subscription_id)
        before = sub.version
        events = sub.resume(billing.clock.now())
        await uow.subscriptions.save(sub, before)
        await uow.events.add(events)
        await uow.commit()
        return sub


async def change_timezone(billing: Billing, *, user_id: UserId, timezone: str) -> int:
    """The user moved: their subscriptions bill at the same local time in `timezone` from the next term."""
    zone(timezone)
    async with billing.uow() as uow:
        changed = 0
        for sub in await uow.subscriptions.for_user(user_id):
            before = sub.version
            if sub.change_timezone(timezone):
                await uow.subscriptions.save(sub, before)
                changed += 1
        await uow.commit()
        return changed


async def change_plan(
    billing: Billing, *, user_id: UserId, subscription_id: str, plan_id: str, idempotency_key: str
) -> PlanChange:
    """Upgrade at once with proration (pay the difference), or switch at the period end (downgrade)."""
    async with billing.uow() as uow:
        existing = await existing_checkout(uow, billing, user_id, idempotency_key)
        sub = await owned_subscription(uow, user_id, subscription_id)
        if existing is not None:
            return PlanChange(sub, False, False, existing)
        offer = await load_offer(uow, sub.offer_id)
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
            started = await new_checkout(
                uow, billing, user_id=sub.user_id, offer=offer, plan=new_plan, purpose=Purpose.UPGRADE,
                idempotency_key=idempotency_key, amount=charge - credit, subscription=sub, credit=credit,
            )
            return PlanChange(sub, False, False, started, credit, charge)
        events = sub.upgrade(plan_id=new_plan.id, plan_version_id=new_plan.current.id, credit=credit,
                             charge=charge, now=now)
        await uow.subscriptions.save(sub, before)
        await uow.events.add(events)
        return PlanChange(sub, True, False, None, credit, charge)
    if not sub.is_live:
        raise IllegalTransition("change the plan of", sub.status.value)
    events = sub.schedule_plan_change(plan_id=new_plan.id, plan_version_id=new_plan.current.id, now=now)
    await uow.subscriptions.save(sub, before)
    await uow.events.add(events)
    return PlanChange(sub, False, True, None)
