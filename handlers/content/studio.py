"""What the creator's side of the chat shares (/create, tiers, /post, /posts): the answer to a refused step, in
the creator's language, said precisely where content's general refusal would be vague."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Update

from handlers.billing import text as billing_text
from handlers.content import text as content_text
from handlers.core.context import JigapContext
from handlers.core.text import N_
from subscriptions.content.errors import ContentError, InvalidPost, InvalidTier
from subscriptions.content.publish_time import UnreadableTime
from subscriptions.content.services.creators import TierPrices
from subscriptions.content.steps import NotANumber, WrongStep
from subscriptions.money import Money

if TYPE_CHECKING:
    from bot.i18n import Translator

POST_PROBLEMS = {
    "title": N_("A title is 1 to 200 characters. Please send a shorter one."),
    "body": N_("The text is empty or longer than a post can be (40,000 characters). Nothing was added."),
    "photos": N_("A post holds at most 10 photos. This one was not added."),
    "documents": N_("A post holds at most 5 files. This one was not added."),
    "file_type": N_("This kind of file cannot go in a post. Please send a PDF, ZIP, EPUB, text, MP3, M4A, "
                    "PNG or JPEG file."),
    "price": N_("Please give a price: won above 0, or 1 to 10,000 Stars."),
    "tiers": N_("Please choose at least one of your tiers."),
}
TIER_PROBLEMS = {
    "stars_range": N_("A Stars tier costs 1 to 10,000 Stars a month. Please send a price in that range."),
    "price": N_("Please send a price above 0."),
    "yearly": N_("A yearly price must be lower than twelve months of the monthly price."),
    "too_many": N_("A creator can have at most 10 tiers."),
}


def why(error: ContentError, tr: Translator) -> str:
    """The refusal of a step: what was wrong with what was typed or pressed, and nothing was changed."""
    if isinstance(error, WrongStep):
        return tr("This step is already done or has expired. Start again with the command.")
    if isinstance(error, NotANumber):
        return tr("Please send a number, like 4900.")
    if isinstance(error, UnreadableTime):
        return tr("Please write a time like 07:00, tomorrow 07:00 or 2026-12-03 07:00.")
    if isinstance(error, InvalidPost) and str(error) in POST_PROBLEMS:
        return tr(POST_PROBLEMS[str(error)])
    if isinstance(error, InvalidTier) and str(error) in TIER_PROBLEMS:
        return tr(TIER_PROBLEMS[str(error)])
    return content_text.refusal(error, tr)


async def say(update: Update, context: JigapContext, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message in the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def refuse(update: Update, context: JigapContext, error: ContentError) -> None:
    """Answer a refusal: as an alert for a press, as a message for what was typed."""
    text = why(error, context.tr)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await say(update, context, text)


def tier_line(prices: TierPrices, tr: Translator) -> str:
    return price_line(prices.tier.name, prices.monthly, prices.yearly, prices.trial_days, tr)


def price_line(name: str, monthly: Money, yearly: Money | None, trial_days: int, tr: Translator) -> str:
    """"Recipes: ₩4,900 a month, ₩49,000 a year, 7 days free"."""
    parts = [tr("{price} a month", price=billing_text.money(monthly, tr))]
    if yearly is not None:
        parts.append(tr("{price} a year", price=billing_text.money(yearly, tr)))
    if trial_days:
        parts.append(tr.plural("{count} day free", "{count} days free", trial_days))
    return f"{name}: " + ", ".join(parts)
