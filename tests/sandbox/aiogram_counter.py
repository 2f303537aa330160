"""A small counter bot written with aiogram 3, for the tests that run another library's bot on the sandbox.

Importing aiogram builds a few hundred pydantic models (seconds of CPU), so only the tests that run this bot
import this module, and they do it when they start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


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


@asynccontextmanager
async def polling(token: str, sandbox_url: str) -> AsyncIterator[Bot]:
    """The counter bot polling the sandbox at `sandbox_url` until the block ends."""
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox_url)))
    dp = build_dispatcher()
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        yield bot
    finally:
        await dp.stop_polling()
        await task
