"""A creator's tiers in the chat: /tiers lists them; Add a tier asks the name, the currency (₩ by card or ⭐
Stars), the monthly price, a yearly price (card only), the benefits and free trial days (card only), then
confirms. The steps are the domain's (`subscriptions.content.onboarding`); this parses and answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.content.studio import price_line, refuse, say, tier_line
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.accounts.access import Permission
from subscriptions.content import onboarding
from subscriptions.content.errors import ContentError, CreatorNotFound
from subscriptions.content.services import creators
from subscriptions.flows import Flow
from subscriptions.money import STARS, Money

if TYPE_CHECKING:
    from bot.i18n import Translator


@dataclass(frozen=True)
class StartTier(ButtonData, prefix="ctiernew"):
    """Add a tier to the presser's own creator page."""


class TierStep(StrEnum):
    CURRENCY = "c"  # value: KRW or XTR
    SKIP = "s"
    ADD = "a"
    CANCEL = "x"


@dataclass(frozen=True)
class TierChoice(ButtonData, prefix="ctier"):
    flow_id: str
    step: TierStep
    value: str = ""


def add_tier_button(tr: Translator) -> InlineKeyboardButton:
    return StartTier().button(tr("Add a tier"))


def _row(flow: Flow, tr: Translator, *, skip: bool = False) -> InlineKeyboardMarkup:
    row = [TierChoice(flow.id, TierStep.SKIP).button(tr("Skip"))] if skip else []
    row.append(TierChoice(flow.id, TierStep.CANCEL).button(tr("Cancel")))
    return InlineKeyboardMarkup([row])


async def tiers_command(update: Update, context: JigapContext) -> None:
    """/tiers: the creator's tiers with their prices, and Add a tier."""
    tr = context.tr
    content = context.services.content
    creator = await creators.my_creator(content, context.member.id)
    if creator is None:
        await refuse(update, context, CreatorNotFound(str(context.member.id)))
        return
    found = await creators.tiers_with_prices(content, creator.org_id)
    if found:
        text = "\n".join([tr("Your tiers:"), *(f"{n}. {tier_line(p, tr)}" for n, p in enumerate(found, start=1))])
    else:
        text = tr("You have no tiers yet. A tier is what readers subscribe to.")
    await say(update, context, text, InlineKeyboardMarkup([[add_tier_button(tr)]]))


async def start_button(update: Update, context: JigapContext, data: StartTier) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    tr = context.tr
    try:
        flow = await onboarding.begin_tier(context.services.content, context.member.id, chat_id=chat.id)
    except ContentError as error:
        await refuse(update, context, error)
        return
    await query.answer()
    await say(update, context, tr("A new tier. What is its name? (Like Recipes)"), _row(flow, tr))


def _ask_monthly(flow: Flow, tr: Translator) -> str:
    if onboarding.tier_currency(flow) == STARS:
        return tr("How many Stars a month? (1 to 10,000)")
    return tr("How many won a month? (Like 4900)")


def _summary(flow: Flow, tr: Translator) -> str:
    new = onboarding.tier_draft(flow)
    lines = [tr("Add this tier?"), "", price_line(new.name, new.monthly, new.yearly, new.trial_days, tr)]
    if new.benefits:
        lines.append(new.benefits)
    return "\n".join(lines)


async def tier_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """The name, a price, the benefits or the trial days, as typed."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    content = context.services.content
    typed = message.text
    if typed is None:
        await say(update, context, tr("Please send it as text."))
        return
    try:
        if flow.step == onboarding.NAME:
            moved = await onboarding.give_tier_name(content, flow, typed)
            await say(update, context, tr("Paid how?"), InlineKeyboardMarkup([
                [TierChoice(moved.id, TierStep.CURRENCY, onboarding.KRW).button(tr("₩ by card")),
                 TierChoice(moved.id, TierStep.CURRENCY, STARS).button(tr("⭐ Telegram Stars"))],
                [TierChoice(moved.id, TierStep.CANCEL).button(tr("Cancel"))]]))
        elif flow.step == onboarding.MONTHLY:
            moved = await onboarding.give_monthly(content, flow, typed)
            await _after_monthly(update, context, moved)
        elif flow.step == onboarding.YEARLY:
            moved = await onboarding.give_yearly(content, flow, typed)
            await _ask_benefits(update, context, moved)
        elif flow.step == onboarding.BENEFITS:
            moved = await onboarding.give_benefits(content, flow, typed)
            await _after_benefits(update, context, moved)
        elif flow.step == onboarding.TRIAL:
            moved = await onboarding.give_trial(content, flow, typed)
            await _confirm(update, context, moved)
        else:
            await say(update, context, tr("Please use the buttons."))
    except ContentError as error:
        await refuse(update, context, error)


async def _after_monthly(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    if flow.step == onboarding.YEARLY:
        monthly = Money(int(flow.state["monthly"]), onboarding.KRW)
        await say(update, context, tr("A yearly price too? It must be lower than 12 × {price}. Send it, or Skip.",
                                      price=billing_text.money(monthly, tr)), _row(flow, tr, skip=True))
    else:
        await _ask_benefits(update, context, flow)


async def _ask_benefits(update: Update, context: JigapContext, flow: Flow) -> None:
    await say(update, context, context.tr("What do subscribers get? Send a few words, or Skip."),
              _row(flow, context.tr, skip=True))


async def _after_benefits(update: Update, context: JigapContext, flow: Flow) -> None:
    if flow.step == onboarding.TRIAL:
        await say(update, context, context.tr("How many free days before the first payment? Send 0 for none."),
                  _row(flow, context.tr))
    else:
        await _confirm(update, context, flow)


async def _confirm(update: Update, context: JigapContext, flow: Flow) -> None:
    tr = context.tr
    await say(update, context, _summary(flow, tr), InlineKeyboardMarkup([
        [TierChoice(flow.id, TierStep.ADD).button(tr("Add the tier")),
         TierChoice(flow.id, TierStep.CANCEL).button(tr("Cancel"))]]))


async def tier_button(update: Update, context: JigapContext, data: TierChoice) -> None:
    """Currency, Skip, Add or Cancel on the presser's own open tier flow."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    content = context.services.content
    try:
        flow = await onboarding.find_tier_flow(content, context.member.id, data.flow_id)
        if data.step is TierStep.CANCEL:
            await onboarding.cancel(content, flow)
            await query.answer()
            await query.edit_message_text(tr("Cancelled. No tier was added."))
        elif data.step is TierStep.CURRENCY:
            moved = await onboarding.choose_currency(content, flow, data.value)
            await query.answer()
            await say(update, context, _ask_monthly(moved, tr), _row(moved, tr))
        elif data.step is TierStep.SKIP and flow.step == onboarding.YEARLY:
            moved = await onboarding.give_yearly(content, flow, None)
            await query.answer()
            await _ask_benefits(update, context, moved)
        elif data.step is TierStep.SKIP:
            moved = await onboarding.give_benefits(content, flow, None)
            await query.answer()
            await _after_benefits(update, context, moved)
        else:
            tier = await onboarding.confirm_tier(content, flow)
            await query.answer()
            await query.edit_message_text(tr("Tier added: {name}. Readers can subscribe to it now.", name=tier.name))
    except ContentError as error:
        await refuse(update, context, error)


def register(routes: Routes) -> None:
    routes.command("tiers", tiers_command, permission=Permission.PUBLISH,
                   help=N_("your tiers and their prices; add a tier"))
    routes.button(StartTier, start_button, permission=Permission.PUBLISH)
    routes.button(TierChoice, tier_button, permission=Permission.PUBLISH)
