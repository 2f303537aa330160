"""Hana becomes a creator in the chat (/create), sets two tiers, composes a locked post with three photos and bold
text, previews it exactly as readers will see it and schedules it for 07:00 tomorrow; she sells a second post on
its own. Every refusal leaves the flow on its step, and nobody else can touch her posts, whatever they forge.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.config import load_config
from handlers.content.views import render
from storage.content.tables import content_posts
from subscriptions.accounts.access import Role
from subscriptions.clock import FixedClock
from subscriptions.content.errors import PostNotFound
from subscriptions.content.posts import Audience, PostStatus
from subscriptions.content.services import creators, posts
from subscriptions.content.services.posts import Reading, Why
from subscriptions.money import Money
from tests.content.steps import add_tiers, answer_after_press, become_hana, fanned_out, message_with, photo
from tests.harness import BOT_USERNAME, Jigap, jigap_on, sandbox_running

TOMORROW_0700_SEOUL = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # the clock says 2026-11-25 12:00 in Seoul
RECIPE = "Kimchi takes a day.\n\nSalt the cabbage overnight, then rinse it three times."


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str) -> AsyncIterator[Jigap]:
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600))
    async with (
        sandbox_running(clock=clock) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        yield jigap


async def teaser_photo(world: Jigap, post_id: str) -> str | None:
    """The post's cover, once the bot has recorded it (it does so just after sending it)."""
    for _ in range(50):
        found = (await posts.get_post(world.services.content, post_id)).teaser_photo
        if found:
            return found
        await asyncio.sleep(0.1)
    return None


def reader_view(world: Jigap, reading: Reading, timezone: str) -> tuple[str, list[dict[str, object]]]:
    tr = world.services.translations.get("en")
    view = render(reading, tr, timezone=timezone, now=world.clock.now(), bot_username=BOT_USERNAME)
    return view.text, [{**entity.to_dict(), "type": str(entity.type)} for entity in view.entities]


