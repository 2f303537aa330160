"""Fixed-term subscriptions: a price every period for a set number of periods, the first one paid already.

Another domain's contract (a rental's monthly rent) is what they bill. The selling domain names the offer (its
merchant, title and the one plan at the contract's price) and starts the subscription inside its own
transaction, so the contract and its billing begin together. From then on it renews as any card
subscription does (an invoice `renewal_lead` before each term ends, dunning when unpaid) and ends by itself
after its last term.
"""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.offers import Offer
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.subscription import DunningPolicy, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, require_aware
from subscriptions.ids import UserId


async def start_fixed_term(
    uow: UnitOfWork, *,
    subscription_id: str,
    offer: Offer,
    plan_id: str,
    user_id: UserId,
    provider: str,
    anchor: datetime,
    timezone: str,
    periods: int,
    now: datetime,
    dunning: DunningPolicy | None = None,
) -> Subscription:
    """Start `periods` terms of `offer`'s plan anchored on `anchor`, the first one paid (by the contract's
    first payment), and store the offer on its first use. The same `subscription_id` again returns the
    subscription started first (a repeated call changes nothing)."""
    existing = await uow.subscriptions.get(subscription_id)
    if existing is not None:
        return existing
    if await uow.offers.get(offer.id) is None:
        await uow.offers.add(offer)
    plan = offer.plan(plan_id)
    calendar = BillingCalendar(require_aware(anchor), timezone, plan.interval)
    first = calendar.period(0)
    term = Term(1, first.start, first.end, plan.current.id, plan.price, calendar_index=first.index)
    sub, events = Subscription.start(
        subscription_id=subscription_id, user_id=user_id, offer_id=offer.id, merchant_id=offer.merchant_id,
        plan_id=plan.id, provider=provider, calendar=calendar, first_term=term, now=now, dunning=dunning,
        term_periods=periods,
    )
    await uow.subscriptions.add(sub)
    await uow.events.add(events)
    return sub
