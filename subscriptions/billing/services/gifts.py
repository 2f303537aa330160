"""Gifts: buying one (a checkout), claiming a code, and expiring unclaimed codes with their refunds."""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.errors import GiftNotFound, LimitReached, NotMerchantMember
from subscriptions.billing.gifts import Gift
from subscriptions.billing.offers import Offer, Plan
from subscriptions.billing.payments import Purpose
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.services.common import (
    Billing,
    CheckoutStarted,
    existing_checkout,
    load_offer,
    new_checkout,
    refund_payment,
)
from subscriptions.billing.subscription import Subscription, Term, TermKind
from subscriptions.billing_calendar import BillingCalendar, stars_calendar
from subscriptions.ids import UserId
from subscriptions.money import Money


async def buy_gift(
    billing: Billing, *,
    buyer_id: UserId,
    offer_id: str,
    plan_id: str,
    idempotency_key: str,
    expected_price: Money | None = None,
) -> CheckoutStarted:
    """An invoice for one period of `plan_id` as a gift; paying it creates the gift code."""
    async with billing.uow() as uow:
        existing = await existing_checkout(uow, billing, buyer_id, idempotency_key)
        if existing is not None:
            return existing
        offer = await load_offer(uow, offer_id)
        plan = offer.open_plan(plan_id)
        if expected_price is not None:
            plan.check_price(expected_price)
        if await uow.bans.is_banned(buyer_id, offer.merchant_id):
            raise NotMerchantMember(f"{buyer_id} is banned by {offer.merchant_id}")
        started = await new_checkout(
            uow, billing, user_id=buyer_id, offer=offer, plan=plan, purpose=Purpose.GIFT,
            idempotency_key=idempotency_key,
        )
        await uow.commit()
        return started


async def claim_gift(
    billing: Billing, *, user_id: UserId, code: str, timezone: str = "Asia/Seoul"
) -> Subscription:
    """Start the recipient's subscription for the gifted period; the buyer is told (GiftClaimed)."""
    async with billing.uow() as uow:
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
        offer = await load_offer(uow, gift.offer_id)
        plan = offer.plan(gift.plan_id)
        if await uow.subscriptions.count_live(user_id, plan.id) >= plan.per_user_limit:
            raise LimitReached(f"{user_id} already holds {plan.id}")
        sub = await _start_gifted(uow, billing, gift, offer, plan, user_id, timezone, now)
        before = gift.version
        claimed = gift.claim(user_id, sub.id, now)
        await uow.gifts.save(gift, before)
        await uow.events.add([claimed])
        await uow.commit()
        return sub


async def _start_gifted(
    uow: UnitOfWork, billing: Billing, gift: Gift, offer: Offer, plan: Plan, user_id: UserId, timezone: str,
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
    await uow.events.add(events)
    return sub


async def gift_by_code(billing: Billing, code: str) -> Gift | None:
    async with billing.uow() as uow:
        return await uow.gifts.by_code(code)


async def expire_gifts(billing: Billing, *, limit: int = 500) -> int:
    """Close unclaimed gifts past their expiry and refund them as each offer's policy says."""
    async with billing.uow() as uow:
        now = billing.clock.now()
        gifts = await uow.gifts.expiring(now, limit)
        for gift in gifts:
            await _expire_gift(uow, billing, gift, now)
        await uow.commit()
        return len(gifts)


async def _expire_gift(uow: UnitOfWork, billing: Billing, gift: Gift, now: datetime) -> None:
    offer = await load_offer(uow, gift.offer_id)
    before = gift.version
    expired = gift.expire(offer.refund_policy, now)
    if expired is None:
        return
    await uow.gifts.save(gift, before)
    await uow.events.add([expired])
    payment = await uow.payments.get(gift.payment_id)
    if payment is not None and expired.refund.is_positive:
        amount = billing.provider(payment.provider).refundable(payment.refundable_amount, expired.refund)
        if amount.is_positive:
            await refund_payment(uow, billing, payment, amount, now, f"unclaimed gift: {payment.description}")
