"""getUpdates keeps updates until the offset confirms them, long polls wake at once; webhooks deliver."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from sandbox.webhooks import SECRET_HEADER


async def test_updates_stay_until_the_offset_confirms_them(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    for text in ("one", "two", "three"):
        await alice.say(text)
    first = (await bot("getUpdates")).result
    assert [u["message"]["text"] for u in first] == ["one", "two", "three"]
    assert [u["message"]["text"] for u in (await bot("getUpdates")).result] == ["one", "two", "three"]
    after_first = (await bot("getUpdates", offset=first[0]["update_id"] + 1, limit=1)).result
    assert [u["message"]["text"] for u in after_first] == ["two"]
    last_only = (await bot("getUpdates", offset=-1)).result
    assert [u["message"]["text"] for u in last_only] == ["three"]
    assert (await bot("getUpdates", offset=last_only[0]["update_id"] + 1)).result == []


async def poll_in_place(server: SandboxServer, count: int) -> None:
    """Yield until the server has begun ``count`` getUpdates calls of the test bot."""
    queue = server.world.bots[5000001].updates
    while queue.polls_started < count:
        await queue.wait_for_arrival(1.0)  # a new poll wakes the queue's waiters too


async def test_a_long_poll_wakes_as_soon_as_an_update_arrives(
        server: SandboxServer, bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    poll = asyncio.create_task(bot("getUpdates", timeout=20))
    await poll_in_place(server, 1)
    started = time.monotonic()
    await alice.say("wake up")
    answer = await poll
    assert [u["message"]["text"] for u in answer.result] == ["wake up"]
    assert time.monotonic() - started < 2.0, "woken at once, not at the 20 s timeout"


async def test_an_empty_long_poll_returns_after_its_timeout(bot: Any) -> None:
    started = time.monotonic()
    assert (await bot("getUpdates", timeout=0.3)).result == []
    assert 0.25 < time.monotonic() - started < 3


async def test_a_second_poller_terminates_the_first_with_409(server: SandboxServer, bot: Any) -> None:
    first = asyncio.create_task(bot("getUpdates", timeout=5))
    await poll_in_place(server, 1)
    second = asyncio.create_task(bot("getUpdates", timeout=0.2))
    refused = await first
    assert (refused.status, refused.description) == (409, "Conflict: terminated by other getUpdates request; "
                                                          "make sure that only one bot instance is running")
    assert (await second).result == []


async def test_allowed_updates_filters_what_is_kept(bot: Any, sb: SandboxClient) -> None:
    alice = await sb.user("Alice")
    assert (await bot("getUpdates", allowed_updates=["callback_query"])).result == []
    await alice.say("not wanted")
    assert (await bot("getUpdates")).result == []
    assert (await bot("getUpdates", allowed_updates=[])).result == []
    await alice.say("wanted")
    assert [u["message"]["text"] for u in (await bot("getUpdates")).result] == ["wanted"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    """A webhook endpoint that records what it gets and answers with a chosen status."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.status = 200
        self.reply: dict[str, Any] | None = None
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        self.arrived.set()
        if self.reply is not None and self.status == 200:
            return web.json_response(self.reply)
        return web.Response(status=self.status)

    async def wait(self, count: int) -> None:
        while len(self.received) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint.url = f"http://127.0.0.1:{port}/hook"
    yield endpoint
    await runner.cleanup()


async def test_webhook_delivers_with_the_secret_header_and_blocks_get_updates(
        bot: Any, sb: SandboxClient, receiver: Receiver) -> None:
    assert (await bot("setWebhook", url=receiver.url, secret_token="top-secret_1")).result is True
    alice = await sb.user("Alice")
    await alice.say("hello hook")
    await receiver.wait(1)
    secret, update = receiver.received[0]
    assert secret == "top-secret_1" and update["message"]["text"] == "hello hook"
    refused = await bot("getUpdates")
    assert (refused.status, refused.description) == (409, "Conflict: can't use getUpdates method while webhook "
                                                          "is active; use deleteWebhook to delete the webhook first")
    info = (await bot("getWebhookInfo")).result
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    bad = await bot("setWebhook", url=receiver.url, secret_token="no spaces allowed")
    assert bad.description == "Bad Request: secret token contains unallowed characters"


async def test_a_failing_webhook_keeps_the_update_and_reports_the_error(
        bot: Any, sb: SandboxClient, receiver: Receiver) -> None:
    receiver.status = 500
    await bot("setWebhook", url=receiver.url)
    alice = await sb.user("Alice")
    await alice.say("retry me")
    await receiver.wait(1)
    info = (await bot("getWebhookInfo")).result
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    receiver.status = 200
    await receiver.wait(2)
    assert [u["message"]["text"] for _, u in receiver.received] == ["retry me", "retry me"]
    await bot("deleteWebhook")
    assert (await bot("getUpdates")).result == []


async def test_a_webhook_answer_may_carry_a_method_call(bot: Any, sb: SandboxClient, receiver: Receiver) -> None:
    alice = await sb.user("Alice")
    receiver.reply = {"method": "sendMessage", "chat_id": alice.id, "text": "answered in the webhook reply"}
    await bot("setWebhook", url=receiver.url)
    reply = await alice.send("hi")
    assert reply.text == "answered in the webhook reply"


async def test_webhook_keeps_each_chats_updates_in_order(bot: Any, sb: SandboxClient, receiver: Receiver) -> None:
    alice, bob = await sb.user("Alice"), await sb.user("Bob")
    for n in range(5):
        await alice.say(f"a{n}")
        await bob.say(f"b{n}")
    await bot("setWebhook", url=receiver.url, max_connections=10)
    await receiver.wait(10)
    texts = [u["message"]["text"] for _, u in receiver.received]
    assert [t for t in texts if t.startswith("a")] == ["a0", "a1", "a2", "a3", "a4"]
    assert [t for t in texts if t.startswith("b")] == ["b0", "b1", "b2", "b3", "b4"]


async def test_the_event_stream_shows_messages_and_edits_as_they_happen(
        server: Any, bot: Any, sb: SandboxClient, http: Any) -> None:
    alice = await sb.user("Alice")
    async with http.get(f"{server.url}/sandbox/events") as stream:
        assert (await stream.content.readline()).startswith(b": connected")
        await alice.say("/start")
        sent = (await bot("sendMessage", chat_id=alice.id, text="Hello")).result
        await bot("editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="Hello again")
        events: list[dict[str, Any]] = []
        while len(events) < 3:
            line = await asyncio.wait_for(stream.content.readline(), 5)
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    assert [(e["type"], e["message"]["text"]) for e in events] == [
        ("message", "/start"), ("message", "Hello"), ("edit", "Hello again")]
    assert events[0]["chat"] == {"kind": "private", "bot_id": 5000001, "user_id": alice.id}
