"""The story "Creators and curators", step by step through the sandbox, on SQLite and on PostgreSQL, on top of the
demo portal a fresh sandbox opens on (so every list has more than one page):

1. Hana makes "Hana's Kitchen" with /create and two tiers in the chat.
2. She writes a post with three photos for "Recipes" and schedules it for 07:00 tomorrow: at 07:00 a following
   subscriber gets the whole post; a follower without access gets its teaser when his quiet hours end. She sells a second post alone for ₩1,000.
3. Alex opens Content from the main menu: the home, "New" paged with ◀ ▶, "Popular this week"; /search 김치 finds
   Hana's post, which opens as a teaser with Subscribe, and the post sold alone with Unlock.
4. Jisoo shelves it with two others; Minji opens the shelf, then the post, and subscribes three days later: the
   ledger credits Jisoo's share and /curator shows one click, one conversion and the earnings.
5. Minji tips Hana ⭐50 with "감사합니다!"; Hana thanks her in one tap.
6. Hana's /earnings draws the last 12 months by source.
7. Alex reports the post, a platform admin takes it down: it leaves the portal, search and the shelf, and Minji,
   a subscriber, sees that it was removed.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from bot.config import load_config
from bot.delivery.fanout import publish_due
from bot.demo import load_demo_offers, load_demo_organisations, load_demo_portal
from bot.scheduler import FANOUT
from sandbox.client import BotMessage, SandboxUser
from storage.content.tables import content_conversions
from subscriptions.accounts import preferences
from subscriptions.billing import services as billing
from subscriptions.clock import FixedClock
from subscriptions.content.posts import PostStatus
from subscriptions.content.services import portal, posts, shelves
from subscriptions.ledger import curator_account
from subscriptions.money import Money
from tests.billing.steps import receipt_and_reply, subscriptions_of
from tests.content.steps import (
    SHELF_TITLE,
    add_tiers,
    answer_after_press,
    become_hana,
    fanned_out,
    make_shelf,
    message_with,
    next_invoice,
    photo,
)
from tests.harness import Jigap, jigap_on, sandbox_running

KIMCHI = "김치찌개 20분 레시피"
KIMCHI_BODY = "묵은지와 돼지고기로 20분 만에 끓여요.\n\n재료: 묵은지 반 포기, 돼지고기 200 g, 두부 반 모."
SOLD_ALONE = "Gochujang secrets"
DRAWING = 60.0  # the first chart of a process imports matplotlib and loads its fonts


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[Jigap]:
    """jigap and the sandbox on one fixed clock, on each backend, with the demo portal loaded."""
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        await load_demo_organisations(jigap.services)
        await load_demo_offers(jigap.services)
        owner = await jigap.started_user("지훈", username="daily_hanja")
        cook = await jigap.started_user("유진", username="jipbap")
        assert await load_demo_portal(jigap.services, {"daily_hanja": owner.id, "jipbap": cook.id}) == 35
        yield jigap


async def hana_schedules_the_kimchi_post(world: Jigap, hana: SandboxUser) -> None:
    """Step 2, the composer: title, body, three photos, for Recipes' subscribers, previewed, at 07:00 tomorrow."""
    await hana.send("/post")
    await hana.send(KIMCHI)
    added = await hana.send(KIMCHI_BODY)
    for colour in ((200, 30, 30), (30, 200, 30), (30, 30, 200)):
        added = await hana.send_photo(photo(colour))
    assert added.text.endswith("In the post: 3 photos, 0 files.")
    audience = await answer_after_press(hana, "Done", added)
    tiers = await answer_after_press(hana, "Subscribers of chosen tiers", audience)
    await hana.press("Recipes", tiers)
    await hana.press("Done", await hana.wait_for_edit(tiers))
    heading, *album = await hana.next_messages(4)
    assert heading.text.startswith("Preview, as readers will see it.") and len(album) == 3
    preview = await hana.next_message()
    assert preview.text.splitlines()[0] == KIMCHI
    schedule = await answer_after_press(hana, "Schedule", preview)
    assert schedule.text.startswith("When should it go out? Your time zone is Asia/Seoul.")
    done = await hana.send("tomorrow 07:00")
    assert done.text == f"Scheduled: “{KIMCHI}” goes out at Nov 26 07:00 (your time)."
    await hana.next_message()  # the blurred cover readers without access will see


