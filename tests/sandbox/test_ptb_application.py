"""A real python-telegram-bot Application, polling or on a webhook, driven through the test client."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from sandbox.webhooks import SECRET_HEADER


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer a button."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Wallet", callback_data="wallet:open")]])
    payload = " ".join(context.args or [])
    greeting = f"Hello, <b>{update.effective_user.first_name}</b>!" if update.effective_user else "Hello!"
    await update.effective_message.reply_html(greeting + (f" ({payload})" if payload else ""),
                                              reply_markup=keyboard)


async def open_wallet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, then turn the greeting into the wallet."""
    query = update.callback_query
    assert query is not None
    await query.answer("Opening your wallet")
    await query.edit_message_text("Your wallet is empty.")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say back what the user said."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def measure_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the user's photo, as a verifier's QR check does, and say what arrived."""
    message = update.effective_message
    assert message is not None and message.photo
    data = await (await message.photo[-1].get_file()).download_as_bytearray()
    with Image.open(io.BytesIO(bytes(data))) as image:
        await message.reply_text(f"got {image.width}x{image.height}, {message.caption}")


def build_app(url: str, token: str) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(token).base_url(f"{url}/bot").base_file_url(f"{url}/file/bot").build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(open_wallet, pattern="^wallet:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.PHOTO, measure_photo))
    return app


@pytest.fixture
async def polling_bot(server: SandboxServer, bot_token: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = build_app(server.url, bot_token)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_ptb_bot_greets_with_a_button_and_edits_the_message_when_pressed(
        polling_bot: Application, sb: SandboxClient) -> None:  # type: ignore[type-arg]
    alice = await sb.user("Alice", "en")

    greeting = await alice.send("/start")
    assert greeting.text == "Hello, Alice!"
    assert greeting.raw["entities"] == [{"type": "bold", "offset": 7, "length": 5}]
    assert greeting.buttons == ["Wallet"]

    answer = await alice.press("Wallet")
    assert answer is not None and answer.text == "Opening your wallet"
    wallet = await alice.wait_for_edit(greeting)
    assert wallet.text == "Your wallet is empty."
    assert wallet.buttons == []


async def test_ptb_bot_echoes_text_and_sees_deep_link_payloads(
        polling_bot: Application, sb: SandboxClient) -> None:  # type: ignore[type-arg]
    bora = await sb.user("Bora", "ko")
    assert (await bora.send("안녕하세요")).text == "안녕하세요"
    assert (await bora.open_link("card-42")).text == "Hello, Bora! (card-42)"
    transcript = [(m.from_bot, m.text) for m in await bora.chat()]
    assert transcript == [(False, "안녕하세요"), (True, "안녕하세요"),
                          (False, "/start card-42"), (True, "Hello, Bora! (card-42)")]


async def test_ptb_bot_downloads_a_photo_the_user_sends(
        polling_bot: Application, sb: SandboxClient) -> None:  # type: ignore[type-arg]
    verifier = await sb.user("Verifier")
    out = io.BytesIO()
    Image.new("RGB", (240, 160), "white").save(out, format="PNG")
    reply = await verifier.send_photo(out.getvalue(), caption="card QR")
    assert reply.text == "got 240x160, card QR"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_ptb_bot_on_a_webhook_gets_updates_with_the_secret_header(
        server: SandboxServer, sb: SandboxClient, bot_token: str) -> None:
    app = build_app(server.url, bot_token)
    secrets_seen: list[str | None] = []

    async def receive(request: web.Request) -> web.Response:
        secrets_seen.append(request.headers.get(SECRET_HEADER))
        if request.headers.get(SECRET_HEADER) != "s3cret-token":
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with app:
            await app.start()
            await app.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token")
            info = await app.bot.get_webhook_info()
            assert info.url == f"http://127.0.0.1:{port}/hook"

            carol = await sb.user("Carol")
            assert (await carol.send("/start")).text == "Hello, Carol!"
            assert (await carol.send("ping")).text == "ping"
            assert secrets_seen == ["s3cret-token", "s3cret-token"]
            assert (await app.bot.get_webhook_info()).pending_update_count == 0
            await app.bot.delete_webhook()
            await app.stop()
    finally:
        await runner.cleanup()
