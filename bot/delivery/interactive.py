"""Chat replies: paced per chat before Telegram has to refuse them, never dropped on a 429, a 5xx or a timeout.

Plugged into python-telegram-bot as its rate limiter, so every Bot API call a handler makes passes here:
- a message into a chat waits for that chat's own budget (1 a second after a short burst, 20 a minute in a
  group) and for the interactive share of the bot-wide budget, which it takes ahead of the delivery pump: the
  reply is booked in the shared limiter, and bulk sends planned later move back;
- a 429 pauses that chat (or the bot, when several chats are refused together) for `retry_after`, and the
  call goes again when the pause ends;
- a 5xx, a dropped connection or a timeout is tried again after a short backoff, a few times;
- only then the error reaches the handler (and the user gets the error handler's apology).
A retried send whose first try reached Telegram before the connection failed can show twice; a reply lost
for good is the worse outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.limiter import RateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]
# Endpoints that put a new message into a chat; edits and answers do not count against Telegram's limits.
SENDING = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAnimation", "sendAudio", "sendVoice",
    "sendSticker", "sendInvoice", "sendMediaGroup", "sendLocation", "sendContact", "sendPoll", "copyMessage",
    "forwardMessage",
})
# Seconds to wait before each new try after a 5xx, a dropped connection or a timeout.
BACKOFF = (0.5, 1.0, 2.0)
# A reply still refused after this many seconds of 429 pauses gives up: the person has waited long enough
# to be told it did not go.
MOST_PATIENCE = 60.0


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
    def __init__(self, limiter: RateLimiter, tally: InteractiveTally | None = None, *,
                 backoff: tuple[float, ...] = BACKOFF, patience: float = MOST_PATIENCE,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._limiter = limiter
        self._tally = tally
        self._backoff = backoff
        self._patience = patience
        self._sleep = sleep

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
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else None
        sending = endpoint in SENDING
        failures = 0
        refused_for = 0.0
        while True:
            if sending:
                await self._wait_for_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as refusal:
                pause = _seconds(refusal.retry_after)
                refused_for += pause
                if refused_for > self._patience:
                    raise
                log.info("%s to chat %s met a 429: trying again in %.1f s", endpoint, chat_id, pause)
                if chat_id is not None:
                    self._limiter.refused(chat_id, pause)
                if not sending or chat_id is None:
                    await self._sleep(pause)
            except BadRequest:
                raise  # Telegram read the call and refused it: sending it again changes nothing
            except NetworkError as error:  # a 5xx, a dropped connection, a timeout
                if failures >= len(self._backoff):
                    raise
                log.info("%s to chat %s failed (%s): trying again in %.1f s", endpoint, chat_id, error,
                         self._backoff[failures])
                await self._sleep(self._backoff[failures])
                failures += 1

    async def _wait_for_turn(self, chat_id: int | None) -> None:
        """The chat's turn first, then the bot-wide slot: a busy chat waits for itself, not others for it."""
        if chat_id is not None:
            await self._until(self._limiter.reserve_chat_reply(chat_id))
        await self._until(self._limiter.reserve_bot_reply())
        if self._tally is not None:
            self._tally.add()

    async def _until(self, moment: float) -> None:
        delay = moment - self._limiter.now()
        if delay > 0:
            await self._sleep(delay)


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