async def yuna_subscribes_and_alex_follows(world: Jigap, yuna: SandboxUser, alex: SandboxUser) -> None:
    """Before 07:00: Yuna, who has no quiet hours, follows the page and starts the Recipes trial; Alex only
    follows."""
    await preferences.set_quiet_hours(world.services.accounts, yuna.id, None)
    cover = await yuna.open_link("c_hanaskitchen")
    assert cover.photo and cover.text == "Hana's Kitchen"  # the page's photo comes first
    page = await yuna.next_message()
    assert page.text.startswith("Hana's Kitchen · @hanaskitchen\nCooking")
    assert "• Recipes: ₩4,900 a month · 7 days free" in page.text
    answer = await yuna.press("Follow", page)
    assert answer is not None and answer.text == "You follow Hana's Kitchen now."
    await yuna.press("Subscribe: Recipes", page)
    assert (await message_with(yuna, "free trial")).text.startswith("Your free trial has started.")
    await alex.open_link("c_hanaskitchen")
    alex_page = await alex.next_message()
    await alex.press("Follow", alex_page)
    assert "Unfollow" in (await alex.wait_for_edit(alex_page)).buttons


async def at_seven_the_post_goes_out(world: Jigap, hana: SandboxUser, yuna: SandboxUser, alex: SandboxUser) -> str:
    world.advance(hours=18, minutes=59)
    assert await publish_due(world.services, world.application.bot_data[FANOUT]) == 0
    world.advance(minutes=1)
    assert await publish_due(world.services, world.application.bot_data[FANOUT]) == 1
    await world.services.events.drain()
    world.services.delivery.wake()
    whole = await message_with(yuna, KIMCHI)
    assert "재료: 묵은지 반 포기" in whole.text and whole.protected
    # Alex keeps the default quiet hours (22:00-08:00): his copy waits for eight.
    world.advance(hours=1)
    await world.deliver()
    teaser = await message_with(alex, KIMCHI)
    assert "묵은지와 돼지고기로 20분 만에 끓여요." in teaser.text and "재료" not in teaser.text
    assert "Subscribe from ₩4,900 a month" in teaser.buttons and not teaser.protected
    (post,) = [found for found in (await posts.posts_of(world.services.content, hana.id, page=0))[0]
               if found.title == KIMCHI]
    assert post.status is PostStatus.PUBLISHED
    return post.id


async def hana_sells_a_post_alone(hana: SandboxUser) -> None:
    await hana.send("/post")
    await hana.send(SOLD_ALONE)
    added = await hana.send("Three things nobody tells you.\n\nOne: toast the chili first.")
    audience = await answer_after_press(hana, "Done", added)
    price = await answer_after_press(hana, "Sold on its own", audience)
    stars = await hana.send("1,000")
    also = await answer_after_press(hana, "Skip", stars)
    assert also.text.startswith("Should subscribers of some tiers read it without buying it?")
    await hana.press("Done", also)  # no: only buyers read it
    heading = await hana.next_message()
    assert heading.text.startswith("Preview, as readers will see it. Sold on its own for ₩1,000")
    await hana.press("Publish now", await hana.next_message())
    assert (await message_with(hana, "Published")).text == f"Published: “{SOLD_ALONE}”."
    assert price.text.startswith("The price in won")


async def alex_browses_the_portal(alex: SandboxUser) -> BotMessage:
    """Step 3: Content from the main menu, New with ◀ ▶, Popular this week, the Cooking board, /search 김치."""
    greeting = await alex.send("/start")
    assert "Content" in greeting.buttons
    await alex.press("Content", greeting)
    home = await alex.next_message()
    lines = home.text.splitlines()
    assert lines[:3] == ["Content", "", "Choose a board, or see what is new and popular."]
    new_at = lines.index("New:")
    assert lines[new_at + 1:new_at + 3] == [f"• {SOLD_ALONE} — Hana's Kitchen 🔒", f"• {KIMCHI} — Hana's Kitchen 🔒"]
    assert {"Cooking", "New", "Popular this week", "Creators to follow", "Curators' picks"} <= set(home.buttons)

    await alex.press("New", home)
    new = await alex.wait_for_edit(home, containing="1. ")
    assert new.text.splitlines()[:4] == ["New", "", f"1. {SOLD_ALONE} — Hana's Kitchen 🔒",
                                         f"2. {KIMCHI} — Hana's Kitchen 🔒"]
    assert len([line for line in new.text.splitlines() if line[:1].isdigit()]) == 10
    assert "▶" in new.buttons and "◀" not in new.buttons
    await alex.press("▶", new)
    second = await alex.wait_for_edit(new, containing="page 2")
    assert second.text.splitlines()[0] == "New · page 2" and second.text.splitlines()[2].startswith("11. ")
    assert "◀" in second.buttons
    await alex.press("Back to home", second)
    home = await alex.wait_for_edit(second, containing="Choose a board")
    await alex.press("Popular this week", home)
    popular = await alex.wait_for_edit(home, containing="Popular this week")
    assert popular.text.splitlines()[2].startswith("1. ")
    await alex.press("Back to home", popular)
    home = await alex.wait_for_edit(popular, containing="Choose a board")
    await alex.press("Cooking", home)
    board = await alex.wait_for_edit(home, containing="1. ")
    assert f"{KIMCHI} — Hana's Kitchen 🔒" in board.text and "Daily Hanja" not in board.text

    found = await alex.send("/search 김치")
    assert found.text.splitlines()[0] == "Results for “김치”"
    hit = next(label for label in found.buttons if label.endswith(KIMCHI))
    await alex.press(hit, found)
    teaser = await message_with(alex, f"{KIMCHI}\nHana's Kitchen")
    assert "재료" not in teaser.text
    assert "🔒 The whole post is for subscribers." in teaser.text
    assert "Subscribe from ₩4,900 a month" in teaser.buttons and "Report" in teaser.buttons

    sold = await alex.send(f"/search {SOLD_ALONE}")
    await alex.press(next(label for label in sold.buttons if label.endswith(SOLD_ALONE)), sold)
    alone = await message_with(alex, f"{SOLD_ALONE}\nHana's Kitchen")
    assert "Unlock for ₩1,000" in alone.buttons and "toast the chili" not in alone.text
    return teaser


