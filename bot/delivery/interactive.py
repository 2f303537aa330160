"""Interactive replies count against the same budget as bulk sends, but never wait for it.

Plugged into python-telegram-bot as its rate limiter: each message a handler sends is booked in the
delivery limiter at once (so the pump leaves room for it) and goes out immediately.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.delivery.limiter import RateLimiter

JSONDict = dict[str, Any]
# Endpoints that put a new message into a chat; edits and answers do not count against Telegram's limits.
SENDING = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAnimation", "sendAudio", "sendVoice",
    "sendSticker", "sendInvoice", "sendMediaGroup", "sendLocation", "sendContact", "sendPoll", "copyMessage",
    "forwardMessage",
})


class InteractiveMeter(BaseRateLimiter[None]):
    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def initialize(self) -> None:
        """Nothing to open: the limiter lives with the delivery service."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint in SENDING:
            chat_id = data.get("chat_id")
            self._limiter.record_unpaced(chat_id if isinstance(chat_id, int) else None)
        return await callback(*args, **kwargs)
