"""End-to-end fixtures: the sandbox on a free port and jigap's real Application polling it, on a real
SQLite file. Tests act as users through the sandbox client and read what was stored through the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.embedded import embedded_bot
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from tests.e2e.harness import BOT_TOKEN, Jigap


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(port=0, limits=FloodLimits.off(), pre_checkout_timeout=3.0)
    server.add_bot(BOT_TOKEN, "jigap_test_bot", "jigap")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def jigap(sandbox_server: SandboxServer, tmp_path: Path) -> AsyncIterator[Jigap]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"
    async with (
        embedded_bot(api_url=sandbox_server.url, token=BOT_TOKEN, database_url=database_url) as application,
        SandboxClient(sandbox_server.url) as client,
    ):
        yield Jigap(sandbox_server, client, application, database_url)