async def minji_arrives_from_the_shelf_and_subscribes(world: Jigap, minji: SandboxUser, jisoo: SandboxUser,
                                                      shelf_id: str) -> None:
    """Step 4, in Korean: the shelf, the post's teaser, Subscribe three days later; then the first payment."""
    shelf = await minji.open_link(f"shelf_{shelf_id}")
    lines = shelf.text.splitlines()
    assert lines[:2] == [f"📚 {SHELF_TITLE}", "Jisoo 님의 서재"]
    assert f"1. {KIMCHI} · Hana's Kitchen" in lines
    await minji.press(f"1. {KIMCHI}", shelf)
    teaser = await message_with(minji, "🔒")
    assert "🔒 전체 내용은 구독자만 볼 수 있어요." in teaser.text
    world.advance(days=3)
    await minji.press("월 ₩4,900부터 구독하기", teaser)
    plans = await minji.wait_for_edit(teaser)
    await minji.press("구독하기: Recipes", plans)
    assert (await message_with(minji, "무료 체험")).text.startswith("무료 체험이 시작됐어요.")
    subscription = next(sub for sub in await subscriptions_of(world, minji) if sub.curator_id is not None)
    assert subscription.curator_id == jisoo.id
    await world.deliver()
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(content_conversions))).all()
    assert [(row.curator_id, row.shelf_id, row.user_id, row.kind) for row in rows] == [
        (jisoo.id, shelf_id, minji.id, "subscription")]

    assert isinstance(world.clock, FixedClock)
    world.clock.set(subscription.paid_through - timedelta(days=3))
    await world.tick()
    invoice = await next_invoice(minji)
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 4900
    assert (await minji.pay(invoice)).paid
    await receipt_and_reply(minji)
    statement = await billing.account_statement(world.services.billing, account=curator_account(jisoo.id),
                                                currency="KRW")
    assert statement.closing == Money(245, "KRW")  # 5% of ₩4,900
    report = await jisoo.send("/curator")
    assert report.text.splitlines()[2:] == [
        f"{SHELF_TITLE}: 1 clicks, 1 conversions in 30 days, 1 in all", "",
        "1 click in all", "Conversions: 1 in the last 30 days, 1 in all", "Earned: ₩245"]
    chart = await jisoo.next_message(timeout=DRAWING)
    assert chart.photo and (await world.file_bytes(chart)).startswith(b"\x89PNG")


async def minji_tips_and_hana_thanks(world: Jigap, minji: SandboxUser, hana: SandboxUser, post_id: str) -> None:
    """Step 5: Minji, now a subscriber, reads the whole post and tips from it."""
    album = [await minji.open_link(f"post_{post_id}"), *await minji.next_messages(2)]
    assert all(picture.photo and picture.protected for picture in album)
    whole = await minji.next_message()
    assert "재료: 묵은지 반 포기" in whole.text and whole.protected
    await minji.press("후원", whole)
    amounts = await minji.next_message()
    assert amounts.text == "Hana's Kitchen 님에게 후원할 금액을 골라 주세요."
    await minji.press("⭐ 50 스타", amounts)
    await minji.wait_for_edit(amounts)
    await minji.say("감사합니다!")
    paid = await minji.pay(await minji.next_message())
    assert paid.paid
    await world.deliver()
    notice = await message_with(hana, "tipped you")
    assert notice.text == "Minji tipped you ⭐ 50 Stars.\n“감사합니다!”"
    await hana.press("Say thank you", notice)
    thanked = await message_with(minji, "고마워하고")
    assert thanked.text == "Hana's Kitchen 님이 후원에 고마워하고 있어요!"


