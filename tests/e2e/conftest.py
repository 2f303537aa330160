"""End-to-end fixtures: the sandbox on a free port and jigap's real Application polling it, on a real
SQLite file (tests/harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.server import SandboxServer
from tests.harness import Jigap, jigap_on, sandbox_running


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    async with sandbox_running() as server:
        yield server


@pytest.fixture
async def jigap(sandbox_server: SandboxServer, migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    async with jigap_on(sandbox_server, database_url=migrated_sqlite_url) as running:
        yield running
