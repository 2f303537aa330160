"""`jigap run --webhook`: updates arrive by POST with Telegram's secret header; anything else is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.bootstrap import open_runtime
from bot.config import load_config
from bot.embedded import running_webhook, sandbox_config
from bot.webserver import SECRET_HEADER, WEBHOOK_PATH
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.envelope import KeyRing, new_master_key
from tests.harness import BOT_TOKEN


@pytest.fixture
async def webhook_port(sandbox_server: SandboxServer, migrated_sqlite_url: str) -> AsyncIterator[int]:
    config = sandbox_config(load_config(environ={}), api_url=sandbox_server.url, database_url=migrated_sqlite_url)
    # Port 0 picks a free port, so the webhook is registered once the server is bound.
    async with (
        open_runtime(config, ring=KeyRing.single(new_master_key())) as services,
        running_webhook(services, BOT_TOKEN, public_url=None, host="127.0.0.1", port=0) as (application, web, port),
    ):
        await application.bot.set_webhook(url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}", secret_token=web.secret)
        yield port


async def test_updates_arrive_by_webhook_and_are_answered(sandbox_server: SandboxServer, webhook_port: int) -> None:
    async with SandboxClient(sandbox_server.url) as client:
        minji = await client.user("Minji", "ko")
        reply = await minji.send("/start")
    assert "Minji 님, 안녕하세요" in reply.text


async def test_a_post_without_the_secret_token_is_refused(webhook_port: int) -> None:
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
                                          "from": {"id": 5, "is_bot": False, "first_name": "Eve"}, "text": "/admin"}}
    url = f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as response:
            assert response.status == 403
        async with http.post(url, json=update, headers={SECRET_HEADER: "guess"}) as response:
            assert response.status == 403
        async with http.get(f"http://127.0.0.1:{webhook_port}/healthz") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"
        async with http.get(f"http://127.0.0.1:{webhook_port}/metrics") as response:
            assert "jigap_webhook_refused_total 2.0" in await response.text()
