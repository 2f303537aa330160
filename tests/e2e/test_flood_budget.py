"""One account cannot make the bot do more than its budget: beyond it, its updates are dropped with one
"slow down" notice, and other chats are answered as if nothing happened."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import load_config
from sandbox.server import SandboxServer
from storage.core.tables import inbox
from tests.harness import BOT_TOKEN, Jigap, jigap_on

BOT_ID = int(BOT_TOKEN.split(":")[0])
FLOOD = 150
# A small burst: the answers within it still go at Telegram's pace of one a second per chat.
BURST = 4


@pytest.fixture
async def budgeted(sandbox_server: SandboxServer, migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    base = load_config(environ={})
    config = base.replace(bot=dataclasses.replace(base.bot, user_burst=BURST))
    async with jigap_on(sandbox_server, database_url=migrated_sqlite_url, config=config) as running:
        yield running


async def test_a_flood_from_one_account_is_cut_at_its_budget_and_others_are_answered(budgeted: Jigap) -> None:
    jigap = budgeted
    flooder = await jigap.started_user("Flood", "en")
    other = await jigap.started_user("Calm", "en")
    await asyncio.gather(*(flooder.say("/help") for _ in range(FLOOD)))
    reply = await other.send("/help")
    assert reply.text.startswith("What I can do:")

    to_flooder = await _settled(jigap, flooder.id)
    notices = [message for message in to_flooder if "faster than I can answer" in (message["text"] or "")]
    answered = [message for message in to_flooder if (message["text"] or "").startswith("What I can do:")]
    assert len(notices) == 1
    # The /start that opened the chat took one of the budget; it refills a little while the flood goes on.
    assert BURST - 1 <= len(answered) <= BURST + 2, len(answered)
    assert await _pending_updates(jigap) == 0  # what was dropped is done, not left for the next start


async def _pending_updates(jigap: Jigap) -> int:
    for _ in range(100):
        async with jigap.services.uow() as uow:
            pending = (await uow.connection.execute(
                select(func.count()).select_from(inbox).where(inbox.c.status == "pending"))).scalar_one()
        if pending == 0:
            return 0
        await asyncio.sleep(0.05)
    return int(pending)


async def _settled(jigap: Jigap, chat_id: int) -> list[dict[str, Any]]:
    """What the bot sent to the chat once nothing more comes for two seconds."""
    seen: list[dict[str, Any]] = []
    quiet = 0
    while quiet < 20:
        await asyncio.sleep(0.1)
        now = [message for message in await jigap.client.sent_by_bot(BOT_ID) if message["chat_id"] == chat_id]
        quiet = quiet + 1 if len(now) == len(seen) else 0
        seen = now
    return seen
