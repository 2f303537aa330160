"""Subscriptions in the chat: browse merchants -> offers -> plans -> Subscribe, and /subscriptions to manage.

Every button names what it acts on in its callback data, which is never trusted: the service checks
on each press that the subscription belongs to the presser, that the plan is still offered and that
the price on the button is still the price.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.billing.buttons import GiftPlan, Manage, ManageStep, OpenMerchant, OpenOffer, SubscribeToPlan
from handlers.core.context import JigapContext
from handlers.core.start import MenuButton
from subscriptions.billing import services as billing
from subscriptions.billing.offers import Offer
from subscriptions.billing.services import CheckoutStarted
from subscriptions.billing.subscription import Status, Subscription
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *, edit: bool = False) -> None:
    """Edit the pressed message when navigating, otherwise send a new one."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=markup)
        return
    assert update.effective_chat is not None
    await update.get_bot().send_message(update.effective_chat.id, text, reply_markup=markup)


async def dispatch(context: JigapContext) -> None:
    """Hand out what the last change recorded (receipts, refunds, Stars calls) now, not at the next tick."""
    context.services.events.wake()


async def show_checkout(update: Update, context: JigapContext, started: CheckoutStarted) -> None:
    """Send the invoice (cards, one-off Stars) or the Stars subscription link."""
    assert update.effective_chat is not None
    tr = context.tr
    amount = billing_text.money(started.checkout.amount, tr)
    await context.services.payments.send_checkout(
        context.bot, update.effective_chat.id, started, tr("Pay {amount}", amount=amount),
        tr("Subscribe for {amount} a month", amount=amount),
    )


# --- browsing ---------------------------------------------------------------------------------------


async def open_browse(update: Update, context: JigapContext) -> None:
    """The main menu's "Subscriptions": shops and creators with something to subscribe to."""
    tr = context.tr
    merchants = await billing.merchants(context.services.billing)
    if not merchants:
        await _say(update, tr("There is nothing to subscribe to yet."))
        return
    rows = [[OpenMerchant(merchant.merchant_id).button(merchant.name)] for merchant in merchants]
    rows.append([Manage(ManageStep.LIST).button(tr("My subscriptions"))])
    await _say(update, tr("Choose a shop or creator:"), InlineKeyboardMarkup(rows))