async def hana_sees_her_earnings(world: Jigap, hana: SandboxUser) -> None:
    """Step 6: a chart per currency she was paid in (won for Recipes, Stars for the tip), then the text."""
    first = await hana.send("/earnings", timeout=DRAWING)
    charts = [first]
    while charts[-1].photo:
        charts.append(await hana.next_message(timeout=DRAWING))
    *pictures, text = charts
    assert [picture.text.split(" each month")[0] for picture in pictures] == [
        "Hana's Kitchen: what you earned in KRW", "Hana's Kitchen: what you earned in Stars"]
    image = Image.open(io.BytesIO(await world.file_bytes(pictures[0])))
    assert image.format == "PNG" and image.size == (1200, 800)
    assert text.text.splitlines()[0] == "Hana's Kitchen"


async def the_post_is_reported_and_taken_down(world: Jigap, alex: SandboxUser, minji: SandboxUser,
                                              teaser: BotMessage, post_id: str, shelf_id: str) -> None:
    """Step 7: reported from the teaser Alex opened, taken down by an admin in the chat."""
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    await alex.press("Report", teaser)
    reasons = await alex.next_message()
    await alex.press("Spam or advertising", reasons)
    assert (await alex.wait_for_edit(reasons)).text == "Thank you. The platform's admins will look at this post."
    queue = await admin.send("/reports")
    assert queue.text.splitlines()[1] == f"1. {KIMCHI} (Hana's Kitchen): Spam or advertising 1"
    await admin.press(f"1. {KIMCHI}", queue)
    shown = await admin.next_message()
    await admin.press("Take down", shown)
    done = await admin.wait_for_edit(shown)
    assert done.text == f"Taken down: “{KIMCHI}”. It has left the portal, search and shelves."

    found = await alex.send("/search 김치")
    assert KIMCHI not in found.text
    content = world.services.content
    assert post_id not in [item.id for item in (await portal.listing(content, portal.Listing.NEW, 0)).items]
    shelf = await shelves.shelf_page(content, shelf_id, 0)
    assert post_id not in [entry.post.id for entry in shelf.entries]
    removed = await minji.open_link(f"post_{post_id}")
    assert removed.text.splitlines()[-1] == "삭제된 게시물이에요."


async def test_the_story_of_creators_and_curators(world: Jigap) -> None:
    hana, alex = await become_hana(world)  # step 1 (Alex, a reader, has a page of his own too)
    await add_tiers(world, hana, await hana.send("/create"))
    yuna = await world.started_user("Yuna", "en")
    jisoo = await world.started_user("Jisoo", "en")
    minji = await world.started_user("Minji", "ko")

    await hana_schedules_the_kimchi_post(world, hana)  # step 2
    await yuna_subscribes_and_alex_follows(world, yuna, alex)
    kimchi_id = await at_seven_the_post_goes_out(world, hana, yuna, alex)
    await hana_sells_a_post_alone(hana)
    await fanned_out(world)
    delivered = await message_with(alex, SOLD_ALONE)  # Alex follows Hana: it reaches him too, locked
    assert "Unlock for ₩1,000" in delivered.buttons and "toast the chili" not in delivered.text

    teaser = await alex_browses_the_portal(alex)  # step 3

    content = world.services.content  # step 4
    sold_id = next(item.id for item in (await portal.listing(content, portal.Listing.NEW, 0)).items
                   if item.title == SOLD_ALONE)
    jipbap = (await portal.listing(content, portal.Listing.SEARCH, 0, key="김치찌개 끓이는 법")).items[0]
    shelf_id = await make_shelf(world, jisoo, [kimchi_id, sold_id, jipbap.id])
    home = await alex.send("/browse")
    await alex.press("Curators' picks", home)
    picks = await alex.wait_for_edit(home)
    assert picks.text.splitlines() == ["Curators' picks:", f"1. {SHELF_TITLE} · Jisoo"]
    assert picks.buttons[-1] == "Back to home"
    await minji_arrives_from_the_shelf_and_subscribes(world, minji, jisoo, shelf_id)

    await minji_tips_and_hana_thanks(world, minji, hana, kimchi_id)  # step 5
    await hana_sees_her_earnings(world, hana)  # step 6
    await the_post_is_reported_and_taken_down(world, alex, minji, teaser, kimchi_id, shelf_id)  # step 7
