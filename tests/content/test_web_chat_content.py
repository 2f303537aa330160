"""The content platform in the sandbox's web chat, in a real Chromium, with jigap's own bot behind it: Alex opens
the portal, then a locked post's teaser; Hana opens /earnings and sees its chart. Each is screenshotted into
test-artifacts/ for a person to look at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from subscriptions.billing import services as billing
from subscriptions.billing.payments import SuccessfulPayment
from subscriptions.content.posts import Access, Audience
from subscriptions.content.services import creators, posts
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.content.services.posts import PostDraft
from subscriptions.money import Money
from tests.harness import Jigap
from tests.sandbox.test_web_chat import ARTIFACTS, CHROMIUM_ARGS, chromium_path

KIMCHI = "김치찌개 20분 레시피"
DRAWING_MS = 60_000  # the first chart of a process imports matplotlib


async def _hanas_kitchen(world: Jigap, hana_id: int, minji_id: int) -> None:
    """Hana's page with two tiers and a post for Recipes' subscribers; Minji pays for the Stars tier."""
    content = world.services.content
    creator = await creators.create_creator(content, hana_id, NewCreator("Hana's Kitchen", "hanaskitchen",
                                                                         "cooking", "Home cooking, one dish a week."))
    recipes = await creators.add_tier(content, hana_id, NewTier("Recipes", Money(4900, "KRW"), trial_days=7))
    live = await creators.add_tier(content, hana_id, NewTier("Live class", Money(300, "XTR")))
    await posts.publish(content, hana_id, PostDraft(
        KIMCHI, "묵은지와 돼지고기로 20분 만에 끓여요.\n\n재료: 묵은지 반 포기, 돼지고기 200 g.",
        access=Access(Audience.TIERS, (recipes.id,))))
    started = await billing.subscribe(content.billing, user_id=minji_id, offer_id=f"creator-{creator.org_id}",
                                      plan_id=live.monthly_plan_id, idempotency_key="web-chat-live")
    assert started.checkout is not None
    await billing.record_successful_payment(content.billing, SuccessfulPayment(
        user_id=minji_id, currency="XTR", total_amount=300, invoice_payload=started.checkout.checkout.payload,
        telegram_payment_charge_id="web-chat-charge", provider_payment_charge_id="web-chat-provider"))


@pytest.fixture
async def page(world: Jigap) -> AsyncIterator[Any]:
    executable = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield await browser.new_page(viewport={"width": 1100, "height": 900})
        finally:
            await browser.close()


async def _as(page: Any, name: str) -> None:
    await page.locator("#user-list li", has_text=name).click()


async def _say(page: Any, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Send").click()


@pytest.mark.browser
async def test_the_portal_a_locked_teaser_and_the_earnings_chart_in_the_web_chat(world: Jigap, page: Any) -> None:
    from playwright.async_api import expect

    hana = await world.started_user("Hana", "en")
    await world.started_user("Alex", "en")  # the reader who opens the portal
    minji = await world.started_user("Minji", "ko")
    await _hanas_kitchen(world, hana.id, minji.id)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(world.server.url + "/")  # once the people exist: the list shows them from the start

    await _as(page, "Alex")
    await _say(page, "/browse")
    home = page.locator(".row.in .bubble", has_text="Choose a board").last
    await expect(home).to_contain_text(f"• {KIMCHI} — Hana's Kitchen 🔒")
    await expect(page.get_by_role("button", name="Curators' picks").last).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "content-portal.png"))

    # A message's buttons sit under its bubble; the newest message's are the last of their name.
    await page.get_by_role("button", name="New", exact=True).last.click()
    await page.get_by_role("button", name=f"1. {KIMCHI}").last.click()
    teaser = page.locator(".row.in .bubble", has_text="The whole post is for subscribers.").last
    await expect(teaser).to_contain_text("묵은지와 돼지고기로 20분 만에 끓여요.")
    await expect(teaser).not_to_contain_text("재료")
    await expect(page.get_by_role("button", name="Subscribe from ₩4,900 a month").last).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "content-locked-teaser.png"))

    await _as(page, "Hana")
    await _say(page, "/earnings")
    chart = page.locator(".row.in .bubble", has_text="what you earned in Stars").last
    await expect(chart.locator("img")).to_be_visible(timeout=DRAWING_MS)
    width = await chart.locator("img").evaluate("image => image.complete ? image.naturalWidth : 0")
    assert width == 1200, "the chart image arrived whole"
    await expect(page.locator(".row.in .bubble", has_text="Net, yours").last).to_be_visible(timeout=DRAWING_MS)
    await chart.scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "content-earnings-chart.png"))
