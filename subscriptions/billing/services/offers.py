"""Merchants publish offers, change prices (new periods only) and archive offers or plans."""

from __future__ import annotations

from subscriptions.billing.offers import Offer, Plan, PlanVersion, new_plan
from subscriptions.billing.services.common import Billing, load_offer
from subscriptions.billing_calendar import Interval
from subscriptions.money import Money


async def publish_offer(billing: Billing, offer: Offer) -> Offer:
    """Store a new offer (the caller has checked the user acts for `offer.merchant_id`)."""
    async with billing.uow() as uow:
        await uow.offers.add(offer)
        await uow.commit()
    return offer


async def change_price(
    billing: Billing, *, merchant_id: str, offer_id: str, plan_id: str, price: Money
) -> PlanVersion:
    """A new price for new periods; subscriptions keep the version their current term was billed at."""
    async with billing.uow() as uow:
        offer = await load_offer(uow, offer_id, merchant_id)
        before = offer.version
        version = offer.change_price(plan_id, billing.ids.new_id(), price, billing.clock.now())
        await uow.offers.save(offer, before)
        await uow.commit()
    return version


async def add_plan(
    billing: Billing, *,
    merchant_id: str,
    offer_id: str,
    name: str,
    price: Money,
    interval: Interval,
    trial_days: int = 0,
    per_user_limit: int = 1,
) -> Plan:
    """Another way to subscribe to an existing offer (a second tier, a yearly plan)."""
    async with billing.uow() as uow:
        offer = await load_offer(uow, offer_id, merchant_id)
        before = offer.version
        plan = new_plan(billing.ids.new_id(), billing.ids.new_id(), name, price, interval, billing.clock.now(),
                        trial_days=trial_days, per_user_limit=per_user_limit)
        offer.add_plan(plan)
        await uow.offers.save(offer, before)
        await uow.commit()
    return plan


async def archive_offer(billing: Billing, *, merchant_id: str, offer_id: str, plan_id: str | None = None) -> None:
    """No new subscribers to the offer (or one plan); existing subscriptions keep renewing."""
    async with billing.uow() as uow:
        offer = await load_offer(uow, offer_id, merchant_id)
        before = offer.version
        if plan_id is None:
            offer.archive()
        else:
            offer.archive_plan(plan_id)
        await uow.offers.save(offer, before)
        await uow.commit()
