"""How shops' handlers answer: a message in the chat, an edit of the pressed message, or a refusal (an alert for a
press, a message for what was typed), always in the reader's language."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.replies import answer, refuse_with, say
from handlers.shops import text as shop_text
from subscriptions.shops.errors import ShopError

__all__ = ["answer", "hand_out", "refuse", "say"]


async def refuse(update: Update, context: JigapContext, error: ShopError) -> None:
    """The refusal in the reader's words: an alert for a press, a message for what was typed."""
    await refuse_with(update, context, shop_text.refusal(error, context.tr))


def hand_out(context: JigapContext) -> None:
    """What the last change recorded (a redemption the customer hears of, a request staff confirm) goes out now,
    not at the dispatcher's next look."""
    context.services.events.wake()
