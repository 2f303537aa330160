"""The Stats section in the sandbox's web chat, in a real Chromium: a platform admin opens /admin, then Stats, then
the revenue chart, and sees the chart's picture; the chart element is screenshotted into test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from subscriptions.ledger import Party, payment_transaction
from subscriptions.money import Money
from tests.harness import Jigap
from tests.sandbox.test_web_chat import ARTIFACTS, CHROMIUM_ARGS, chromium_path

DRAWING_MS = 60_000  # the first chart of a process imports matplotlib


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


@pytest.mark.browser
async def test_a_platform_admin_sees_the_revenue_chart_in_the_web_chat(world: Jigap, page: Any) -> None:
    from playwright.async_api import expect

    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    async with world.services.uow() as uow:
        await uow.ledger.append(payment_transaction(
            transaction_id="tx1", payment_id="pay1", provider="card", amount=Money(45_000, "KRW"),
            split={Party.MERCHANT: Money(45_000, "KRW")}, merchant_id="shop", curator_id=None,
            at=world.clock.now() - timedelta(days=2), description="test payment"))
        await uow.commit()
    await world.services.stats.roll_up()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(world.server.url + "/")
    await page.locator("#user-list li", has_text="Admin").click()
    await page.get_by_label("Message").fill("/admin")
    await page.get_by_role("button", name="Send").click()
    await page.get_by_role("button", name="Stats", exact=True).last.click()
    await page.get_by_role("button", name="Revenue", exact=True).last.click()

    chart = page.locator(".row.in .bubble", has_text="Revenue (KRW) · last 30 days").last
    await expect(chart.locator("img")).to_be_visible(timeout=DRAWING_MS)
    await expect(chart).to_contain_text("KRW: ₩45,000")
    width = await chart.locator("img").evaluate("image => image.complete ? image.naturalWidth : 0")
    assert width == 1200, "the chart image arrived whole"
    await chart.scroll_into_view_if_needed()
    shot = await chart.locator("img").screenshot(path=str(ARTIFACTS / "admin-stats-revenue.png"))
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
