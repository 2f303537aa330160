"""How a domain's handlers answer: a message in the chat, an edit of the pressed message, or a refusal (an alert for
a press, a message for what was typed). Each domain words its refusals; the ways of saying them are shared."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest

from handlers.core.context import JigapContext

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def say(update: Update, context: JigapContext, text: str, markup: Markup | None = None, *,
              edit: bool = False) -> None:
    """Edit the pressed message when `edit` (navigating with inline buttons), otherwise send a new one (a reply
    keyboard cannot ride on an edit)."""
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


async def refuse_with(update: Update, context: JigapContext, text: str) -> None:
    """An alert for a press (a message when the press was answered already), a message for what was typed."""
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
