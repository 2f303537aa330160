"""Two workers on PostgreSQL: one leads the broadcast, the other answers people in their chats. The replies
of the worker that does not lead use the bot-wide budget too, so the leader's pace leaves room for them
and the sandbox, enforcing the bot-wide limit, refuses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import cycle

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.bootstrap import Services, open_runtime
from bot.delivery.interactive import InteractiveMeter
from handlers.core.outbound import OutboundMessage
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from storage.envelope import KeyRing, new_master_key
from tests.delivery.conftest import TOKEN, add_started_users, eventually, fast_config, texts_in_chat

BOT_RATE = 40
RECIPIENTS = 160
# Replies a second from the worker that does not lead: without room left for them the broadcast and they
# together overrun the sandbox's bot-wide budget (BOT_RATE a second, BOT_RATE in a burst) within seconds.
REPLIES_PER_SECOND = 15


@pytest.fixture
async def postgres_url(database_url: str) -> AsyncIterator[str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share PostgreSQL; SQLite has one process")
    yield database_url


async def _broadcast_done(leader: Services) -> bool:
    async with leader.uow() as uow:
        counts = await uow.outbox.counts_by_status()
    return counts.get("sent", 0) == RECIPIENTS


async def _reply_until(bot: ExtBot[None], chats: list[int], done: asyncio.Event) -> tuple[int, int]:
    """Send chat replies at REPLIES_PER_SECOND, round the chats, until `done`; (sent, refused with 429)."""
    sent = refused = 0
    for chat in cycle(chats):
        if done.is_set():
            break
        try:
            await bot.send_message(chat, f"Reply {sent + refused}")
            sent += 1
        except RetryAfter:
            refused += 1
        await asyncio.sleep(1 / REPLIES_PER_SECOND)
    return sent, refused


async def test_replies_of_a_worker_that_does_not_lead_count_in_the_leaders_budget(
    sandbox: SandboxServer, postgres_url: str
) -> None:
    sandbox.set_limits(FloodLimits(per_bot_per_second=BOT_RATE, per_chat_burst=3))
    config = fast_config(sandbox.url, postgres_url, bot_rate=BOT_RATE, batch_size=20)
    ring = KeyRing.single(new_master_key())
    async with open_runtime(config, ring=ring) as leader, open_runtime(config, ring=ring) as other:
        recipients = await add_started_users(sandbox, leader, RECIPIENTS)
        chatters = await add_started_users(sandbox, other, 40)
        leader.delivery.start(TOKEN)
        await eventually(lambda: asyncio.sleep(0, leader.delivery.leading), what="the first worker to lead")
        other.delivery.start(TOKEN)
        meter = InteractiveMeter(other.delivery.limiter, other.delivery.interactive)
        async with ExtBot(TOKEN, base_url=config.bot.api_url, rate_limiter=meter) as bot:
            done = asyncio.Event()
            replying = asyncio.create_task(_reply_until(bot, chatters, done))
            await asyncio.sleep(1.0)  # replies already flow when the broadcast starts
            await leader.delivery.broadcasts.enqueue_broadcast(1, recipients, OutboundMessage("Big news"))
            await eventually(lambda: _broadcast_done(leader), within=40, what="the broadcast")
            done.set()
            replies, refused = await replying
        leader_pump, other_pump = leader.delivery.pump, other.delivery.pump
        assert leader_pump is not None and other_pump is not None
        assert (leader_pump.stats.sent, other_pump.stats.sent) == (RECIPIENTS, 0)
        assert leader_pump.stats.rate_limited == 0 and refused == 0
        assert replies > REPLIES_PER_SECOND * 3
    assert all(texts_in_chat(sandbox, user) == ["Big news"] for user in recipients)
