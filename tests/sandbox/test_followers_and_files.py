"""Many followers at once, broadcasts counted per chat, and files going both ways through a PTB bot."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


async def check_claims(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Read an uploaded CSV and answer with a per-row result file."""
    message = update.effective_message
    assert message is not None and message.document is not None
    rows = bytes(await (await message.document.get_file()).download_as_bytearray()).decode().splitlines()
    results = "\n".join(f"{row},ok" for row in rows[1:])
    await message.reply_document(results.encode(), filename="results.csv", caption=f"{len(rows) - 1} rows checked")


@pytest.fixture
async def claims_bot(server: SandboxServer, bot_token: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = (ApplicationBuilder().token(bot_token).base_url(f"{server.url}/bot")
           .base_file_url(f"{server.url}/file/bot").build())
    app.add_handler(MessageHandler(filters.Document.ALL, check_claims))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_an_admin_uploads_a_csv_and_gets_a_result_file_back(
        claims_bot: Application, sb: SandboxClient) -> None:  # type: ignore[type-arg]
    admin = await sb.user("Officer", "ko")
    reply = await admin.send_document(b"name,number\nMinji,11-22\nJisoo,33-44\n", "licences.csv",
                                      caption="batch 1", mime_type="text/csv")
    assert reply.text == "2 rows checked" and reply.document is not None
    assert reply.document["file_name"] == "results.csv"
    assert await sb.download(reply.document["file_id"]) == b"Minji,11-22,ok\nJisoo,33-44,ok"


async def test_followers_arrive_in_bulk_and_a_broadcast_is_counted_per_chat(bot: Any, sb: SandboxClient) -> None:
    followers = await sb.users(300, "Follower", "ko", say="/start")
    assert [f.first_name for f in followers[:2]] == ["Follower 1", "Follower 2"]
    starts = await bot.updates()
    starts += await bot.updates()
    starts += await bot.updates()
    assert len(starts) == 300 and {u["message"]["text"] for u in starts} == {"/start"}
    for follower in followers:
        await bot("sendMessage", chat_id=follower.id, text="New bread: rye")
    await bot("sendMessage", chat_id=followers[0].id, text="New bread: rye")
    received = Counter(m["chat_id"] for m in await sb.sent_by_bot(5000001, contains="New bread"))
    assert len(received) == 300
    assert [chat for chat, times in received.items() if times > 1] == [followers[0].id]
