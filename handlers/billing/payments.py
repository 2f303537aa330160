"""Telegram's side of paying: the pre-checkout query, successful_payment, and /receipts.

The pre-checkout query is answered within the configured time (Telegram gives up after 10 seconds)
after the service re-checked the price, currency, offer, limits and bans. A payment is credited
only when `successful_payment` arrives, once per charge id: a repeated update changes nothing and
sends no second receipt.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from handlers.billing import text as billing_text
from handlers.billing.subscriptions import dispatch
from handlers.core.context import JigapContext
from subscriptions.billing import services as billing
from subscriptions.billing.payments import PreCheckoutQuery, SuccessfulPayment
from subscriptions.errors import SubscriptionsError

log = logging.getLogger(__name__)


async def pre_checkout(update: Update, context: JigapContext) -> None:
    """Accept only what can still be paid for, at the price and in the currency asked."""
    query = update.pre_checkout_query
    assert query is not None
    asked = PreCheckoutQuery(query.from_user.id, query.invoice_payload, query.currency, query.total_amount)
    timeout = context.services.config.billing.pre_checkout_timeout
    try:
        answer = await asyncio.wait_for(billing.check_pre_checkout(context.services.billing, asked), timeout)
    except TimeoutError:
        log.warning("pre-checkout check for %s took longer than %ss", query.invoice_payload, timeout)
        await query.answer(ok=False, error_message=context.tr("Please try again in a moment. Nothing was charged."))
        return
    if answer.ok:
        await query.answer(ok=True)
        return
    log.info("pre-checkout declined for %s: %s", query.invoice_payload, answer.reason)
    await query.answer(ok=False, error_message=billing_text.decline_reason(answer.reason, context.tr))


async def successful_payment(update: Update, context: JigapContext) -> None:
    """Credit the payment (once per charge id), then send the receipt and whatever else it caused."""
    message = update.effective_message
    assert message is not None and message.successful_payment is not None and update.effective_user is not None
    paid = message.successful_payment
    payment = SuccessfulPayment(
        user_id=update.effective_user.id,
        currency=paid.currency,
        total_amount=paid.total_amount,
        invoice_payload=paid.invoice_payload,
        telegram_payment_charge_id=paid.telegram_payment_charge_id,
        provider_payment_charge_id=paid.provider_payment_charge_id,
        is_recurring=bool(paid.is_recurring),
        is_first_recurring=bool(paid.is_first_recurring),
        subscription_expiration_date=paid.subscription_expiration_date,
    )
    tr = context.tr
    try:
        outcome = await billing.record_successful_payment(context.services.billing, payment)
    except SubscriptionsError as error:
        # Money arrived that matches no checkout: keep the charge id for support, tell the payer.
        log.error("payment %s could not be credited: %s", paid.telegram_payment_charge_id, error)
        await message.reply_text(tr("We received your payment but could not match it to an order. "
                                    "Support will sort it out. Reference: {reference}",
                                    reference=paid.telegram_payment_charge_id))
        return
    if outcome.duplicate:
        log.info("payment %s was credited before; nothing done", paid.telegram_payment_charge_id)
        return
    await dispatch(context)
    if outcome.refunded:
        await message.reply_text(tr("This was already paid for or has ended, so the payment is being refunded."))
    elif outcome.purchase is not None:
        merchant = await billing.merchant_name(context.services.billing, outcome.purchase.merchant_id)
        await message.reply_text(billing_text.purchase_confirmation(outcome.purchase, outcome.payment, merchant, tr))
    elif outcome.subscription is not None and outcome.gift is None:
        offer = await billing.offer(context.services.billing, outcome.subscription.offer_id)
        line = billing_text.subscription_line(outcome.subscription, offer, context.member.user.timezone, tr,
                                              now=context.services.clock.now())
        await message.reply_text(tr("Thank you! {line}", line=line))


async def receipts(update: Update, context: JigapContext) -> None:
    """/receipts: the latest receipts, newest first."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    found = await billing.receipt_history(context.services.billing, user_id=context.member.id, limit=5)
    if not found:
        await message.reply_text(tr("You have no receipts yet."))
        return
    timezone = context.member.user.timezone
    parts = []
    for receipt in found:
        merchant = await billing.merchant_name(context.services.billing, receipt.merchant_id)
        parts.append(billing_text.receipt_text(receipt, merchant, timezone, tr, now=context.services.clock.now()))
    await message.reply_text("\n\n".join(parts))
