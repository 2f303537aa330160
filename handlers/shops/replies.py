"""How shops' handlers answer: a message in the chat, an edit of the pressed message, or a refusal (an alert for a
press, a message for what was typed), always in the reader's language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers.core.context import JigapContext
from handlers.shops import text as shop_text
from subscriptions.shops.errors import ShopError


async def say(update: Update, context: JigapContext, text: str, markup: InlineKeyboardMarkup | None = None, *,
              edit: bool = False) -> None:
    """Edit the pressed message when `edit` (navigating), otherwise send a new one."""
    query = update.callback_query
    if edit and query is not None and query.message is not None and getattr(query.message, "text", None):
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as error:
            if "not modified" in str(error):
                return
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def refuse(update: Update, context: JigapContext, error: ShopError) -> None:
    """An alert for a press (a message when the press was answered already), a message for what was typed."""
    text = shop_text.refusal(error, context.tr)
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


def hand_out(context: JigapContext) -> None:
    """What the last change recorded (a redemption the customer hears of, a request staff confirm) goes out now,
    not at the dispatcher's next look."""
    context.services.events.wake()