async def test_hana_creates_her_page_sets_tiers_and_schedules_a_locked_post(world: Jigap) -> None:
    hana, alex = await become_hana(world)
    content = world.services.content
    creator = await creators.creator_by_handle(content, "hanaskitchen")
    assert (creator.name, creator.category, creator.description) == ("Hana's Kitchen", "cooking",
                                                                      "Home cooking, one dish a week.")
    assert creator.photo_file_id
    async with world.services.uow() as uow:
        grants = await uow.roles.of_user(hana.id)
    assert [(grant.role, grant.org_id) for grant in grants] == [(Role.CREATOR.value, creator.org_id)]

    again = await hana.send("/create")
    assert again.text.startswith("Your creator page. What would you like to change?")
    await add_tiers(world, hana, again)

    # The post: a title with markup (shown as typed), a bold body, three photos, for Recipes' subscribers.
    title = await hana.send("/post")
    assert title.text == "The title of your post? (Plain text, up to 200 characters)"
    assert (await hana.send("x" * 201)).text == "A title is 1 to 200 characters. Please send a shorter one."
    body = await hana.send("<b>Kimchi</b> at home")
    assert body.text.startswith("Now the text of the post.")
    media = await hana.send(RECIPE, entities=[{"type": "bold", "offset": 0, "length": 6}])
    assert media.text.startswith("Send photos (up to 10)")
    for colour in ((250, 0, 0), (0, 250, 0), (0, 0, 250)):
        added = await hana.send_photo(photo(colour))
    assert added.text.endswith("In the post: 3 photos, 0 files.")
    refused = await hana.send_document(b"MZ", "setup.exe", mime_type="application/x-msdownload")
    assert refused.text.startswith("This kind of file cannot go in a post.")
    audience = await answer_after_press(hana, "Done", added)
    assert audience.buttons[:3] == ["Everyone", "Subscribers of chosen tiers", "Sold on its own"]
    tiers = await answer_after_press(hana, "Subscribers of chosen tiers", audience)
    assert tiers.buttons[:2] == ["Recipes", "Live class"]
    refused_answer = await hana.press("Done", tiers)
    assert refused_answer is not None and refused_answer.text == "Please choose at least one of your tiers."
    await hana.press("Recipes", tiers)
    chosen = await hana.wait_for_edit(tiers)
    assert chosen.buttons[:2] == ["✅ Recipes", "Live class"]
    await hana.press("Done", chosen)
    heading, *album = await hana.next_messages(4)
    assert heading.text == ("Preview, as readers will see it. Subscribers of the chosen tiers may read it; "
                            "others see its first paragraph.")
    assert [bool(m.photo) for m in album] == [True, True, True] and len({m.media_group_id for m in album}) == 1
    preview = await hana.next_message()
    assert preview.buttons == ["Publish now", "Schedule", "Edit again", "Cancel"]
    assert preview.text.splitlines()[0] == "<b>Kimchi</b> at home"

    schedule = await answer_after_press(hana, "Schedule", preview)
    assert schedule.text.startswith("When should it go out? Your time zone is Asia/Seoul.")
    past = await hana.send("2026-01-05 07:00")
    assert past.text == "Please choose a time in the future, within a year."
    assert (await hana.send("at dawn")).text == "Please write a time like 07:00, tomorrow 07:00 or 2026-12-03 07:00."
    assert await world.count(content_posts) == 0
    done = await hana.send("tomorrow 07:00")
    assert done.text == "Scheduled: “<b>Kimchi</b> at home” goes out at Nov 26 07:00 (your time)."
    cover = await hana.next_message()
    assert cover.photo and cover.text.startswith("Readers who may not read the whole post see this cover")

    (stored,), _ = await posts.posts_of(content, hana.id, page=0)
    assert (stored.status, stored.publish_at, stored.title) == (PostStatus.SCHEDULED, TOMORROW_0700_SEOUL,
                                                                "<b>Kimchi</b> at home")
    assert stored.access.audience is Audience.TIERS and len(stored.photos) == 3
    assert [(e.type, e.offset, e.length) for e in stored.entities] == [("bold", 0, 6)]
    assert await teaser_photo(world, stored.id) == cover.photo[-1]["file_id"]
    blurred = Image.open(io.BytesIO(await world.file_bytes(cover))).convert("RGB")
    assert blurred.getpixel((0, 0)) != (250, 0, 0) or blurred.size != (64, 48)

    # At 07:00 it is out; a subscriber reads exactly what the preview showed (the byline's day aside).
    world.advance(hours=18, minutes=59)
    assert await posts.publish_due(content) == []
    world.advance(minutes=1)
    await posts.publish_due(content)
    out = await posts.get_post(content, stored.id)
    assert (out.status, out.published_at) == (PostStatus.PUBLISHED, TOMORROW_0700_SEOUL)
    text, entities = reader_view(world, Reading(out, creator, Why.SUBSCRIBER, ()), "Asia/Seoul")
    shown = preview.text.splitlines()
    assert text.splitlines()[0] == shown[0] and text.splitlines()[2:] == shown[2:]
    assert (text.splitlines()[1], shown[1]) == ("Hana's Kitchen · Nov 26", "Hana's Kitchen · Nov 25")
    assert entities == preview.raw["entities"]


async def test_a_post_sold_alone_publishes_once_and_reads_as_previewed(world: Jigap) -> None:
    hana, alex = await become_hana(world)
    content = world.services.content
    await hana.send("/post")
    await hana.send("Gochujang secrets")
    added = await hana.send("Three things nobody tells you.", entities=[{"type": "italic", "offset": 0, "length": 5}])
    audience = await answer_after_press(hana, "Done", added)
    price = await answer_after_press(hana, "Sold on its own", audience)
    assert price.text == "The price in won (like 1000), or Skip to sell it for Stars only."
    stars = await hana.send("1,000")
    assert stars.text == "The price in Stars (1 to 10,000), or Skip."
    assert (await hana.send("0")).text == "Please give a price: won above 0, or 1 to 10,000 Stars."
    await hana.press("Skip", stars)
    heading = await hana.next_message()
    assert heading.text == ("Preview, as readers will see it. Sold on its own for ₩1,000; others see its first "
                            "paragraph.")
    preview = await hana.next_message()

    await hana.press("Publish now", preview)
    # The fan-out's progress message may come first: the post goes out to followers in the background.
    published = next(m for m in await hana.next_messages(2) if m.text.startswith("Published"))
    assert published.text == "Published: “Gochujang secrets”."
    second = await hana.press("Publish now", preview)  # a double tap
    assert second is not None and second.text.startswith("This step is already done")
    (post,), _ = await posts.posts_of(content, hana.id, page=0)
    assert post.status is PostStatus.PUBLISHED and post.access.prices == (Money(1000, "KRW"),)
    assert post.access.audience is Audience.PAID and post.teaser_photo is None  # no photos: no cover
    creator = await creators.creator_by_handle(content, "hanaskitchen")
    text, entities = reader_view(world, Reading(post, creator, Why.BOUGHT, ()), "Asia/Seoul")
    assert (text, entities) == (preview.text, preview.raw["entities"])


