"""Fixtures for the sandbox tests: a server on a free port, a raw Bot API caller, a user-side client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer

TOKEN = "5000001:AAsandboxTestTokenForTheFirstBot_x"
OTHER_TOKEN = "5000002:AAsandboxTestTokenForTheOtherBot_y"


@dataclass
class Answer:
    """One Bot API answer: HTTP status and Telegram's envelope."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.body.get("ok"))

    @property
    def result(self) -> Any:
        assert self.body.get("ok"), self.body
        return self.body["result"]

    @property
    def description(self) -> str:
        return str(self.body.get("description"))


class BotCaller:
    """Calls the Bot API as a bot would, with a JSON body unless told otherwise."""

    def __init__(self, url: str, token: str, http: aiohttp.ClientSession) -> None:
        self.url = url
        self.token = token
        self.http = http
        self.offset = 0

    async def __call__(self, method: str, **params: Any) -> Answer:
        async with self.http.post(f"{self.url}/bot{self.token}/{method}", json=params) as response:
            return Answer(response.status, await response.json())

    async def updates(self, poll_seconds: float = 0) -> list[dict[str, Any]]:
        """New updates, confirming the ones fetched before (as a polling bot does)."""
        found: list[dict[str, Any]] = (await self("getUpdates", offset=self.offset, timeout=poll_seconds)).result
        if found:
            self.offset = found[-1]["update_id"] + 1
        return found

    async def next_update(self, kind: str, poll_seconds: float = 5) -> dict[str, Any]:
        """The payload of the next update of ``kind``, skipping others."""
        while True:
            for update in await self.updates(poll_seconds):
                if kind in update:
                    return update[kind]  # type: ignore[no-any-return]

    async def form(self, method: str, data: aiohttp.FormData | dict[str, Any]) -> Answer:
        async with self.http.post(f"{self.url}/bot{self.token}/{method}", data=data) as response:
            return Answer(response.status, await response.json())


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(port=0, limits=FloodLimits.off(), pre_checkout_timeout=2.0)
    sandbox.add_bot(TOKEN, "sandbox_test_bot", "Test Bot")
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
def bot_token() -> str:
    return TOKEN


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def bot(server: SandboxServer, http: aiohttp.ClientSession) -> BotCaller:
    return BotCaller(server.url, TOKEN, http)


@pytest.fixture
def other_bot(server: SandboxServer, http: aiohttp.ClientSession) -> BotCaller:
    server.add_bot(OTHER_TOKEN, "sandbox_other_bot", "Other Bot")
    return BotCaller(server.url, OTHER_TOKEN, http)


@pytest.fixture
async def sb(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.url) as client:
        yield client


@pytest.fixture
async def frozen_flood(bot_token: str) -> AsyncIterator[tuple[SandboxServer, BotCaller, SandboxClient]]:
    """A sandbox with Telegram's default limits and flood control's clock stopped, so no budget refills."""
    server = SandboxServer(port=0, limits=FloodLimits(), monotonic=lambda: 1000.0)
    server.add_bot(bot_token, "sandbox_test_bot", "Test Bot")
    await server.start()
    async with aiohttp.ClientSession() as http, SandboxClient(server.url) as client:
        yield server, BotCaller(server.url, bot_token, http), client
    await server.stop()