async def merchant_button(update: Update, context: JigapContext, data: OpenMerchant) -> None:
    """A shop or creator: its offers (or, with one, its plans), as offered now."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _show_offers(update, context, data.merchant_id)


async def offer_button(update: Update, context: JigapContext, data: OpenOffer) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _show_plans(update, context, data.offer_id)


async def subscribe_button(update: Update, context: JigapContext, data: SubscribeToPlan) -> None:
    """Subscribe at the price on the button; the service refuses a price that has changed since."""
    query = update.callback_query
    assert query is not None
    try:
        await _subscribe(update, context, data.offer_id, data.plan_id, data.price)
    except SubscriptionsError as error:
        await query.answer(billing_text.refusal(error, context.tr), show_alert=True)


async def _show_offers(update: Update, context: JigapContext, merchant_id: str) -> None:
    tr = context.tr
    offers = [offer for offer in await billing.merchant_offers(context.services.billing, merchant_id=merchant_id)
              if _is_open(offer)]
    if not offers:
        await _say(update, tr("This offer is no longer available."), edit=True)
        return
    if len(offers) == 1:
        await _show_plans(update, context, offers[0].id)
        return
    name = await billing.merchant_name(context.services.billing, merchant_id)
    rows = [[OpenOffer(offer.id).button(offer.title)] for offer in offers]
    await _say(update, tr("What {merchant} offers:", merchant=name), InlineKeyboardMarkup(rows), edit=True)


def _is_open(offer: Offer) -> bool:
    return offer.status.value == "active" and any(plan.status.value == "active" for plan in offer.plans)


async def _show_plans(update: Update, context: JigapContext, offer_id: str) -> None:
    tr = context.tr
    offer = await billing.offer(context.services.billing, offer_id)
    if offer is None or not _is_open(offer):
        await _say(update, tr("This offer is no longer available."), edit=True)
        return
    plans = [plan for plan in offer.plans if plan.status.value == "active"]
    lines = [offer.title, *(billing_text.plan_line(plan, tr) for plan in plans)]
    rows = []
    for plan in plans:
        price = plan.price.amount_minor
        rows.append([
            SubscribeToPlan(offer.id, plan.id, price).button(tr("Subscribe: {plan}", plan=plan.name)),
            GiftPlan(offer.id, plan.id, price).button(tr("Gift")),
        ])
    await _say(update, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)


async def _subscribe(update: Update, context: JigapContext, offer_id: str, plan_id: str, price: int) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    offer = await billing.offer(context.services.billing, offer_id)
    if offer is None:
        await query.answer(tr("This offer is no longer available."), show_alert=True)
        return
    expected = Money(price, offer.plan(plan_id).price.currency)
    # One checkout per plan per message: a double tap finds the first tap's checkout.
    key = f"s:{offer_id}:{plan_id}:{query.message.message_id}"
    # Whoever brought the subscriber here (a curator's shelf) earns the curator's share of what they pay.
    curator = await context.services.routes.curator_for(context, context.member.id, offer.merchant_id)
    subscribed = await billing.subscribe(
        context.services.billing, user_id=context.member.id, offer_id=offer_id, plan_id=plan_id, idempotency_key=key,
        timezone=context.member.user.timezone, expected_price=expected, curator_id=curator,
    )
    await query.answer()
    if subscribed.subscription is not None:
        await dispatch(context)
        await _say(update, tr("Your free trial has started.") + "\n" + billing_text.subscription_line(
            subscribed.subscription, offer, context.member.user.timezone, tr, now=context.services.clock.now()),
            _actions(subscribed.subscription, tr))
        return
    assert subscribed.checkout is not None
    await show_checkout(update, context, subscribed.checkout)


# --- /subscriptions -----------------------------------------------------------------------------------


def _actions(sub: Subscription, tr: Translator) -> InlineKeyboardMarkup | None:
    """Cancel / Pause / Change plan, or what undoes the state the subscription is in."""
    if sub.status is Status.CANCELED:
        return None
    if sub.status is Status.PAUSED:
        return InlineKeyboardMarkup([[Manage(ManageStep.RESUME, sub.id).button(tr("Resume"))]])
    if sub.cancel_at_period_end:
        return InlineKeyboardMarkup([[Manage(ManageStep.KEEP, sub.id).button(tr("Keep it"))]])
    row = [Manage(ManageStep.CANCEL, sub.id).button(tr("Cancel"))]
    if sub.status is Status.ACTIVE and sub.provider != "stars":
        row.append(Manage(ManageStep.PAUSE, sub.id).button(tr("Pause")))
    if sub.provider != "stars":
        row.append(Manage(ManageStep.CHOOSE_PLAN, sub.id).button(tr("Change plan")))
    rows = [row]
    if sub.status in (Status.PAST_DUE, Status.SUSPENDED) and sub.provider == "card":
        rows.append([Manage(ManageStep.RENEW_NOW, sub.id).button(tr("Renew now"))])
    return InlineKeyboardMarkup(rows)


async def my_subscriptions(update: Update, context: JigapContext) -> None:
    """/subscriptions: one message per subscription, each with its own buttons."""
    tr = context.tr
    subs = [sub for sub in await billing.user_subscriptions(context.services.billing, user_id=context.member.id)
            if sub.is_live]
    if not subs:
        await _say(update, tr("You have no subscriptions yet."),
                   InlineKeyboardMarkup([[MenuButton("subscriptions").button(tr("Browse subscriptions"))]]))
        return
    await _say(update, tr.plural("You have {count} subscription:", "You have {count} subscriptions:", len(subs)))
    for sub in subs:
        await _show_subscription(update, context, sub)


async def _show_subscription(update: Update, context: JigapContext, sub: Subscription, *, edit: bool = False) -> None:
    offer = await billing.offer(context.services.billing, sub.offer_id)
    text = billing_text.subscription_line(sub, offer, context.member.user.timezone, context.tr,
                                          now=context.services.clock.now())
    await _say(update, text, _actions(sub, context.tr), edit=edit)


async def manage_button(update: Update, context: JigapContext, data: Manage) -> None:
    """A press on a subscription's button; the service checks it is the presser's own every time."""
    query = update.callback_query
    assert query is not None
    step, sub_id = data.step, data.subscription_id
    tr = context.tr
    if step is ManageStep.LIST:
        await query.answer()
        await my_subscriptions(update, context)
        return
    handler = _STEPS.get(step)
    if handler is None or not sub_id:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    try:
        await handler(update, context, sub_id, data.plan_id or None)
    except SubscriptionsError as error:
        log.info("refused %s on %s for %s: %s", step, sub_id, context.member.id, error.code)
        await query.answer(billing_text.refusal(error, tr), show_alert=True)


async def _view(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    sub = await billing.own_subscription(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _show_subscription(update, context, sub)


async def _back(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    """Back from a question: the subscription as it is now, in the same message."""
    sub = await billing.own_subscription(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _show_subscription(update, context, sub, edit=True)


async def _ask_cancel(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    tr = context.tr
    sub = await billing.own_subscription(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    assert update.callback_query is not None
    if not sub.is_live:
        await update.callback_query.answer(tr("This subscription is not yours."), show_alert=True)
        return
    await update.callback_query.answer()
    end = billing_text.day(sub.paid_through, context.member.user.timezone, tr, now=context.services.clock.now())
    rows = [[Manage(ManageStep.CANCEL_AT_END, sub.id).button(tr("At the end of the period ({date})", date=end))],
            [Manage(ManageStep.CANCEL_NOW, sub.id).button(tr("Now (refund as the shop's policy says)"))],
            [Manage(ManageStep.BACK, sub.id).button(tr("Back"))]]
    await _say(update, tr("When should it end?"), InlineKeyboardMarkup(rows), edit=True)


async def _cancel(update: Update, context: JigapContext, sub_id: str, at_period_end: bool) -> None:
    tr = context.tr
    assert update.callback_query is not None
    result = await billing.cancel(context.services.billing, user_id=context.member.id, subscription_id=sub_id,
                                  at_period_end=at_period_end)
    await update.callback_query.answer()
    await dispatch(context)
    sub = result.subscription
    end = billing_text.day(sub.paid_through, context.member.user.timezone, tr, now=context.services.clock.now())
    if sub.status is Status.CANCELED:
        text = tr("Your subscription has ended.")
        if result.refund is not None:
            text += "\n" + tr("{amount} is being refunded.", amount=billing_text.money(result.refund, tr))
    else:
        text = tr("Cancelled. You keep it until {date}; nothing more will be charged.", date=end)
    await _say(update, text, _actions(sub, tr), edit=True)


async def _cancel_at_end(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    await _cancel(update, context, sub_id, True)


async def _cancel_now(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    await _cancel(update, context, sub_id, False)


async def _keep(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    assert update.callback_query is not None
    sub = await billing.withdraw_cancellation(context.services.billing, user_id=context.member.id,
                                             subscription_id=sub_id)
    await update.callback_query.answer()
    await dispatch(context)
    await _show_subscription(update, context, sub, edit=True)


async def _pause(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    assert update.callback_query is not None
    sub = await billing.pause(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    await update.callback_query.answer()
    await _show_subscription(update, context, sub, edit=True)


async def _resume(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    assert update.callback_query is not None
    sub = await billing.resume(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    await update.callback_query.answer()
    await _show_subscription(update, context, sub, edit=True)


async def _choose_plan(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    tr = context.tr
    assert update.callback_query is not None
    sub = await billing.own_subscription(context.services.billing, user_id=context.member.id, subscription_id=sub_id)
    offer = await billing.offer(context.services.billing, sub.offer_id)
    if offer is None:
        await update.callback_query.answer(tr("This subscription is not yours."), show_alert=True)
        return
    plans = [plan for plan in offer.plans if plan.id != sub.plan_id and plan.status.value == "active"]
    if not plans:
        await update.callback_query.answer(tr("There is no other plan to switch to."), show_alert=True)
        return
    await update.callback_query.answer()
    rows = [[Manage(ManageStep.CHANGE_TO, sub.id, plan.id).button(billing_text.plan_line(plan, tr))] for plan in plans]
    rows.append([Manage(ManageStep.BACK, sub.id).button(tr("Back"))])
    await _say(update, tr("Switch to which plan?"), InlineKeyboardMarkup(rows), edit=True)


async def _change_plan(update: Update, context: JigapContext, sub_id: str, plan_id: str | None) -> None:
    tr = context.tr
    query = update.callback_query
    assert query is not None and query.message is not None
    if not plan_id:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    change = await billing.change_plan(
        context.services.billing, user_id=context.member.id, subscription_id=sub_id, plan_id=plan_id,
        idempotency_key=f"u:{sub_id}:{plan_id}:{query.message.message_id}",
    )
    await query.answer()
    if change.checkout is not None:
        credit = change.credit or Money.zero(change.checkout.checkout.amount.currency)
        await _say(update, tr("Upgrade now: you pay {amount} for the rest of this period ({credit} credited for the "
                              "unused time of your current plan).",
                              amount=billing_text.money(change.checkout.checkout.amount, tr),
                              credit=billing_text.money(credit, tr)), edit=True)
        await show_checkout(update, context, change.checkout)
    else:  # switched at once, or the subscription with the change it now waits for
        await dispatch(context)
        await _show_subscription(update, context, change.subscription, edit=True)


async def _renew_now(update: Update, context: JigapContext, sub_id: str, _extra: str | None) -> None:
    tr = context.tr
    assert update.callback_query is not None
    started = await billing.renewal_checkout(context.services.billing, user_id=context.member.id,
                                            subscription_id=sub_id)
    if started is None:
        await update.callback_query.answer(tr("Your renewal invoice will arrive before the renewal date."),
                                           show_alert=True)
        return
    await update.callback_query.answer()
    await show_checkout(update, context, started)


_STEPS = {
    ManageStep.VIEW: _view,
    ManageStep.BACK: _back,
    ManageStep.CANCEL: _ask_cancel,
    ManageStep.CANCEL_AT_END: _cancel_at_end,
    ManageStep.CANCEL_NOW: _cancel_now,
    ManageStep.KEEP: _keep,
    ManageStep.PAUSE: _pause,
    ManageStep.RESUME: _resume,
    ManageStep.CHOOSE_PLAN: _choose_plan,
    ManageStep.CHANGE_TO: _change_plan,
    ManageStep.RENEW_NOW: _renew_now,
}
