"""The web chat in a real Chromium, in the details a tester relies on: links in the bot's messages work
(the bot's own t.me deep link opens as the person), a declined payment shows the bot's reason, an
invoice has one Pay button, "edited" shows when, the view follows a photo as it loads, and the Stars
panel names a subscription by its title."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    PreCheckoutQueryHandler,
)

from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from tests.sandbox.test_web_chat import ARTIFACTS, CHROMIUM_ARGS, chromium_path

TOKEN = "5000011:AAsandboxWebChatDetailsBotToken_z"
BOT = "sandbox_details_bot"


class StepClock:
    """The sandbox's clock, moved on by the test so an edit is visibly later than the message."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 14, 1, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def tall_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 900), "purple").save(out, format="PNG")
    return out.getvalue()


def handlers(clock: StepClock) -> list[Any]:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, or say which deep link was opened."""
        assert update.effective_message is not None
        if context.args:
            await update.effective_message.reply_text(f"Opened {context.args[0]}")
            return
        await update.effective_message.reply_html(
            f"Your card: t.me/{BOT}?start=card-42 or <a href=\"https://t.me/{BOT}?start=promo\">the promo</a>.")

    async def buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An invoice with the bot's own pay button and one more button."""
        assert update.effective_chat is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Pay 90 stars now", pay=True)],
                                       [InlineKeyboardButton("Details", callback_data="details")]])
        await context.bot.send_invoice(update.effective_chat.id, "Concert ticket", "Row A", "ticket-7", "XTR",
                                       [LabeledPrice("Ticket", 90)], reply_markup=markup)

    async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A Stars subscription invoice link."""
        assert update.effective_message is not None
        link = await context.bot.create_invoice_link("Creator club", "30 days of posts", "sub-club-payload-91",
                                                     "XTR", [LabeledPrice("Month", 120)],
                                                     subscription_period=2_592_000)
        await update.effective_message.reply_text(link)

    async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message edited two hours later."""
        assert update.effective_message is not None
        sent = await update.effective_message.reply_text("Draft")
        clock.now += timedelta(hours=2, minutes=17)
        await sent.edit_text("Final")

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Enough lines to scroll, then a tall photo."""
        assert update.effective_chat is not None
        for n in range(12):
            await context.bot.send_message(update.effective_chat.id, f"line {n}")
        await context.bot.send_photo(update.effective_chat.id, tall_png(), caption="the tall one")

    async def pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Subscriptions go through; tickets are sold out."""
        query = update.pre_checkout_query
        assert query is not None
        if query.invoice_payload.startswith("sub-"):
            await query.answer(ok=True)
        else:
            await query.answer(ok=False, error_message="Sold out today")

    return [CommandHandler("start", start), CommandHandler("buy", buy), CommandHandler("subscribe", subscribe),
            CommandHandler("edit", edit), CommandHandler("photo", photo), PreCheckoutQueryHandler(pre_checkout)]


@pytest.fixture
async def details() -> AsyncIterator[tuple[SandboxServer, StepClock]]:
    clock = StepClock()
    server = SandboxServer(port=0, limits=FloodLimits.off(), clock=clock, pre_checkout_timeout=5.0)
    server.add_bot(TOKEN, BOT, "Details Bot")
    await server.start()
    app: Application = ApplicationBuilder().token(TOKEN).base_url(f"{server.url}/bot").build()  # type: ignore[type-arg]
    for handler in handlers(clock):
        app.add_handler(handler)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield server, clock
        await app.updater.stop()
        await app.stop()
    await server.stop()


@pytest.fixture
async def page(details: tuple[SandboxServer, StepClock]) -> AsyncIterator[Any]:
    executable = chromium_path()
    from playwright.async_api import async_playwright

    server, _ = details
    server.add_user("Minji", "ko")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            opened = await browser.new_page(viewport={"width": 1100, "height": 700})
            await opened.goto(server.url + "/")
            await opened.get_by_text("Minji").click()
            yield opened
        finally:
            await browser.close()


