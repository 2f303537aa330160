"""Gifts: buy one period of a plan for someone else, and claim it through its `gift_<code>` deep link."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from telegram import Update

from handlers.billing import text as billing_text
from handlers.billing.buttons import GiftPlan
from handlers.billing.subscriptions import dispatch, show_checkout
from handlers.core.context import JigapContext
from subscriptions.billing import services as billing
from subscriptions.billing.gifts import DEEP_LINK_PREFIX
from subscriptions.billing.services import CheckoutStarted
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)


async def gift_button(update: Update, context: JigapContext, data: GiftPlan) -> None:
    """"Gift" on a plan: an invoice for one period; paying it makes the gift link."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    offer_id, plan_id, price = data.offer_id, data.plan_id, data.price
    try:
        offer = await billing.offer(context.services.billing, offer_id)
        if offer is None:
            await query.answer(tr("This offer is no longer available."), show_alert=True)
            return
        expected = Money(price, offer.plan(plan_id).price.currency)
        started = await billing.buy_gift(
            context.services.billing, buyer_id=context.member.id, offer_id=offer_id, plan_id=plan_id,
            idempotency_key=f"g:{offer_id}:{plan_id}:{query.message.message_id}", expected_price=expected,
        )
    except SubscriptionsError as error:
        await query.answer(billing_text.refusal(error, tr), show_alert=True)
        return
    await query.answer()
    await show_checkout(update, context, as_gift(started, offer.plan(plan_id).name, tr))


def as_gift(started: CheckoutStarted, plan_name: str, tr: Translator) -> CheckoutStarted:
    """The invoice says it is a gift: its title and description, in the buyer's language."""
    title = started.checkout.title
    invoice = dataclasses.replace(
        started.invoice, title=tr("Gift: {title}", title=title),
        description=tr("A gift of one period of {plan} for someone else. After paying you get a link to give "
                       "them; they start it when they open it.", plan=plan_name),
    )
    return dataclasses.replace(started, invoice=invoice)


async def open_gift(update: Update, context: JigapContext, code: str) -> None:
    """/start gift_<code>: start the recipient's subscription; the buyer is told."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    try:
        sub = await billing.claim_gift(context.services.billing, user_id=context.member.id, code=code,
                                       timezone=context.member.user.timezone)
    except SubscriptionsError as error:
        log.info("gift %s... refused for %s: %s", code[:4], context.member.id, error.code)
        await message.reply_text(billing_text.refusal(error, tr))
        return
    await dispatch(context)
    offer = await billing.offer(context.services.billing, sub.offer_id)
    line = billing_text.subscription_line(sub, offer, context.member.user.timezone, tr,
                                         now=context.services.clock.now())
    await message.reply_text(tr("A gift for you! {line}", line=line))


DEEP_LINK = DEEP_LINK_PREFIX.rstrip("_")
