"""The billing clock's work: time-driven transitions and renewal invoices for card providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.billing.credits import credited_price
from subscriptions.billing.events import SendInvoice
from subscriptions.billing.payments import Purpose
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.services.common import Billing, load_offer, new_checkout
from subscriptions.billing.services.gifts import expire_gifts
from subscriptions.billing.subscription import Subscription


@dataclass(frozen=True, slots=True)
class SweepResult:
    transitioned: int
    invoiced: int


async def advance_due(billing: Billing, *, limit: int = 500) -> int:
    """Move subscriptions whose time has come: period-end cancellations, past due, suspended, canceled."""
    async with billing.uow() as uow:
        now = billing.clock.now()
        due = await uow.subscriptions.due_for_transition(now, limit)
        for sub in due:
            before = sub.version
            events = sub.advance(now)
            await uow.subscriptions.save(sub, before)
            await uow.events.add(events)
        await uow.commit()
        return len(due)


async def issue_renewal_invoices(billing: Billing, *, limit: int = 500) -> int:
    """Card providers cannot charge by themselves: invoice the next term before the current one ends."""
    async with billing.uow() as uow:
        now = billing.clock.now()
        lead = billing.settings.renewal_lead
        due = await uow.subscriptions.due_for_renewal(now, lead, limit)
        for sub in due:
            await _invoice_next_term(uow, billing, sub, now)
        await uow.commit()
        return len(due)


async def _invoice_next_term(uow: UnitOfWork, billing: Billing, sub: Subscription, now: datetime) -> None:
    offer = await load_offer(uow, sub.offer_id)
    plan = offer.plan(sub.pending_plan.plan_id if sub.pending_plan else sub.plan_id)
    # The price in force when the invoice goes out: a change published earlier applies to this term.
    version = plan.current
    term_number = sub.term.number + 1
    # What the merchant owes the customer (a missed visit, a free first week) comes off this invoice.
    price = credited_price(version.price, await uow.customer_credits.open_for(sub.id))
    started = await new_checkout(
        uow, billing, user_id=sub.user_id, offer=offer, plan=plan, purpose=Purpose.RENEWAL,
        idempotency_key=f"renewal:{sub.id}:{term_number}", version=version, subscription=sub,
        term_number=term_number, timezone=sub.calendar.timezone, amount=price.amount,
        credit=price.credit if price.used else None,
        # Payable through dunning until the subscription would be canceled for want of it.
        open_until=sub.term.end + timedelta(days=sub.dunning.cancel_after_days),
    )
    if price.used:
        await uow.customer_credits.mark_applied(price.used, started.checkout.id)
    before = sub.version
    sub.mark_invoiced(term_number)
    await uow.subscriptions.save(sub, before)
    await uow.events.add([SendInvoice(sub.user_id, started.checkout.id, now)])


async def sweep(billing: Billing, *, limit: int = 500) -> int:
    """Period ends, renewal invoices and expired gifts, batch by batch until none is due."""
    done = 0
    while True:
        moved = await advance_due(billing, limit=limit)
        invoiced = await issue_renewal_invoices(billing, limit=limit)
        expired = await expire_gifts(billing, limit=limit)
        done += moved + invoiced + expired
        if max(moved, invoiced, expired) < limit:
            return done


async def renew_due(billing: Billing, *, limit: int = 500) -> SweepResult:
    """One tick of the billing clock: apply transitions, then send the renewal invoices due."""
    transitioned = await advance_due(billing, limit=limit)
    invoiced = await issue_renewal_invoices(billing, limit=limit)
    return SweepResult(transitioned, invoiced)
