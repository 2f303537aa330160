"""What billing's events and commands become once their transaction committed: receipts, a gift's link and QR,
"your gift was claimed by Hana", renewal invoices, notices about payments and suspensions, and the Stars
calls Telegram must be asked for (a refund, a cancelled renewal).

Each handler reads what it needs, writes the message in the reader's language and returns it; the event
dispatcher queues it in the delivery outbox (see `handlers.core.notices`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from handlers.billing import text as billing_text
from handlers.billing.buttons import Manage, ManageStep, RefundDone
from handlers.core.notices import Notice, NoticeContext, Reader
from handlers.core.outbound import ApiCall, Button, OutboundMessage, QrPhoto
from handlers.core.routing import Routes
from subscriptions.accounts.access import PLATFORM, Permission
from subscriptions.accounts.events import TimezoneChanged
from subscriptions.accounts.roles import people_with, person
from subscriptions.billing import services as billing
from subscriptions.billing.events import (
    CancelStarSubscription,
    CardRefundDone,
    GiftClaimed,
    GiftExpired,
    GiftPurchased,
    PaymentFailed,
    PaymentReceived,
    PaymentRefunded,
    RefundCardPayment,
    RefundStarPayment,
    SendInvoice,
    SubscriptionCanceled,
    SubscriptionSuspended,
)
from subscriptions.billing.gifts import deep_link_payload
from subscriptions.billing.offers import Offer
from subscriptions.billing.payments import CardProvider
from subscriptions.billing.receipts import receipt_for
from subscriptions.billing.subscription import Status, Subscription
from subscriptions.ids import UserId

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)
Buttons = tuple[tuple[Button, ...], ...]


def register(routes: Routes) -> None:
    for kind, handler in (
        (PaymentReceived, receipt), (GiftPurchased, gift_ready), (GiftClaimed, gift_claimed),
        (GiftExpired, gift_expired), (PaymentRefunded, refunded), (PaymentFailed, payment_missing),
        (SubscriptionSuspended, suspended), (SubscriptionCanceled, ended), (SendInvoice, renewal_invoice),
        (CancelStarSubscription, stars_renewal_changed), (RefundStarPayment, stars_refund),
        (RefundCardPayment, card_refund), (CardRefundDone, card_refund_done), (TimezoneChanged, move_billing_timezone),
    ):
        routes.on_event(kind, handler)


def _message(reader: Reader, text: str, buttons: Buttons = ()) -> list[Notice]:
    return [Notice(reader.chat_id, OutboundMessage(text, buttons).payload())]


# --- payments -----------------------------------------------------------------------------------------

async def receipt(event: PaymentReceived, notices: NoticeContext) -> list[Notice]:
    services = notices.services
    async with services.billing.uow() as uow:
        payment = await uow.payments.get(event.payment_id)
    if payment is None:
        return []
    reader = await notices.reader(payment.user_id)
    merchant = await billing.merchant_name(services.billing, payment.merchant_id)
    return _message(reader, billing_text.receipt_text(receipt_for(payment), merchant, reader.timezone, reader.tr,
                                                            now=notices.services.clock.now()))


async def refunded(event: PaymentRefunded, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.user_id)
    async with notices.services.billing.uow() as uow:
        payment = await uow.payments.get(event.payment_id)
    amount = billing_text.money(event.amount, reader.tr)
    description = payment.description if payment else ""
    if payment is not None and payment.provider == CardProvider().name:
        # Not "Refunded": Telegram cannot refund a card for the bot, the merchant must, and has been asked to.
        merchant = await billing.merchant_name(notices.services.billing, event.merchant_id)
        return _message(reader, reader.tr(
            "{merchant} is to refund {amount} to your card for {description}. Card payments are refunded by the "
            "merchant, not by Telegram: they have been asked to, and you will hear from us when they mark it "
            "done.", merchant=merchant, amount=amount, description=description) + _reason(reader, event))
    return _message(reader, reader.tr("Refunded {amount}: {description}", amount=amount, description=description)
                    + _reason(reader, event))


def _reason(reader: Reader, event: PaymentRefunded) -> str:
    """Why, when the platform refunded it (a refund billing made by itself needs no reason)."""
    return "\n" + reader.tr("Reason: {reason}", reason=event.reason) if event.reason else ""


async def card_refund_done(event: CardRefundDone, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.user_id)
    async with notices.services.billing.uow() as uow:
        payment = await uow.payments.get(event.payment_id)
    merchant = await billing.merchant_name(notices.services.billing, event.merchant_id)
    return _message(reader, reader.tr(
        "{merchant} refunded {amount} to your card for {description}. It can take a few days to show on your "
        "statement.", merchant=merchant, amount=billing_text.money(event.amount, reader.tr),
        description=payment.description if payment else ""))


# --- gifts --------------------------------------------------------------------------------------------

async def gift_ready(event: GiftPurchased, notices: NoticeContext) -> list[Notice]:
    gift = await billing.gift_by_code(notices.services.billing, event.code)
    if gift is None:
        return []
    reader = await notices.reader(gift.buyer_id)
    offer = await billing.offer(notices.services.billing, gift.offer_id)
    link = notices.link(deep_link_payload(gift.code))
    tr = reader.tr
    caption = "\n".join([
        tr("Your gift of {title} is ready.", title=_title(offer, gift.plan_id)),
        tr("Send this link to the person it is for:"),
        link,
        tr("It can be claimed once, until {date}.", date=billing_text.day(gift.expires_at, reader.timezone, tr,
                                                                       now=notices.services.clock.now())),
    ])
    return [Notice(reader.chat_id, QrPhoto(link, caption).payload())]


async def gift_claimed(event: GiftClaimed, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.buyer_id)
    user = await person(notices.services.accounts, int(event.recipient_id))
    name = (user.first_name or user.display_name) if user else event.recipient_id
    return _message(reader, reader.tr("Your gift was claimed by {name}.", name=name))


async def gift_expired(event: GiftExpired, notices: NoticeContext) -> list[Notice]:
    reader = await notices.reader(event.buyer_id)
    tr = reader.tr
    text = tr("Nobody claimed your gift before it expired.")
    if event.refund.is_positive:
        text += "\n" + tr("{amount} is being refunded.", amount=billing_text.money(event.refund, tr))
    return _message(reader, text)


# --- a subscription's troubles ------------------------------------------------------------------------

async def _subscription_notice(notices: NoticeContext, user_id: UserId, subscription_id: str,
                               text: Callable[[Translator, str], str]) -> list[Notice]:
    reader = await notices.reader(user_id)
    async with notices.services.billing.uow() as uow:
        sub = await uow.subscriptions.get(subscription_id)
    offer = await billing.offer(notices.services.billing, sub.offer_id) if sub else None
    title = _title(offer, sub.plan_id if sub else "")
    return _message(reader, text(reader.tr, title), manage_buttons(sub, reader.tr))


async def payment_missing(event: PaymentFailed, notices: NoticeContext) -> list[Notice]:
    return await _subscription_notice(notices, event.user_id, event.subscription_id, lambda tr, title: tr(
        "The payment for {title} has not arrived. Pay now to keep your subscription.", title=title))


async def suspended(event: SubscriptionSuspended, notices: NoticeContext) -> list[Notice]:
    return await _subscription_notice(notices, event.user_id, event.subscription_id, lambda tr, title: tr(
        "{title} is suspended until the payment arrives.", title=title))


async def ended(event: SubscriptionCanceled, notices: NoticeContext) -> list[Notice]:
    if event.reason == "user":  # a user who cancelled was answered at once
        return []
    return await _subscription_notice(notices, event.user_id, event.subscription_id, lambda tr, title: tr(
        "Your subscription to {title} has ended.", title=title))


# --- commands: what Telegram is asked to do -----------------------------------------------------------

async def renewal_invoice(command: SendInvoice, notices: NoticeContext) -> list[Notice]:
    services = notices.services
    checkout = await billing.checkout_by_id(services.billing, command.checkout_id)
    if not checkout.is_open(services.clock.now()):
        return []
    reader = await notices.reader(checkout.user_id)
    offer = await billing.offer(services.billing, checkout.offer_id)
    plan_name = offer.plan(checkout.plan_id).name if offer else checkout.title
    invoice = services.billing.provider(checkout.provider).invoice_for(checkout, plan_name)
    label = reader.tr("Pay {amount}", amount=billing_text.money(checkout.amount, reader.tr))
    return [Notice(reader.chat_id, services.payments.outbound_invoice(invoice, label).payload())]


async def stars_renewal_changed(command: CancelStarSubscription, notices: NoticeContext) -> list[Notice]:
    call = ApiCall("editUserStarSubscription",
                   {"user_id": int(command.user_id), "telegram_payment_charge_id": command.telegram_payment_charge_id,
                    "is_canceled": command.is_canceled},
                   done_if=("NOT_MODIFIED",))
    return [Notice(int(command.user_id), call.payload())]


async def stars_refund(command: RefundStarPayment, notices: NoticeContext) -> list[Notice]:
    call = ApiCall("refundStarPayment",
                   {"user_id": int(command.user_id), "telegram_payment_charge_id": command.telegram_payment_charge_id},
                   done_if=("ALREADY_REFUNDED",))
    return [Notice(int(command.user_id), call.payload())]


async def card_refund(command: RefundCardPayment, notices: NoticeContext) -> Sequence[Notice]:
    """The merchant's people and the platform admins get the refund to make, with its button (the ledger
    already reversed the payment; the task stays open until one of them marks it done)."""
    services = notices.services
    async with services.billing.uow() as uow:
        task = await uow.refund_tasks.get(command.task_id) if command.task_id else None
    if task is None:
        log.warning("card refund of charge %s has no task to hand out", command.provider_payment_charge_id)
        return []
    org_id = int(task.merchant_id) if task.merchant_id.isdigit() else PLATFORM
    merchant = await billing.merchant_name(services.billing, task.merchant_id)
    customer = await person(services.accounts, int(task.user_id))
    sent = []
    for user_id in await people_with(services.accounts, Permission.REFUND_CARD_PAYMENTS, org_id):
        reader = await notices.reader(user_id)
        tr = reader.tr
        text = tr("Card refund to make: {merchant} owes {amount} to {customer} for {description} (charge "
                  "{charge}). Telegram cannot refund card payments: refund it in your payment provider's back "
                  "office, then mark it here or in /refunds.", merchant=merchant,
                  amount=billing_text.money(task.amount, tr),
                  customer=customer.display_name if customer else str(task.user_id),
                  description=task.description, charge=task.provider_charge_id)
        sent += _message(reader, text, ((RefundDone(task.id).outbound(tr("Mark as refunded")),),))
    return sent


# --- what other domains said ---------------------------------------------------------------------------

async def move_billing_timezone(event: TimezoneChanged, notices: NoticeContext) -> list[Notice]:
    """The user chose another time zone: their subscriptions bill at the same local time there from the next
    term (doing it twice changes nothing, so a second hand-out is harmless)."""
    await billing.change_timezone(notices.services.billing, user_id=event.user_id, timezone=event.timezone)
    return []


# --- shared -------------------------------------------------------------------------------------------

def _title(offer: Offer | None, plan_id: str) -> str:
    if offer is None:
        return plan_id
    for plan in offer.plans:
        if plan.id == plan_id:
            return f"{offer.title} · {plan.name}"
    return offer.title


def manage_buttons(sub: Subscription | None, tr: Translator) -> Buttons:
    """"Renew now" (card subscriptions, whose renewals are invoices) and "Manage"."""
    if sub is None or sub.status is Status.CANCELED:
        return ()
    row = []
    if sub.provider == "card":
        row.append(Manage(ManageStep.RENEW_NOW, sub.id).outbound(tr("Renew now")))
    row.append(Manage(ManageStep.VIEW, sub.id).outbound(tr("Manage")))
    return (tuple(row),)
