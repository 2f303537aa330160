"""The one error handler: a short apology with a reference id for the user, the traceback for the log.

The apology is honest about what happened: when the update's change was already committed (the inbox
records that, bot.inbox) it says the request went through and only the answer failed.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Forbidden, TelegramError

from handlers.core.context import SPEAKING, JigapContext

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger("jigap.errors")


async def on_error(update: object, context: JigapContext) -> None:
    """Log with a reference id and tell the user, in their language, what did and did not happen."""
    reference = secrets.token_hex(4)
    log.error("update failed [ref %s]", reference, exc_info=context.error)
    context.services.metrics.handler_failed()
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(context.error, Forbidden):
        return
    tr = SPEAKING.get() or _translator_for(update, context)
    if context.services.inbox.change_committed():
        text = tr("Your request went through, but I could not show you the answer. Open /start to see where "
                  "things stand. Reference: {reference}", reference=reference)
    else:
        text = tr("Sorry, something went wrong on our side. Nothing was changed. Reference: {reference}",
                  reference=reference)
    if update.callback_query is not None and await _alerted(update, text):
        return
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failed (chat gone, network): the log already has the details
        log.warning("could not tell the user about error %s", reference)


async def _alerted(update: Update, text: str) -> bool:
    """Answer the press with the apology; a press the handler answered already gets it as a message."""
    assert update.callback_query is not None
    try:
        await update.callback_query.answer(text, show_alert=True)
    except TelegramError:
        return False
    return True

def _translator_for(update: Update, context: JigapContext) -> Translator:
    """No member was loaded (the failure came first): the language Telegram reports for the person."""
    translations = context.services.translations
    user = update.effective_user
    return translations.get(translations.pick(None, user.language_code if user is not None else None))
