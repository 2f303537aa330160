"""Delivery fixtures: a sandbox on a free port, jigap's runtime pointed at it, and users who started the bot."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.bootstrap import Services, open_runtime
from bot.config import Config, load_config
from bot.embedded import sandbox_config
from sandbox.server import SandboxServer
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts.members import TelegramProfile
from tests.harness import BOT_TOKEN, sandbox_running

TOKEN = BOT_TOKEN


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with sandbox_running() as server:
        yield server


def fast_config(api_url: str, database_url: str, **delivery: object) -> Config:
    base = sandbox_config(load_config(environ={}), api_url=api_url, database_url=database_url)
    return base.replace(delivery=dataclasses.replace(base.delivery, **{"send_timeout": 1, "backoff_first_ms": 50, **delivery}))


@pytest.fixture
async def runtime(sandbox: SandboxServer, migrated_database_url: str) -> AsyncIterator[Services]:
    config = fast_config(sandbox.url, migrated_database_url, bot_rate=200, batch_size=50)
    async with open_runtime(config, ring=KeyRing.single(new_master_key())) as services:
        yield services


@pytest.fixture
async def sqlite_runtime(sandbox: SandboxServer, migrated_sqlite_url: str) -> AsyncIterator[Services]:
    """For tests about the network, where the second backend adds nothing but time."""
    config = fast_config(sandbox.url, migrated_sqlite_url, bot_rate=200, batch_size=50)
    async with open_runtime(config, ring=KeyRing.single(new_master_key())) as services:
        yield services


async def add_started_users(sandbox: SandboxServer, services: Services, count: int) -> list[int]:
    """Users who opened the bot: known to the sandbox (chat started) and to jigap's database."""
    bot = sandbox.world.bots_by_token[TOKEN]
    ids = []
    for index in range(count):
        user = sandbox.world.add_user(f"User{index}", "en")
        sandbox.world.private(bot, user).started = True
        await services.members.member_for(TelegramProfile(user.id, None, user.first_name, None, "en"))
        ids.append(user.id)
    return ids


def texts_in_chat(sandbox: SandboxServer, user_id: int) -> list[str]:
    """What the bot wrote to the user, oldest first."""
    bot = sandbox.world.bots_by_token[TOKEN]
    conversation = sandbox.world.private_chats[(bot.id, user_id)]
    return [m.get("text", "") for m in conversation.messages.values() if m.get("from", {}).get("is_bot")]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)
