"""The bot every handler sends through. Each Bot API call is fitted to Telegram's limits before it leaves
(`handlers.core.limits`), so an over-long text reaches the person shortened instead of as Telegram's 400.

Two answers to an edit are not failures of the update. "Message is not modified" (a second tap on the same
button, a forged press that redraws the same view): the message already reads as asked. "There is no text in
the message to edit" (a press on a photo's buttons, or forged on a photo, answered with a text view): the
view arrives as a new message instead.
"""

from __future__ import annotations

from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

from handlers.core.limits import fit

EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"})
NOT_MODIFIED = "message is not modified"
NO_TEXT = "there is no text in the message to edit"
AS_NEW_MESSAGE = ("chat_id", "text", "reply_markup", "parse_mode", "entities", "link_preview_options")


class LimitedBot(ExtBot[Any]):
    async def _do_post(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> Any:
        try:
            return await super()._do_post(endpoint, fit(endpoint, data), **timeouts)
        except BadRequest as error:
            reason = error.message.lower()
            if endpoint in EDITS and NOT_MODIFIED in reason:
                return True  # what python-telegram-bot's edits return when there is no message to hand back
            if endpoint == "editMessageText" and NO_TEXT in reason and data.get("chat_id") is not None:
                message = {name: data[name] for name in AS_NEW_MESSAGE if name in data}
                return await super()._do_post("sendMessage", fit("sendMessage", message), **timeouts)
            raise