async def say(page: Any, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Send").click()


@pytest.mark.browser
async def test_links_are_clickable_and_the_bots_deep_link_opens_as_the_person(page: Any) -> None:
    from playwright.async_api import expect

    await say(page, "/start")
    greeting = page.locator(".row.in .bubble").first
    await expect(greeting.locator("a")).to_have_count(2)
    await greeting.get_by_role("link", name=f"t.me/{BOT}?start=card-42").click()
    await expect(page.locator(".row.out .bubble").last).to_contain_text("/start card-42")
    await expect(page.locator(".row.in .bubble").last).to_contain_text("Opened card-42")
    await greeting.get_by_role("link", name="the promo").click()
    await expect(page.locator(".row.in .bubble").last).to_contain_text("Opened promo")
    assert len(page.context.pages) == 1


@pytest.mark.browser
async def test_an_invoice_has_one_pay_button_and_a_decline_shows_the_bots_reason(
        page: Any, details: tuple[SandboxServer, StepClock]) -> None:
    from playwright.async_api import expect

    await say(page, "/buy")
    invoice = page.locator(".row.in").filter(has=page.locator(".invoice"))
    await expect(invoice.locator(".pay")).to_have_text("Pay 90 stars now")
    await expect(invoice.get_by_role("button")).to_have_text(["Pay 90 stars now", "Details"])
    await invoice.locator(".pay").click()
    await expect(page.locator(".service")).to_have_text("Payment declined: Sold out today")
    await expect(page.locator("#toast")).to_have_text("Payment declined: Sold out today")
    server, _ = details
    assert server.payments.star_balance(server.world.bots_by_token[TOKEN]) == 0
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "sandbox-web-chat-declined.png"))


@pytest.mark.browser
async def test_edited_shows_when_the_message_was_edited(page: Any) -> None:
    from playwright.async_api import expect

    await say(page, "/edit")
    edited = page.locator(".row.in .bubble").filter(has_text="Final")
    await expect(edited).to_have_count(1)
    edit_date = int((datetime(2026, 3, 14, 3, 22, tzinfo=UTC)).timestamp())
    shown = await page.evaluate(
        "d => new Date(d * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })", edit_date)
    await expect(edited.locator(".meta")).to_have_text(f"edited {shown}")


@pytest.mark.browser
async def test_the_view_stays_at_the_newest_message_after_a_photo_loads(page: Any) -> None:
    from playwright.async_api import expect

    await say(page, "/photo")
    image = page.locator(".bubble img")
    await expect(image).to_have_count(1)
    await page.wait_for_function("() => { const i = document.querySelector('.bubble img');"
                                 " return i && i.complete && i.naturalHeight > 0; }")
    await page.wait_for_timeout(200)
    gap = await page.evaluate("() => { const m = document.getElementById('messages');"
                              " return m.scrollHeight - m.scrollTop - m.clientHeight; }")
    assert gap < 5
    await expect(page.locator(".row.in .bubble").last).to_contain_text("the tall one")


@pytest.mark.browser
async def test_the_stars_panel_names_a_subscription_by_its_title(
        page: Any, details: tuple[SandboxServer, StepClock]) -> None:
    from playwright.async_api import expect

    server, _ = details
    await say(page, "/subscribe")
    link_message = page.locator(".row.in .bubble").filter(has_text="https://t.me/$")
    await expect(link_message).to_have_count(1)
    minji = next(user for user in server.world.users.values() if user.first_name == "Minji")
    async with SandboxClient(server.url) as sb:
        link = (await sb.sent_by_bot(server.world.bots_by_token[TOKEN].id, contains="https://t.me/$"))[0]["text"]
        paid = await sb.request("POST", f"/sandbox/users/{minji.id}/pay", {"invoice_link": link})
    assert paid["status"] == "paid"
    await page.get_by_role("button", name="Subscriptions").click()
    panel = page.locator("#subscriptions .subscription")
    await expect(panel).to_contain_text("Creator club \u00B7 \u2605 120 \u00B7 renews")
    await expect(panel).not_to_contain_text("sub-club-payload-91")
