"""The one error handler: a short apology with a reference id for the user, the traceback for the log."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.error import Forbidden

from handlers.core.context import JigapContext

log = logging.getLogger("jigap.errors")


async def on_error(update: object, context: JigapContext) -> None:
    """Log with a reference id and tell the user, in their language, that it did not work."""
    reference = secrets.token_hex(4)
    log.error("update failed [ref %s]", reference, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(context.error, Forbidden):
        return
    text = context.tr("Sorry, something went wrong on our side. Nothing was changed. Reference: {reference}",
                      reference=reference)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failed (chat gone, network): the log already has the details
        log.warning("could not tell the user about error %s", reference)
