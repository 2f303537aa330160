"""A bot written with another Bot API library (aiogram 3) runs against the sandbox unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer

if TYPE_CHECKING:
    from aiogram import Bot

# Importing aiogram costs seconds of CPU: one test process runs all of these and pays it once.
pytestmark = pytest.mark.xdist_group("aiogram")


@pytest.fixture
async def aiogram_bot(server: SandboxServer, bot_token: str) -> AsyncIterator[Bot]:
    from tests.sandbox.aiogram_counter import polling

    async with polling(bot_token, server.url) as bot:
        yield bot


async def test_aiogram_bot_answers_presses_and_edits_its_message(aiogram_bot: Bot, sb: SandboxClient) -> None:
    dana = await sb.user("Dana")
    prompt = await dana.send("/start")
    assert (prompt.text, prompt.buttons) == ("Press to count.", ["Count"])

    answer = await dana.press("Count")
    assert answer is not None and answer.text == "Counted 1"
    assert (await dana.wait_for_edit(prompt)).text == "Count: 1"

    answer = await dana.press("count:1", prompt)
    assert answer is not None and answer.text == "Counted 2"
    edited = await dana.wait_for_edit(prompt)
    assert edited.text == "Count: 2" and edited.button("Count")["callback_data"] == "count:2"


async def test_aiogram_bot_is_refused_over_long_text_as_telegram_refuses_it(
        aiogram_bot: Bot, sb: SandboxClient) -> None:
    eun = await sb.user("Eun")
    assert (await eun.send("too long")).text == "refused: Bad Request: message is too long"


async def test_aiogram_bot_is_refused_callback_data_over_64_bytes(aiogram_bot: Bot, sb: SandboxClient) -> None:
    eun = await sb.user("Eun")
    assert (await eun.send("big button")).text == "refused: Bad Request: BUTTON_DATA_INVALID"


async def test_aiogram_bot_is_told_an_identical_edit_is_not_modified(aiogram_bot: Bot, sb: SandboxClient) -> None:
    eun = await sb.user("Eun")
    assert (await eun.send("same again")).text == "unchanged"
    assert (await eun.next_message()).text == (
        "refused: Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message")


async def test_an_aiogram_bot_with_any_token_runs_when_the_sandbox_registers_bots_itself() -> None:
    async with SandboxServer(port=0, auto_register_bots=True) as server:  # what `jigap sandbox --no-bot` serves
        await run_counter_bot_with_any_token(server)


async def run_counter_bot_with_any_token(server: SandboxServer) -> None:
    from tests.sandbox.aiogram_counter import polling

    async with polling("8123456:AAanyTokenAtAllFromSomeoneElsesBot", server.url) as bot, SandboxClient(server.url) as sb:
        await bot.get_me()
        jin = await sb.user("Jin")
        prompt = await jin.send("/start")
        assert prompt.raw["from"]["id"] == 8123456
        await jin.press("Count")
        assert (await jin.wait_for_edit(prompt)).text == "Count: 1"
