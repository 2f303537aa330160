"""Callback queries in flight: a user's press waits here for the bot's answerCallbackQuery."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from sandbox.errors import bad_request
from sandbox.world import Conversation

EXPIRED_QUERY = "query is too old and response timeout expired or query ID is invalid"


class CallbackQueries:
    """Open callback queries by id; each can be answered once."""

    def __init__(self) -> None:
        self._open: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._origin: dict[str, tuple[Conversation, int]] = {}

    def open(self, conversation: Conversation, message_id: int) -> str:
        """A new query for a press on ``message_id`` in ``conversation``."""
        query_id = str(secrets.randbits(63))
        self._open[query_id] = asyncio.get_running_loop().create_future()
        self._origin[query_id] = (conversation, message_id)
        return query_id

    def answer(self, query_id: str, answer: dict[str, Any]) -> tuple[Conversation, int]:
        """Record the bot's answer; returns the chat and message the press was on."""
        waiting = self._open.get(query_id)
        if waiting is None or waiting.done():
            raise bad_request(EXPIRED_QUERY)
        waiting.set_result(answer)
        return self._origin[query_id]

    async def wait(self, query_id: str, seconds: float) -> dict[str, Any] | None:
        """The bot's answer, or None if it has not answered within ``seconds``."""
        waiting = self._open[query_id]
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), seconds)
        except TimeoutError:
            return None
