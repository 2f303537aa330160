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


class InteractiveTally:
    """How many chat replies this worker sent since the last look: on PostgreSQL the delivery leader, which
    paces bulk sends for every worker, learns the count a few times a second and leaves room for it."""

    def __init__(self) -> None:
        self._count = 0

    def add(self) -> None:
        self._count += 1

    def take(self) -> int:
        count, self._count = self._count, 0
        return count

    def give_back(self, count: int) -> None:
        """A count that could not be passed on: it goes out with the next one."""
        self._count += count


class InteractiveMeter(BaseRateLimiter[None]):
    def __init__(self, limiter: RateLimiter, tally: InteractiveTally | None = None) -> None:
        self._limiter = limiter
        self._tally = tally

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
            if self._tally is not None:
                self._tally.add()
        return await callback(*args, **kwargs)
