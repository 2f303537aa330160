"""Telegram's sending limits as token buckets, one per scope: the whole bot, each private chat, each group.

Each bucket is kept as the time its next token is free (the "theoretical arrival time" of the generic cell
rate algorithm), so a send is booked for an exact moment instead of polling. A 429 pauses only the scope it
hit: that chat, or the whole bot when several chats are refused at once (Telegram's sign that the bot-wide
budget ran out). python-telegram-bot's reference limiter stops every send on any 429; this one does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

BOT_SCOPE = 0
TELEGRAM_BOT_PER_SECOND = 30.0
# Distinct chats refused within this many seconds that mean "the bot as a whole is over its budget".
BOT_WIDE_WINDOW = 1.0
BOT_WIDE_CHATS = 3
# Idle chat buckets are forgotten after this long so the table does not grow with every chat ever seen.
FORGET_AFTER = 120.0


@dataclass(frozen=True)
class Limits:
    bot_per_second: float = 30.0
    bot_burst: int = 1
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0


class _Bucket:
    __slots__ = ("interval", "tolerance", "ready_at", "paused_until")

    def __init__(self, per_second: float, burst: int) -> None:
        self.interval = 1.0 / per_second
        self.tolerance = self.interval * max(0, burst - 1)
        self.ready_at = 0.0
        self.paused_until = 0.0

    def earliest(self, now: float) -> float:
        return max(now, self.ready_at - self.tolerance, self.paused_until)

    def book(self, at: float) -> None:
        self.ready_at = max(self.ready_at, at) + self.interval


class RateLimiter:
    """Books send slots. `reserve` never waits itself: it says when the caller may send."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._bot = _Bucket(limits.bot_per_second, limits.bot_burst)
        # Chat replies have a bot-wide bucket of their own, at Telegram's rate whatever pace bulk sending
        # was given: they go ahead of what the pump booked, which moves back to make room.
        self._interactive = _Bucket(max(limits.bot_per_second, TELEGRAM_BOT_PER_SECOND), limits.bot_burst)
        self._chats: dict[int, _Bucket] = {}
        self._refusals: list[tuple[float, int]] = []
        self._last_forget = monotonic()

    def now(self) -> float:
        return self._monotonic()

    @staticmethod
    def is_group(chat_id: int) -> bool:
        return chat_id < 0

    def _chat(self, chat_id: int) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if self.is_group(chat_id):
                bucket = _Bucket(self.limits.group_per_minute / 60.0, 1)
            else:
                bucket = _Bucket(self.limits.chat_per_second, self.limits.chat_burst)
            self._chats[chat_id] = bucket
        return bucket

    def chat_ready_at(self, chat_id: int) -> float:
        """When this chat's own budget (and any pause on it) next allows a message."""
        now = self._monotonic()
        bucket = self._chats.get(chat_id)
        return now if bucket is None else bucket.earliest(now)

    def reserve(self, chat_id: int) -> float:
        """Book the next slot both the bot and the chat allow; returns that moment (monotonic seconds)."""
        now = self._monotonic()
        self._forget_idle(now)
        chat = self._chat(chat_id)
        at = max(self._bot.earliest(now), chat.earliest(now))
        self._bot.book(at)
        chat.book(at)
        return at

    def reserve_chat_reply(self, chat_id: int) -> float:
        """Book a chat reply's turn in its chat (and any pause on it); returns that moment. The bot-wide
        slot is taken when the turn comes (`reserve_bot_reply`): booked now for a later moment, it would make
        every other chat's reply wait behind this one."""
        now = self._monotonic()
        self._forget_idle(now)
        chat = self._chat(chat_id)
        at = chat.earliest(now)
        chat.book(at)
        return at

    def reserve_bot_reply(self) -> float:
        """Book a chat reply's share of the bot-wide rate, ahead of every bulk send the pump planned (those
        move back by one slot); returns the moment it may go."""
        now = self._monotonic()
        at = max(self._interactive.earliest(now), self._bot.paused_until)
        self._interactive.book(at)
        self._bot.book(now)
        return at

    def record_elsewhere(self, count: int) -> None:
        """Messages other workers sent (their chat replies): the bot-wide budget they used is not ours to book."""
        if count > 0:
            now = self._monotonic()
            self._bot.ready_at = max(self._bot.ready_at, now) + count * self._bot.interval

    def booked_until(self) -> float:
        """The moment the bot-wide budget is booked up to: how far ahead the pump has planned."""
        return self._bot.ready_at

    def bot_paused_until(self) -> float:
        return self._bot.paused_until

    def refused(self, chat_id: int, retry_after: float) -> bool:
        """Telegram answered 429: pause the chat, or the whole bot if several chats were refused together.

        Returns True when the pause is bot-wide.
        """
        now = self._monotonic()
        until = now + retry_after
        bucket = self._chat(chat_id)
        bucket.paused_until = max(bucket.paused_until, until)
        self._refusals = [(at, refused) for at, refused in self._refusals if now - at <= BOT_WIDE_WINDOW]
        self._refusals.append((now, chat_id))
        if len({refused for _, refused in self._refusals}) >= BOT_WIDE_CHATS:
            self._bot.paused_until = max(self._bot.paused_until, until)
            return True
        return False

    def _forget_idle(self, now: float) -> None:
        if now - self._last_forget < FORGET_AFTER:
            return
        self._last_forget = now
        idle = [chat for chat, bucket in self._chats.items()
                if bucket.ready_at < now - FORGET_AFTER and bucket.paused_until < now]
        for chat in idle:
            del self._chats[chat]
