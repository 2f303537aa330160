"""Merchants manage their offers in chat: /offers lists them with Archive buttons, /price changes a price.

Every command and every press asks the one permission check again, for the organisation that owns
the offer named in the callback data or the command, never for one the member merely claims.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.billing.buttons import OfferAction, OfferStep
from handlers.core.context import JigapContext
from handlers.core.guard import REFUSALS, allowed, member_orgs
from subscriptions.accounts.access import Permission
from subscriptions.billing import services as billing
from subscriptions.billing.offers import Offer
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money, exponent
from subscriptions.numbers import amount, whole_number


async def _may_manage(update: Update, context: JigapContext, offer: Offer | None) -> bool:
    """May the member manage this offer's merchant? A refusal is audited and answered."""
    merchant = whole_number(offer.merchant_id) if offer is not None else None
    if offer is None or merchant is None:
        await _refuse(update, context)
        return False
    return await allowed(update, context, Permission.MANAGE_OFFERS, org_id=merchant, target=offer.id)


async def _refuse(update: Update, context: JigapContext) -> None:
    text = context.tr(REFUSALS[Permission.MANAGE_OFFERS])
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def offers(update: Update, context: JigapContext) -> None:
    """/offers: each offer of the member's organisations, its plans and prices, with Archive buttons."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    shown = 0
    for org_id in member_orgs(context, Permission.MANAGE_OFFERS):
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
    rows = [[OfferAction(OfferStep.ARCHIVE, offer.id, plan.id).button(context.tr("Archive: {plan}", plan=plan.name))]
            for plan in offer.plans if plan.status.value == "active"]
    return InlineKeyboardMarkup(rows) if rows else None


async def offer_button(update: Update, context: JigapContext, data: OfferAction) -> None:
    """Archive a plan: no new subscribers; existing ones keep renewing."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    offer = await billing.offer(context.services.billing, data.offer_id)
    if not await _may_manage(update, context, offer):
        return
    assert offer is not None
    try:
        await billing.archive_offer(context.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id,
                                    plan_id=data.plan_id)
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
    if not await _may_manage(update, context, offer):
        return
    assert offer is not None
    try:
        plan = offer.plan(args[1])
        major = amount(args[2], decimals=exponent(plan.price.currency))
        if major is None:
            await message.reply_text(tr("{amount} is not a price: write it in digits, like {example}.",
                                        amount=args[2][:20], example=f"{plan.price.to_decimal():f}"))
            return
        price = Money.of(major, plan.price.currency)
        await billing.change_price(context.services.billing, merchant_id=offer.merchant_id, offer_id=offer.id,
                                   plan_id=plan.id, price=price)
    except SubscriptionsError as error:
        await message.reply_text(billing_text.refusal(error, tr))
        return
    await message.reply_text(tr("New price for {plan}: {price}, from each subscriber's next period.",
                                plan=plan.name, price=billing_text.money(price, tr)))
