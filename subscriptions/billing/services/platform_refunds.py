"""Refunds a platform admin makes: find a payment, choose all of what is left or an amount, say why, confirm.

The refund being prepared is a flow of the admin's (`REFUND_FLOW`): its steps wait for a typed search, amount
or reason, then for Confirm. Confirming closes the flow and refunds in one transaction, so of two presses of
Confirm only the first refunds; the second finds the flow closed. The refund itself is billing's one refund
path (`refund_payment`): the ledger reversed, Stars paid back by Telegram, a card refund handed to the
merchant; the reason goes into the journal, the audit log and the payer's notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.billing.errors import (
    InvalidRefundAmount,
    PaymentAlreadyRefunded,
    PaymentNotFound,
    RefundAboveRemaining,
    RefundConfirmationGone,
    RefundReasonMissing,
    UnsupportedByProvider,
)
from subscriptions.billing.payments import Payment
from subscriptions.billing.ports import UnitOfWork
from subscriptions.billing.services.common import Billing, refund_payment
from subscriptions.flows import Flow, FlowStatus, moved, new_flow
from subscriptions.money import Money, exponent
from subscriptions.numbers import amount as typed_amount

REFUND_FLOW = "billing.refund"
FLOW_LIFETIME = timedelta(minutes=30)
PAGE_SIZE = 5
REASON_LIMIT = 160  # the journal keeps 200 characters of a description, "refund by the platform: " first
KEY_LIMIT = 100


class RefundStep:
    """What the refund being prepared waits for."""

    FIND = "find"  # a payment's id or charge id, or @user
    AMOUNT = "amount"
    REASON = "reason"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class RefundDraft:
    """A refund being prepared: the flow, its payment, the amount chosen (None until then) and the reason."""

    flow: Flow
    payment: Payment
    amount: Money | None
    reason: str


async def start_search(billing: Billing, admin_id: int, chat_id: int) -> Flow:
    """The Refunds section is open: what the admin types next is a search for a payment."""
    now = billing.clock.now()
    flow = new_flow(billing.ids.new_id(), admin_id, REFUND_FLOW, RefundStep.FIND, {}, now=now,
                    lifetime=FLOW_LIFETIME, chat_id=chat_id)
    async with billing.uow() as uow:
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return flow


async def find_payment(billing: Billing, key: str) -> Payment:
    """The payment with this id or Telegram charge id (raises PaymentNotFound)."""
    key = key.strip()[:KEY_LIMIT]
    async with billing.uow() as uow:
        found = await uow.payments.get(key) or await uow.payments.by_charge_id(key)
    if found is None:
        raise PaymentNotFound(key)
    return found


async def payments_of(billing: Billing, user_id: int, page: int) -> tuple[list[Payment], bool]:
    """A page of the user's payments, newest first, and whether an older page follows."""
    page = max(0, page)
    async with billing.uow() as uow:
        found = await uow.payments.for_user(user_id, (page + 1) * PAGE_SIZE + 1)
    shown = found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    return shown, len(found) > (page + 1) * PAGE_SIZE


async def begin_refund(billing: Billing, admin_id: int, payment_id: str, *, full: bool, chat_id: int) -> RefundDraft:
    """Refund all that is left (then the reason is asked) or a part (then the amount is)."""
    found = await find_payment(billing, payment_id)
    left = found.refundable_amount
    if not left.is_positive:
        raise PaymentAlreadyRefunded(found.id)
    smallest = Money(1, left.currency)
    if not full and billing.provider(found.provider).refundable(left, smallest) != smallest:  # Stars: whole only
        raise UnsupportedByProvider(f"{found.provider} refunds whole payments only")
    now = billing.clock.now()
    state = {"payment_id": found.id, "amount_minor": left.amount_minor if full else None, "reason": ""}
    flow = new_flow(billing.ids.new_id(), admin_id, REFUND_FLOW, RefundStep.REASON if full else RefundStep.AMOUNT,
                    state, now=now, lifetime=FLOW_LIFETIME, chat_id=chat_id)
    async with billing.uow() as uow:
        await uow.flows.start(flow, now=now)
        await uow.commit()
    return RefundDraft(flow, found, left if full else None, "")


