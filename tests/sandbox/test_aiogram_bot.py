"""A bot written with another Bot API library (aiogram 3) runs against the sandbox unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


def counter_keyboard(count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Count", callback_data=f"count:{count}")]])


def build_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Press to count.", reply_markup=counter_keyboard(0))

    @dp.callback_query(F.data.startswith("count:"))
    async def count(callback: CallbackQuery) -> None:
        assert callback.data is not None and isinstance(callback.message, Message)
        new = int(callback.data.split(":")[1]) + 1
        await callback.answer(f"Counted {new}")
        await callback.message.edit_text(f"Count: {new}", reply_markup=counter_keyboard(new))

    @dp.message(F.text == "too long")
    async def too_long(message: Message) -> None:
        try:
            await message.answer("x" * 4097)
        except TelegramBadRequest as refusal:
            await message.answer(f"refused: {refusal.message}")

    @dp.message(F.text == "big button")
    async def big_button(message: Message) -> None:
        try:
            await message.answer("pick", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text="Big", callback_data="d" * 65)]]))
        except TelegramBadRequest as refusal:
            await message.answer(f"refused: {refusal.message}")

    @dp.message(F.text == "same again")
    async def same_again(message: Message) -> None:
        sent = await message.answer("unchanged")
        try:
            await sent.edit_text("unchanged")
        except TelegramBadRequest as refusal:
            await message.answer(f"refused: {refusal.message}")

    return dp


@pytest.fixture
async def aiogram_bot(server: SandboxServer, bot_token: str) -> AsyncIterator[Bot]:
    bot = Bot(bot_token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.url)))
    dp = build_dispatcher()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    yield bot
    await dp.stop_polling()
    await polling


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
    bot = Bot("8123456:AAanyTokenAtAllFromSomeoneElsesBot", session=AiohttpSession(
        api=TelegramAPIServer.from_base(server.url)))
    dp = build_dispatcher()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        async with SandboxClient(server.url) as sb:
            await bot.get_me()
            jin = await sb.user("Jin")
            prompt = await jin.send("/start")
            assert prompt.raw["from"]["id"] == 8123456
            await jin.press("Count")
            assert (await jin.wait_for_edit(prompt)).text == "Count: 1"
    finally:
        await dp.stop_polling()
        await polling
