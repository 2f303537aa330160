"""python-telegram-bot's Bot over jigap's aiohttp request, against the sandbox: plain calls, a photo upload,
and the errors python-telegram-bot expects when an answer never comes or the connection drops."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram_request import AiohttpRequest
from sandbox.faults import FaultPlan
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer

TOKEN = "7300000001:requestTestTokenForTheAiohttpLayer"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(port=0, limits=FloodLimits.off())
    server.add_bot(TOKEN, "jigap_request_bot", "jigap")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def user_and_bot(sandbox: SandboxServer) -> AsyncIterator[tuple[int, Bot]]:
    account = sandbox.world.bots_by_token[TOKEN]
    user = sandbox.world.add_user("Minji", "ko")
    sandbox.world.private(account, user).started = True
    request = AiohttpRequest(connections=4, read_timeout=1.0)
    bot = Bot(TOKEN, base_url=f"{sandbox.url}/bot", base_file_url=f"{sandbox.url}/file/bot", request=request,
              get_updates_request=AiohttpRequest(connections=1))
    async with bot:
        yield user.id, bot


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_calls_and_uploads_arrive_as_sent(sandbox: SandboxServer, user_and_bot: tuple[int, Bot]) -> None:
    user, bot = user_and_bot
    me = await bot.get_me()
    assert me.username == "jigap_request_bot"
    sent = await bot.send_message(user, "안녕하세요 & welcome", reply_markup=None)
    assert sent.text == "안녕하세요 & welcome"
    photo = await bot.send_photo(user, _png(), caption="card")
    assert photo.caption == "card" and photo.photo
    file = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray())[:8] == b"\x89PNG\r\n\x1a\n"


async def test_an_answer_that_never_comes_is_timed_out(sandbox: SandboxServer, user_and_bot: tuple[int, Bot]) -> None:
    user, bot = user_and_bot
    sandbox.set_faults(FaultPlan(kind="hang", methods=frozenset({"sendmessage"}), count=1))
    with pytest.raises(TimedOut):
        await bot.send_message(user, "hello", read_timeout=0.5)
    assert (await bot.send_message(user, "again")).text == "again"


async def test_a_dropped_connection_is_a_network_error(sandbox: SandboxServer, user_and_bot: tuple[int, Bot]) -> None:
    user, bot = user_and_bot
    sandbox.set_faults(FaultPlan(kind="drop", methods=frozenset({"sendmessage"}), count=1))
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(user, "hello")
    assert not isinstance(raised.value, TimedOut) and "aiohttp." in str(raised.value)
    assert (await bot.send_message(user, "again")).text == "again"