async def test_hana_manages_her_posts_and_nobody_else_can(world: Jigap) -> None:
    hana, alex = await become_hana(world)
    content = world.services.content
    await hana.send("/post")
    await hana.send("Rice, properly")
    media = await hana.send("Rinse until the water runs clear.")
    audience = await answer_after_press(hana, "Done", media)
    await hana.press("Everyone", audience)
    await hana.next_message()
    await hana.press("Publish now", await hana.next_message())
    await message_with(hana, "Published")  # the fan-out's progress message may come before or after it
    await fanned_out(world)
    (post,), _ = await posts.posts_of(content, hana.id, page=0)

    # Mallory is no creator: the permission refuses. Alex has a page of his own, and the post is still not his.
    mallory = await world.started_user("Mallory", "en")
    refused = await world.forge_press(mallory, await mallory.send("/help"), f"cmine:d:{post.id}")
    assert refused is not None and refused.text == "Sorry, this is for creators. Make your creator page with /create first."
    start = await alex.send("/help")
    for data in (f"cmine:ds:{post.id}", f"cmine:u:{post.id}", f"cmine:e:{post.id}"):
        refused = await world.forge_press(alex, start, data)
        assert refused is not None and refused.text == "Only the creator can do that."
    assert (await posts.get_post(content, post.id)).status is PostStatus.PUBLISHED
    assert (await alex.send("/posts")).text == "You have no posts yet. Write one with /post."

    listed = await hana.send("/posts")
    assert listed.text.splitlines() == ["Your posts:", "1. Rice, properly · published · 0 reads, 0 unlocks, 0 tips"]
    await hana.press("1. Rice, properly", listed)
    opened = await hana.wait_for_edit(listed)
    assert opened.buttons == ["Edit", "Unpublish", "Delete", "Back to your posts"]
    await hana.press("Unpublish", opened)
    unpublished = await hana.wait_for_edit(opened, containing="unpublished")
    assert (await posts.get_post(content, post.id)).status is PostStatus.UNPUBLISHED
    await hana.press("Publish again", unpublished)
    again = await hana.wait_for_edit(unpublished, containing="\npublished")
    assert (await posts.get_post(content, post.id)).status is PostStatus.PUBLISHED

    world.advance(minutes=5)
    await hana.press("Edit", again)
    title = await hana.next_message()
    assert title.text.endswith("Now: Rice, properly") and "Keep" in title.buttons
    await answer_after_press(hana, "Keep", title)
    media = await hana.send("Rinse until the water runs clear. Then soak it for 30 minutes.")
    audience = await answer_after_press(hana, "Done", media)
    await hana.press("Everyone", audience)
    await hana.next_message()
    preview = await hana.next_message()
    assert preview.buttons == ["Save the changes", "Edit again", "Cancel"]
    await hana.press("Save the changes", preview)
    saved = await hana.next_message()
    assert saved.text == "Saved. Readers now see the latest version of “Rice, properly”, marked edited."
    edited = await posts.get_post(content, post.id)
    assert edited.body.endswith("Then soak it for 30 minutes.") and edited.edited_at == world.clock.now()
    assert edited.published_at == post.published_at
    creator = await creators.creator_by_handle(content, "hanaskitchen")
    text, _ = reader_view(world, Reading(edited, creator, Why.OPEN, ()), "Asia/Seoul")
    assert text.splitlines()[1].endswith(" · edited")

    listed = await hana.send("/posts")
    await hana.press("1. Rice, properly", listed)
    opened = await hana.wait_for_edit(listed)
    await hana.press("Delete", opened)
    sure = await hana.wait_for_edit(opened, containing="for good")
    assert sure.text == "Delete “Rice, properly” for good? Readers will no longer find it."
    await hana.press("Yes, delete it", sure)
    assert (await hana.wait_for_edit(sure, containing="Deleted")).text == "Deleted: “Rice, properly”."
    with pytest.raises(PostNotFound):
        await posts.get_post(content, post.id)
