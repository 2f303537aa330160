"""The bot every handler sends through. Each Bot API call is fitted to Telegram's limits before it leaves
(`handlers.core.limits`), so an over-long text reaches the person shortened instead of as Telegram's 400.

An edit that would leave a message as it is ("message is not modified", a second tap on the same button, a
forged press that redraws the same view) is done already: it is answered as done, not raised.
"""

from __future__ import annotations

from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

from handlers.core.limits import fit

EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"})
NOT_MODIFIED = "message is not modified"


class LimitedBot(ExtBot[Any]):
    async def _do_post(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> Any:
        try:
            return await super()._do_post(endpoint, fit(endpoint, data), **timeouts)
        except BadRequest as error:
            if endpoint in EDITS and NOT_MODIFIED in error.message.lower():
                return True  # what python-telegram-bot's edits return when there is no message to hand back
            raise
