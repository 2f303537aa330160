"""Carrying out what the billing domain wrote down, after its transaction committed.

The domain records events and commands (`billing_messages`) in the same transaction as their cause.
`BillingDispatcher.dispatch` claims them, turns each into a Telegram call (a receipt, a gift link
with its QR, "your gift was claimed by Hana", a renewal invoice, a Stars refund or cancellation)
and marks it done; a claim that lapses (the process died) is taken again.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import qrcode
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.delivery.messages import Button, OutboundMessage
from bot.i18n import Translations, Translator
from bot.services.billing import BillingService, SqlBillingUnitOfWork
from handlers.billing import text as billing_text
from handlers.core import callback_data
from storage.billing.repositories import BillingMessage
from storage.documents import money_from_document
from subscriptions.billing.gifts import deep_link_payload
from subscriptions.billing.offers import Offer
from subscriptions.billing.receipts import receipt_for
from subscriptions.billing.subscription import Status, Subscription

log = logging.getLogger(__name__)
Buttons = tuple[tuple[Button, ...], ...]
Enqueue = Callable[..., Awaitable[bool]]  # DeliveryService.enqueue(chat_id, kind, payload, idempotency_key=)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Reader:
    """Who a message goes to, in which language and timezone."""

    chat_id: int
    tr: Translator
    timezone: str


def gift_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={deep_link_payload(code)}"


def qr_png(text: str) -> bytes:
    image = qrcode.make(text)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class BillingDispatcher:
    def __init__(self, billing: BillingService, translations: Translations, default_timezone: str) -> None:
        self.billing = billing
        self.translations = translations
        self.default_timezone = default_timezone
        self._enqueue: Enqueue | None = None
        self._current = 0  # the billing message being carried out: the notice's idempotency key

    # --- who reads it -------------------------------------------------------------------------------

    def use_delivery(self, enqueue: Enqueue) -> None:
        """Send notices that nobody is waiting for through the delivery engine's outbox (rate-limited,
        quiet about blocked chats); without it they are sent at once."""
        self._enqueue = enqueue

    async def _notify(self, bot: Bot, reader: Reader, text: str, buttons: Buttons = ()) -> None:
        if self._enqueue is None:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.callback_data)
                                            for b in row] for row in buttons]) if buttons else None
            await bot.send_message(reader.chat_id, text, reply_markup=markup)
            return
        payload = OutboundMessage(text, buttons).payload()
        await self._enqueue(reader.chat_id, "billing", payload, idempotency_key=f"billing:{self._current}")

    async def reader(self, user_id: str) -> Reader:
        async with self.billing.storage() as uow:
            user = await uow.users.get(int(user_id))
        if user is None:
            return Reader(int(user_id), self.translations.get(self.translations.default), self.default_timezone)
        language = self.translations.pick(user.language, user.telegram_language)
        return Reader(user.id, self.translations.get(language), user.timezone)

    async def _offer(self, offer_id: str) -> Offer | None:
        return await self.billing.offer(offer_id)

    # --- dispatching --------------------------------------------------------------------------------

    async def dispatch(self, bot: Bot, *, limit: int = 100) -> int:
        """Carry out pending billing messages until none is left; returns how many were handled."""
        handled = 0
        while True:
            async with self.billing.uow() as uow:
                claimed = await uow.outbox.claim(now=self.billing.clock.now(), lease=LEASE, limit=limit)
                await uow.storage.commit()
            for message in claimed:
                await self._carry_out(bot, message)
            handled += len(claimed)
            if len(claimed) < limit:
                return handled

    async def _carry_out(self, bot: Bot, message: BillingMessage) -> None:
        status, error = "done", None
        try:
            await self._handle(bot, message)
        except Forbidden as failure:  # the user blocked the bot: nothing more to do
            status, error = "failed", str(failure)
        except BadRequest as failure:
            status, error = "failed", str(failure)
            log.warning("billing message %s (%s) refused: %s", message.id, message.kind, failure)
        except Exception as failure:  # network trouble and the like: try again later
            log.exception("billing message %s (%s) failed", message.id, message.kind)
            if message.attempts < MAX_ATTEMPTS:
                async with self.billing.uow() as uow:
                    await uow.outbox.release(message.id)
                    await uow.storage.commit()
                return
            status, error = "failed", str(failure)
        async with self.billing.uow() as uow:
            await uow.outbox.finish(message.id, status=status, error=error)
            await uow.storage.commit()

    async def _handle(self, bot: Bot, message: BillingMessage) -> None:
        handler = getattr(self, f"_on_{message.kind}", None)
        if handler is not None:
            self._current = message.id
            await handler(bot, message.payload)

    async def _on_PaymentReceived(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        async with self.billing.uow() as uow:
            payment = await uow.payments.get(payload["payment_id"])
        if payment is None:
            return
        reader = await self.reader(payment.user_id)
        merchant = await self.billing.merchant_name(payment.merchant_id)
        text = billing_text.receipt_text(receipt_for(payment), merchant, reader.timezone, reader.tr)
        await self._notify(bot, reader, text)

    async def _on_GiftPurchased(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        gift = await self.billing.gift(payload["code"])
        if gift is None:
            return
        reader = await self.reader(gift.buyer_id)
        offer = await self._offer(gift.offer_id)
        link = gift_link(bot.username, gift.code)
        tr = reader.tr
        caption = "\n".join([
            tr("Your gift of {title} is ready.", title=_title(offer, gift.plan_id)),
            tr("Send this link to the person it is for:"),
            link,
            tr("It can be claimed once, until {date}.", date=billing_text.day(gift.expires_at, reader.timezone, tr)),
        ])
        await bot.send_photo(reader.chat_id, qr_png(link), caption=caption)

    async def _on_GiftClaimed(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        reader = await self.reader(payload["buyer_id"])
        async with self.billing.storage() as uow:
            recipient = await uow.users.get(int(payload["recipient_id"]))
        name = recipient.first_name or recipient.display_name if recipient else payload["recipient_id"]
        await self._notify(bot, reader, reader.tr("Your gift was claimed by {name}.", name=name))

    async def _on_GiftExpired(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        reader = await self.reader(payload["buyer_id"])
        refund = money_from_document(payload["refund"])
        tr = reader.tr
        text = tr("Nobody claimed your gift before it expired.")
        if refund.is_positive:
            text += "\n" + tr("{amount} is being refunded.", amount=billing_text.money(refund, tr))
        await self._notify(bot, reader, text)

    async def _on_SendInvoice(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        checkout = await self.billing.checkout(payload["checkout_id"])
        if not checkout.is_open(self.billing.clock.now()):
            return
        reader = await self.reader(checkout.user_id)
        offer = await self._offer(checkout.offer_id)
        plan_name = offer.plan(checkout.plan_id).name if offer else checkout.title
        invoice = self.billing.domain.provider(checkout.provider).invoice_for(checkout, plan_name)
        label = reader.tr("Pay {amount}", amount=billing_text.money(checkout.amount, reader.tr))
        if self._enqueue is None:
            await self.billing.telegram.send_invoice(bot, reader.chat_id, invoice, label)
            return
        outbound = self.billing.telegram.outbound_invoice(invoice, label)
        await self._enqueue(reader.chat_id, "billing", outbound.payload(), idempotency_key=f"billing:{self._current}")

    async def _on_CancelStarSubscription(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        try:
            await self.billing.telegram.edit_star_subscription(
                bot, int(payload["user_id"]), payload["telegram_payment_charge_id"], bool(payload["is_canceled"]))
        except BadRequest as error:
            if "NOT_MODIFIED" not in str(error).upper():
                raise

    async def _on_RefundStarPayment(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        try:
            await self.billing.telegram.refund_stars(bot, int(payload["user_id"]), payload["telegram_payment_charge_id"])
        except BadRequest as error:
            if "ALREADY_REFUNDED" not in str(error).upper():
                raise

    async def _on_RefundCardPayment(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        # Card providers refund in their own back office; the ledger already reversed the payment.
        log.info("card refund for the provider's back office: %s %s of charge %s", payload["provider"],
                 money_from_document(payload["amount"]), payload["provider_payment_charge_id"])

    async def _on_PaymentRefunded(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        reader = await self.reader(payload["user_id"])
        async with self.billing.uow() as uow:
            payment = await uow.payments.get(payload["payment_id"])
        amount = billing_text.money(money_from_document(payload["amount"]), reader.tr)
        description = payment.description if payment else ""
        await self._notify(bot, reader, reader.tr("Refunded {amount}: {description}", amount=amount,
                                                  description=description))

    async def _subscription_notice(self, bot: Bot, payload: dict[str, Any],
                                   text: Callable[[Translator, str], str]) -> None:
        reader = await self.reader(payload["user_id"])
        async with self.billing.uow() as uow:
            sub = await uow.subscriptions.get(payload["subscription_id"])
        offer = await self._offer(sub.offer_id) if sub else None
        title = _title(offer, sub.plan_id if sub else "")
        await self._notify(bot, reader, text(reader.tr, title), _manage(sub, reader.tr))

    async def _on_PaymentFailed(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        await self._subscription_notice(bot, payload, lambda tr, title: tr(
            "The payment for {title} has not arrived. Pay now to keep your subscription.", title=title))

    async def _on_SubscriptionSuspended(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        await self._subscription_notice(bot, payload, lambda tr, title: tr(
            "{title} is suspended until the payment arrives.", title=title))

    async def _on_SubscriptionCanceled(self, bot: Bot, payload: dict[str, Any]) -> None:  # noqa: N802
        if payload["reason"] != "user":  # a user who cancelled was answered at once
            await self._subscription_notice(bot, payload, lambda tr, title: tr(
                "Your subscription to {title} has ended.", title=title))

    # --- the clock ----------------------------------------------------------------------------------

    async def tick(self, bot: Bot) -> int:
        """One turn of the billing clock: period ends, renewal invoices, expired gifts, then everything
        they wrote down. (Reminders are the delivery scheduler's: see `bot.services.billing_reminders`.)"""
        try:
            done = await self.billing.sweep()
            return done + await self.dispatch(bot)
        except (SQLAlchemyError, OSError, TelegramError):
            # The next tick tries again; the scheduler's other work must not wait for billing.
            log.exception("billing tick failed")
            return 0


def _title(offer: Offer | None, plan_id: str) -> str:
    if offer is None:
        return plan_id
    for plan in offer.plans:
        if plan.id == plan_id:
            return f"{offer.title} · {plan.name}"
    return offer.title


def _manage(sub: Subscription | None, tr: Translator) -> Buttons:
    """"Renew now" (card subscriptions, whose renewals are invoices) and "Manage"."""
    if sub is None or sub.status is Status.CANCELED:
        return ()
    row = []
    if sub.provider == "card":
        row.append(Button(tr("Renew now"), callback_data.make("my", "rn", sub.id)))
    row.append(Button(tr("Manage"), callback_data.make("my", "v", sub.id)))
    return (tuple(row),)


__all__ = ["BillingDispatcher", "SqlBillingUnitOfWork", "gift_link", "qr_png"]
