"""The web chat in a real Chromium: pick a person, /start, press a button, see the reply."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import qrcode
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    PreCheckoutQueryHandler,
)

from sandbox.server import SandboxServer

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def qr_png(text: str) -> bytes:
    """A real QR code image, like the cards the bot shows."""
    image = qrcode.make(text, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def chromium_path() -> str:
    path = os.environ.get("JIGAP_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {path} does not exist")
        pytest.skip(f"Chromium not found at {path} (set JIGAP_CHROMIUM to its path)")
    return path


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the wallet."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "Welcome to <b>jigap</b>. Your cards live here.",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Wallet", callback_data="wallet"),
                                            InlineKeyboardButton("Help", callback_data="help")]]))


async def wallet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a card as a photo, then an invoice to subscribe."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer("Opening your wallet")
    chat_id = query.message.chat.id
    await context.bot.send_photo(chat_id, qr_png("jigap:card:minji"), caption="Driver's licence · show this QR")
    await context.bot.send_invoice(chat_id, "Creator club", "30 days of posts", "club-1", "XTR",
                                   [LabeledPrice("Month", 250)])


async def approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say yes at pre-checkout."""
    assert update.pre_checkout_query is not None
    await update.pre_checkout_query.answer(ok=True)


@pytest.fixture
async def demo_bot(server: SandboxServer, bot_token: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(bot_token).base_url(f"{server.url}/bot").build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(wallet, pattern="^wallet$"))
    app.add_handler(PreCheckoutQueryHandler(approve))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.mark.browser
async def test_web_chat_walks_through_start_a_button_and_the_reply(
        server: SandboxServer, demo_bot: Application) -> None:  # type: ignore[type-arg]
    executable = chromium_path()
    from playwright.async_api import async_playwright, expect

    server.add_user("Minji", "ko")
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 820})
            await page.goto(server.url + "/")
            await page.get_by_text("Minji").click()
            await page.get_by_label("Message").fill("/start")
            await page.get_by_role("button", name="Send").click()
            await expect(page.locator(".row.in .bubble").first).to_contain_text("Welcome to jigap")
            await page.get_by_role("button", name="Wallet").click()
            await expect(page.locator("#toast")).to_contain_text("Opening your wallet")
            await expect(page.locator(".bubble img")).to_have_count(1)
            await expect(page.locator(".invoice .pay")).to_have_text("Pay \u2605 250")
            await expect(page.locator(".row.in .bubble").nth(1)).to_contain_text("Driver's licence")
            await page.locator(".invoice .pay").click()
            await expect(page.locator(".service")).to_have_text("Paid \u2605 250")
            server.add_user("Hana", "ko")
            await expect(page.locator("#user-list")).to_contain_text("Hana")
            await page.screenshot(path=str(ARTIFACTS / "sandbox-web-chat.png"))
        finally:
            await browser.close()
