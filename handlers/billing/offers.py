"""Merchants manage their offers in chat: /offers lists them with Archive buttons, /price changes a price.

Every command and every press asks the one permission check again, for the organisation that owns
the offer named in the callback data or the command, never for one the member merely claims.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.core import callback_data
from handlers.core.context import JigapContext
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission, orgs_with
from subscriptions.billing import services as billing
from subscriptions.billing.offers import Offer
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money

PREFIX = "off"


async def _may_manage(context: JigapContext, offer: Offer | None) -> bool:
    if offer is None or not offer.merchant_id.isdigit():
        return False
    decision = await audit.authorize(context.services.accounts, context.member, Permission.MANAGE_OFFERS,
                                                         org_id=int(offer.merchant_id), target=offer.id)
    return decision.allowed


async def offers(update: Update, context: JigapContext) -> None:
    """/offers: each offer of the member's organisations, its plans and prices, with Archive buttons."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    if not (await audit.authorize(context.services.accounts, context.member, Permission.MANAGE_OFFERS)).allowed:
        await message.reply_text(tr("Sorry, only a shop's or creator's own people can manage its offers."))
        return
    shown = 0
    for org_id in orgs_with(context.member.grants, Permission.MANAGE_OFFERS):
        for offer in await billing.merchant_offers(context.services.billing, merchant_id=str(org_id)):
            await message.reply_text(_describe(offer, context), reply_markup=_buttons(offer, context))
            shown += 1
    if not shown:
        await message.reply_text(tr("Your organisation has no offers yet."))
    else:
        await message.reply_text(tr("To change a price: /price OFFER PLAN AMOUNT (e.g. /price {example})",
                                    example="onda-pass americano20 50000"))


def _describe(offer: Offer, context: JigapContext) -> str:
    tr = context.tr
    lines = [f"{offer.title} ({offer.id})"]
    for plan in offer.plans:
        state = tr("archived") if plan.status.value == "archived" else tr("active")
        lines.append(f"{plan.id}: {billing_text.plan_line(plan, tr)} · {state}")
    return "\n".join(lines)


def _buttons(offer: Offer, context: JigapContext) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(context.tr("Archive: {plan}", plan=plan.name),
                                  callback_data=callback_data.make(PREFIX, "a", offer.id, plan.id))]
            for plan in offer.plans if plan.status.value == "active"]
    return InlineKeyboardMarkup(rows) if rows else None


async def offer_button(update: Update, context: JigapContext) -> None:
    """Archive a plan: no new subscribers; existing ones keep renewing."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    data = callback_data.parse(query.data)
    if data is None or data.part(0) != "a" or len(data.parts) != 3:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    offer = await billing.offer(context.services.billing, data.parts[1])
    if not await _may_manage(context, offer):
        await query.answer(tr("Sorry, only a shop's or creator's own people can manage its offers."), show_alert=True)
        return
    assert offer is not None
    try:
        await billing.archive_offer(context.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id,
                                    plan_id=data.parts[2])
    except SubscriptionsError as error:
        await query.answer(billing_text.refusal(error, tr), show_alert=True)
        return
    await query.answer(tr("Archived. Existing subscribers keep their plan."))
    updated = await billing.offer(context.services.billing, offer.id)
    assert updated is not None
    await query.edit_message_text(_describe(updated, context), reply_markup=_buttons(updated, context))


async def change_price(update: Update, context: JigapContext) -> None:
    """/price OFFER PLAN AMOUNT: a new price for new periods; current periods keep theirs."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    args = context.args or []
    if len(args) != 3:
        await message.reply_text(tr("Usage: {command} OFFER PLAN AMOUNT", command="/price"))
        return
    offer = await billing.offer(context.services.billing, args[0])
    if not await _may_manage(context, offer):
        await message.reply_text(tr("Sorry, only a shop's or creator's own people can manage its offers."))
        return
    assert offer is not None
    try:
        plan = offer.plan(args[1])
        price = Money.of(args[2].replace(",", ""), plan.price.currency)
        await billing.change_price(context.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id,
                                   plan_id=plan.id, price=price)
    except SubscriptionsError as error:
        await message.reply_text(billing_text.refusal(error, tr))
        return
    await message.reply_text(tr("New price for {plan}: {price}, from each subscriber's next period.",
                                plan=plan.name, price=billing_text.money(price, tr)))
