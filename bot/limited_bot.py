"""The bot every handler sends through: each Bot API call is fitted to Telegram's limits before it leaves
(`handlers.core.limits`), so an over-long text reaches the person shortened instead of as Telegram's 400."""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot

from handlers.core.limits import fit


class LimitedBot(ExtBot[Any]):
    async def _do_post(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> Any:
        return await super()._do_post(endpoint, fit(endpoint, data), **timeouts)
