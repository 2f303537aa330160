"""Merchants manage their offers in the chat: /offers with Archive buttons, /price; everyone else is refused."""

from __future__ import annotations

import time

import pytest

from subscriptions.billing import services as billing
from subscriptions.money import Money
from tests.harness import Jigap


async def test_the_cafe_owner_archives_a_plan_and_changes_a_price_in_the_chat(world: Jigap) -> None:
    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    listing = await sora.send("/offers")
    assert listing.text.splitlines()[0] == "Cafe Onda monthly pass (onda-pass)"
    assert listing.buttons == ["Archive: 20 Americanos", "Archive: 40 Americanos"]
    help_line = await sora.next_message()
    assert help_line.text.startswith("To change a price: /price OFFER PLAN AMOUNT")
    answer = await sora.press("Archive: 40 Americanos", listing)
    assert answer is not None and answer.text == "Archived. Existing subscribers keep their plan."
    edited = await sora.wait_for_edit(listing)
    assert "americano40: 40 Americanos: ₩80,000 / month · archived" in edited.text
    assert edited.buttons == ["Archive: 20 Americanos"]
    changed = await sora.send("/price onda-pass americano20 50,000")
    assert changed.text == "New price for 20 Americanos: ₩50,000, from each subscriber's next period."
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None and offer.plan("americano20").price == Money(50000, "KRW")
    assert offer.plan("americano40").status.value == "archived"


async def test_someone_else_cannot_manage_the_cafes_offers_even_with_forged_buttons(world: Jigap) -> None:
    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    teacher = await world.started_user("Teacher", "en")
    await world.grant(teacher, "creator", "daily-hanja")
    own = await teacher.send("/offers")
    assert own.text.splitlines()[0] == "Daily Hanja membership (hanja-club)"
    forged = await world.forge_press(teacher, own, "off:a:onda-pass:americano20")
    assert forged is not None and forged.text == "Sorry, only a shop's or creator's own people can manage its offers."
    refused = await teacher.send("/price onda-pass americano20 1")
    assert refused.text == "Sorry, only a shop's or creator's own people can manage its offers."
    alex = await world.started_user("Alex", "en")
    assert (await alex.send("/offers")).text == "Sorry, only a shop's or creator's own people can manage its offers."
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None and offer.plan("americano20").price == Money(45000, "KRW")
    assert offer.plan("americano20").status.value == "active"


@pytest.mark.parametrize("typed", ["1e999999", "1e999999999999", "9" * 20, "²", "-5", "45.5", "4,5000"])
async def test_a_price_that_is_no_amount_is_answered_at_once_and_the_price_stays(world: Jigap, typed: str) -> None:
    sora = await world.started_user("Sora", "en")
    await world.grant(sora, "shop_owner", "cafe-onda")
    started = time.perf_counter()
    refused = await sora.send(f"/price onda-pass americano20 {typed}")
    assert time.perf_counter() - started < 2
    assert refused.text == f"{typed} is not a price: write it in digits, like 45000."
    offer = await billing.offer(world.services.billing, "onda-pass")
    assert offer is not None and offer.plan("americano20").price == Money(45000, "KRW")
