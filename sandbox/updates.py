"""Each bot's queue of updates: kept until getUpdates' offset confirms them, woken at once on arrival."""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from typing import Any

from sandbox.errors import conflict

# What Telegram sends when a bot has not asked for specific update types.
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
    "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
})
WEBHOOK_ACTIVE = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
FIRST_UPDATE_IDS = 100_000_000
SUPERSEDED = "terminated by other getUpdates request; make sure that only one bot instance is running"


class UpdateQueue:
    """Pending updates of one bot, in update_id order."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        # Telegram numbers a bot's updates from where it left off, or from a random point after a quiet
        # week: a fresh sandbox starts at a random point too, so a bot restarted against a new sandbox
        # never meets the update ids it stored last time.
        self._next_id = FIRST_UPDATE_IDS + secrets.randbelow(FIRST_UPDATE_IDS)
        self._arrived = asyncio.Event()
        self._poller = 0
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook_active = False

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have begun (tests wait for a poll to be in place)."""
        return self._poller

    def accepts(self, kind: str) -> bool:
        return kind in self.allowed

    def set_allowed(self, kinds: list[str] | None) -> None:
        """Telegram's rule: an empty list means the default set; the setting sticks for later calls."""
        self.allowed = frozenset(kinds) if kinds else DEFAULT_UPDATE_TYPES

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update if the bot accepts this kind; wake whoever waits for one."""
        if kind not in self.allowed:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self._wake()
        return update

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset`` ones."""
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        elif offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()

    def drop_all(self) -> None:
        self._pending.clear()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        return [self._pending[i] for i in range(min(limit, len(self._pending)))]

    def remove(self, update_id: int) -> None:
        """Forget one update (a webhook delivery succeeded)."""
        for index, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[index]
                return

    async def wait_for_arrival(self, seconds: float | None) -> bool:
        """Wait until an update arrives; False when ``seconds`` pass first."""
        event = self._arrived
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def long_poll(self, offset: int, limit: int, seconds: float) -> list[dict[str, Any]]:
        """getUpdates: confirm by offset, then answer at once or when an update arrives."""
        if self.webhook_active:
            raise conflict(WEBHOOK_ACTIVE)
        self.confirm(offset)
        self._poller += 1
        me = self._poller
        self._wake()  # an older poll still waiting learns it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            batch = self.peek(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self.wait_for_arrival(remaining)
            if self._poller != me:
                raise conflict(SUPERSEDED)
            if self.webhook_active:
                raise conflict(WEBHOOK_ACTIVE)