async def set_amount(billing: Billing, admin_id: int, flow: Flow, text: str) -> RefundDraft:
    """The amount typed, in the payment's currency; never more than is left of it."""
    async with billing.uow() as uow:
        found = await _payment_of(uow, flow)
        currency = found.amount.currency
        value = typed_amount(text.strip(), decimals=exponent(currency))
        wanted = Money.of(value, currency) if value is not None else None
        if wanted is None or not wanted.is_positive:
            raise InvalidRefundAmount(text[:40])
        if wanted > found.refundable_amount:
            raise RefundAboveRemaining(found.id, found.refundable_amount)
        following = await _move(uow, admin_id, flow, RefundStep.REASON, amount_minor=wanted.amount_minor)
        await uow.commit()
    return RefundDraft(following, found, wanted, "")


async def set_reason(billing: Billing, admin_id: int, flow: Flow, text: str) -> RefundDraft:
    """Why: required, kept to one short line."""
    reason = " ".join(text.split())[:REASON_LIMIT]
    if not reason:
        raise RefundReasonMissing(flow.id)
    async with billing.uow() as uow:
        found = await _payment_of(uow, flow)
        following = await _move(uow, admin_id, flow, RefundStep.CONFIRM, reason=reason)
        await uow.commit()
    return RefundDraft(following, found, Money(int(flow.state["amount_minor"]), found.amount.currency), reason)


async def confirm_refund(billing: Billing, admin_id: int, flow_id: str) -> RefundDraft:
    """Refund once: the flow closes in the refund's own transaction, so a second Confirm finds it closed."""
    now = billing.clock.now()
    async with billing.uow() as uow:
        flow = await _open_flow(uow, admin_id, flow_id[:40], now=now)
        if flow.step != RefundStep.CONFIRM:
            raise RefundConfirmationGone(flow.id)
        found = await _payment_of(uow, flow)
        wanted = Money(int(flow.state["amount_minor"]), found.amount.currency)
        reason = str(flow.state["reason"])
        if not found.refundable_amount.is_positive:
            raise PaymentAlreadyRefunded(found.id)
        if wanted > found.refundable_amount:
            raise RefundAboveRemaining(found.id, found.refundable_amount)
        if not await uow.flows.save(moved(flow, status=FlowStatus.DONE), expected_version=flow.version):
            raise RefundConfirmationGone(flow.id)  # the other press got there first
        await refund_payment(uow, billing, found, wanted, now, f"refund by the platform: {reason}", reason)
        await uow.audit.record(actor_id=admin_id, action="billing.refund", outcome="ok", target=found.id,
                               detail={"amount_minor": wanted.amount_minor, "currency": wanted.currency,
                                       "reason": reason, "provider": found.provider}, now=now)
        await uow.commit()
    return RefundDraft(flow, found, wanted, reason)


async def cancel_refund(billing: Billing, admin_id: int, flow_id: str) -> bool:
    """Drop the refund being prepared; False when there was none open (confirmed or expired)."""
    now = billing.clock.now()
    async with billing.uow() as uow:
        try:
            flow = await _open_flow(uow, admin_id, flow_id[:40], now=now)
        except RefundConfirmationGone:
            return False
        done = await uow.flows.save(moved(flow, status=FlowStatus.CANCELED), expected_version=flow.version)
        await uow.commit()
    return done


async def _open_flow(uow: UnitOfWork, admin_id: int, flow_id: str, *, now: datetime) -> Flow:
    flow = await uow.flows.get(flow_id)
    if flow is None or not flow.is_for(admin_id, REFUND_FLOW, now):
        raise RefundConfirmationGone(flow_id)
    return flow


async def _payment_of(uow: UnitOfWork, flow: Flow) -> Payment:
    found = await uow.payments.get(str(flow.state.get("payment_id", "")))
    if found is None:
        raise PaymentNotFound(str(flow.state.get("payment_id", "")))
    return found


async def _move(uow: UnitOfWork, admin_id: int, flow: Flow, step: str, **changes: object) -> Flow:
    """The flow's next step, saved against the version it was read at (a concurrent step wins, this one stops)."""
    if flow.owner_id != admin_id or flow.kind != REFUND_FLOW:
        raise RefundConfirmationGone(flow.id)
    following = moved(flow, step=step, state={**flow.state, **changes})
    if not await uow.flows.save(following, expected_version=flow.version):
        raise RefundConfirmationGone(flow.id)
    return following
