"""How rentals' handlers answer: a message in the chat, an edit of the pressed message, or a refusal (an alert for
a press, a message for what was typed), always in the reader's language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest

from handlers.core.context import JigapContext
from handlers.rentals import text as rental_text
from subscriptions.errors import SubscriptionsError

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def say(update: Update, context: JigapContext, text: str, markup: Markup | None = None, *,
              edit: bool = False) -> None:
    """Edit the pressed message when `edit` (navigating with inline buttons), otherwise send a new one."""
    query = update.callback_query
    if edit and query is not None and query.message is not None and getattr(query.message, "text", None) \
            and (markup is None or isinstance(markup, InlineKeyboardMarkup)):
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as error:
            if "not modified" in str(error):
                return
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def refuse(update: Update, context: JigapContext, error: SubscriptionsError) -> None:
    """An alert for a press (a message when the press was answered already), a message for what was typed."""
    text = rental_text.refusal(error, context.tr)
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text, show_alert=True)
            return
        except BadRequest:
            pass  # answered a step earlier: say it in the chat instead
    await say(update, context, text)


async def answer(update: Update, text: str | None = None) -> None:
    """Close the spinner of a press (with a short note)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text)
