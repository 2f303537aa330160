"""Jisoo makes a shelf "Jisoo's picks: weeknight dinners" with Hana's post and two others, and shares `shelf_<id>`.
Minji opens the shelf, then Hana's post, and subscribes to "Recipes" three days later. The ledger credits Jisoo's
curator share; `/curator` shows Jisoo one click, one conversion and what she earned. Through the sandbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sandbox.client import BotMessage, SandboxUser
from storage.content.tables import content_conversions
from subscriptions.billing import services as billing
from subscriptions.content.posts import Access, Audience
from subscriptions.content.services import creators, posts
from subscriptions.content.services import shelves as shelf_service
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.content.services.posts import PostDraft
from subscriptions.ledger import curator_account
from subscriptions.money import Money
from tests.billing.steps import receipt_and_reply, subscriptions_of
from tests.content.steps import SHELF_TITLE as TITLE
from tests.content.steps import fanned_out, make_shelf, next_invoice
from tests.harness import Jigap


async def _posts(world: Jigap, hana: SandboxUser, alex: SandboxUser) -> list[str]:
    """Hana's Kitchen with "Recipes" (₩4,900 a month, a 7-day trial) and a post for its subscribers; two posts of
    Alex's open to everyone."""
    content = world.services.content
    await creators.create_creator(content, hana.id, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    recipes = await creators.add_tier(content, hana.id, NewTier("Recipes", Money(4900, "KRW"), trial_days=7))
    kimchi = await posts.publish(content, hana.id, PostDraft(
        "김치찌개 20분 레시피", "돼지고기와 묵은지로 끓여요.\n\n재료부터 볼게요.",
        access=Access(Audience.TIERS, (recipes.id,))))
    await creators.create_creator(content, alex.id, NewCreator("Alex's Table", "alextable", "cooking", ""))
    others = [await posts.publish(content, alex.id, PostDraft(title, "Quick and easy.")) for title in
              ("Fried rice", "Miso soup")]
    return [kimchi.id, *(post.id for post in others)]


async def _opened_from_shelf(minji: SandboxUser, shelf_id: str) -> BotMessage:
    shelf = await minji.open_link(f"shelf_{shelf_id}")
    lines = shelf.text.splitlines()
    assert lines[:4] == [f"📚 {TITLE}", "A shelf by Jisoo", "", "Dinners in 30 minutes or less."]
    assert lines[5:] == ["1. 김치찌개 20분 레시피 · Hana's Kitchen", "2. Fried rice · Alex's Table",
                         "3. Miso soup · Alex's Table"]
    assert shelf.buttons[-1] == "Share"
    await minji.press("1. 김치찌개 20분 레시피", shelf)
    teaser = await minji.next_message()
    assert teaser.text.startswith("김치찌개 20분 레시피\nHana's Kitchen")
    assert "🔒 The whole post is for subscribers." in teaser.text
    return teaser


async def test_jisoos_shelf_brings_minji_to_recipes_and_jisoo_earns_the_curators_share(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")
    jisoo = await world.started_user("Jisoo", "en")
    minji = await world.started_user("Minji", "en")
    post_ids = await _posts(world, hana, alex)
    await fanned_out(world)
    shelf_id = await make_shelf(world, jisoo, post_ids)

    teaser = await _opened_from_shelf(minji, shelf_id)
    world.advance(days=3)
    await minji.press("Subscribe from ₩4,900 a month", teaser)
    plans = await minji.wait_for_edit(teaser)
    await minji.press("Subscribe: Recipes", plans)
    started = await minji.next_message()
    assert started.text.startswith("Your free trial has started.")
    (sub,) = await subscriptions_of(world, minji)
    assert sub.curator_id == jisoo.id
    await world.deliver()
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(content_conversions))).all()
    assert [(row.curator_id, row.shelf_id, row.user_id, row.kind, row.reference) for row in rows] == [
        (jisoo.id, shelf_id, minji.id, "subscription", sub.id)]

    # The trial ends; Minji pays the first month and the ledger books Jisoo's 5%.
    world.clock.set(sub.paid_through - timedelta(days=3))
    await world.tick()
    invoice = await next_invoice(minji)
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 4900
    assert (await minji.pay(invoice)).paid
    await receipt_and_reply(minji)
    statement = await billing.account_statement(world.services.billing, account=curator_account(jisoo.id),
                                                currency="KRW")
    assert statement.closing == Money(245, "KRW")

    report = await jisoo.send("/curator")
    assert report.text.splitlines() == [
        "Your shelves as a curator", "",
        f"{TITLE}: 1 clicks, 1 conversions in 30 days, 1 in all", "",
        "1 click in all", "Conversions: 1 in the last 30 days, 1 in all", "Earned: ₩245"]
    chart = await jisoo.next_message(timeout=30)  # matplotlib is imported for the first chart
    assert chart.photo and chart.text == "Conversions and earnings per week"
    assert (await world.file_bytes(chart)).startswith(b"\x89PNG")

    sources = await hana.send("/subscribers")
    assert sources.text.splitlines()[-2:] == ["Where subscribers came from:",
                                              f"{TITLE} by Jisoo: 1 conversion"]


async def test_after_eight_days_the_shelf_credits_nobody(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")
    jisoo = await world.started_user("Jisoo", "en")
    minji = await world.started_user("Minji", "en")
    post_ids = await _posts(world, hana, alex)
    await fanned_out(world)
    shelf_id = await make_shelf(world, jisoo, post_ids)
    teaser = await _opened_from_shelf(minji, shelf_id)
    world.advance(days=8)
    await minji.press("Subscribe from ₩4,900 a month", teaser)
    plans = await minji.wait_for_edit(teaser)
    await minji.press("Subscribe: Recipes", plans)
    await minji.next_message()
    (sub,) = await subscriptions_of(world, minji)
    assert sub.curator_id is None
    await world.deliver()
    assert await world.count(content_conversions) == 0


async def test_a_forged_shelf_button_from_someone_else_is_refused(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")
    jisoo = await world.started_user("Jisoo", "en")
    post_ids = await _posts(world, hana, alex)
    await fanned_out(world)
    shelf_id = await make_shelf(world, jisoo, post_ids)
    start = await alex.send("/help")
    for data in (f"cshe:r:{shelf_id}:{post_ids[0]}", f"cshe:xs:{shelf_id}", f"cshput:{shelf_id}:{post_ids[0]}"):
        answer = await world.forge_press(alex, start, data)
        assert answer is not None and answer.text == "Only the curator can change this shelf."
    page = await shelf_service.shelf_page(world.services.content, shelf_id, 0)
    assert [entry.post.id for entry in page.entries] == post_ids
    gone = await world.forge_press(alex, start, "cshv:nosuchshelf")
    assert gone is not None and gone.text == "This shelf is not available."
