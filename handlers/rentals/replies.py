"""How rentals' handlers answer: a message in the chat, an edit of the pressed message, or a refusal (an alert for
a press, a message for what was typed), always in the reader's language."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.replies import answer, refuse_with, say
from handlers.rentals import text as rental_text
from subscriptions.errors import SubscriptionsError

__all__ = ["answer", "refuse", "say"]


async def refuse(update: Update, context: JigapContext, error: SubscriptionsError) -> None:
    """The refusal in the reader's words: an alert for a press, a message for what was typed."""
    await refuse_with(update, context, rental_text.refusal(error, context.tr))
