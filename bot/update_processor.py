"""Handle updates of different chats at once and the updates of one chat in order.

python-telegram-bot's simple processor runs updates concurrently with no order at all, so two taps of
one user could race. Here each chat has a lock; a slow chat holds only itself. With the update inbox
(bot.inbox), each update is handled knowing which stored update it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.inbox import UpdateInbox
from bot.logging_setup import UPDATE_ID
from bot.user_budget import UserBudget, Verdict

log = logging.getLogger(__name__)
# Waiting updates of busy chats hold a slot of the outer bound; keep it far above the working bound.
QUEUED_PER_WORKING_SLOT = 16


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, concurrent_updates: int, inbox: UpdateInbox | None = None,
                 budget: UserBudget | None = None,
                 tell_slow_down: Callable[[Update], Coroutine[Any, Any, None]] | None = None) -> None:
        super().__init__(max_concurrent_updates=concurrent_updates * QUEUED_PER_WORKING_SLOT)
        self._inbox = inbox
        self._budget = budget
        self._tell_slow_down = tell_slow_down
        self._notices: set[asyncio.Task[None]] = set()
        self._working = asyncio.Semaphore(concurrent_updates)
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._budget is not None and self._over_budget(update, coroutine):
            return
        key = self._chat_key(update)
        lock = self._chat_locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        # Every line logged while this update is handled names it (bot.logging_setup).
        logging_as = UPDATE_ID.set(update.update_id if isinstance(update, Update) else None)
        try:
            async with lock, self._working:
                if self._inbox is None:
                    await coroutine
                else:
                    await self._inbox.handle(update, coroutine)
        finally:
            UPDATE_ID.reset(logging_as)
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Forget idle chats so the table does not grow with every chat ever seen.
                del self._waiting[key]
                del self._chat_locks[key]

    def _over_budget(self, update: object, coroutine: Awaitable[Any]) -> bool:
        """Drop an update beyond its sender's budget before it waits for its chat (see bot.user_budget)."""
        assert self._budget is not None
        verdict = self._budget.judge(update)
        if verdict is Verdict.HANDLE:
            return False
        if asyncio.iscoroutine(coroutine):
            coroutine.close()
        if self._inbox is not None and isinstance(update, Update):
            self._inbox.dropped(update)
        if verdict is Verdict.DROP_AND_TELL and self._tell_slow_down is not None and isinstance(update, Update):
            log.warning("user %s sends faster than their budget: dropping their updates for a while",
                        update.effective_user.id if update.effective_user else None)
            task = asyncio.create_task(self._tell_slow_down(update), name="slow-down-notice")
            self._notices.add(task)
            task.add_done_callback(self._notices.discard)
        return True

    @staticmethod
    def _chat_key(update: object) -> int:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return 0

    async def initialize(self) -> None:
        """Nothing to allocate: locks are made per chat on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: every lock is released when its update finishes."""
