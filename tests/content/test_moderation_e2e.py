"""Someone reports a post; a platform admin takes it down: it leaves the portal and search, and readers who open
it see that it was removed. Only platform admins moderate; a creator suspended leaves the portal with their posts."""

from __future__ import annotations

from sqlalchemy import select

from storage.content.tables import content_reports
from storage.core.tables import audit_log
from subscriptions.content.posts import PostStatus
from subscriptions.content.services import creators, portal, posts
from subscriptions.content.services.creators import NewCreator
from subscriptions.content.services.posts import PostDraft, Why
from tests.harness import Jigap


async def _hana_posts(world: Jigap, hana_id: int) -> str:
    content = world.services.content
    await creators.create_creator(content, hana_id, NewCreator("Hana's Kitchen", "hanaskitchen", "cooking", ""))
    post = await posts.publish(content, hana_id, PostDraft("김치 담그는 법", "배추를 절여요."))
    return post.id


async def test_a_reported_post_taken_down_leaves_the_portal_and_search(world: Jigap) -> None:
    hana = await world.started_user("Hana")
    alex = await world.started_user("Alex", "en")
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    post_id = await _hana_posts(world, hana.id)
    await alex.next_messages(0)
    start = await alex.send("/help")

    await world.forge_press(alex, start, f"crep:{post_id}")
    reasons = await alex.next_message()
    assert reasons.text == "Why are you reporting this post?"
    assert "Spam or advertising" in reasons.buttons
    await alex.press("Spam or advertising", reasons)
    thanked = await alex.wait_for_edit(reasons)
    assert thanked.text == "Thank you. The platform's admins will look at this post."
    async with world.services.uow() as uow:
        rows = list(await uow.connection.execute(select(content_reports.c.reason, content_reports.c.status)))
    assert [(row.reason, row.status) for row in rows] == [("spam", "open")]

    refused = await alex.send("/reports")
    assert refused.text == "Sorry, this is only for platform admins."
    queue = await admin.send("/reports")
    assert queue.text.splitlines()[1] == "1. 김치 담그는 법 (Hana's Kitchen): Spam or advertising 1"
    await admin.press("1. 김치 담그는 법", queue)
    shown = await admin.next_message()
    assert shown.text.startswith("김치 담그는 법") and shown.raw.get("has_protected_content") in (True, None)
    await admin.press("Take down", shown)
    done = await admin.wait_for_edit(shown)
    assert done.text == "Taken down: “김치 담그는 법”. It has left the portal, search and shelves."

    content = world.services.content
    assert (await portal.listing(content, portal.Listing.NEW, 0)).items == []
    assert (await portal.listing(content, portal.Listing.SEARCH, 0, key="김치")).items == []
    assert (await posts.open_post(content, alex.id, post_id)).why is Why.REMOVED
    assert (await posts.open_post(content, hana.id, post_id)).why is Why.OWNER
    async with world.services.uow() as uow:
        statuses = list(await uow.connection.execute(select(content_reports.c.status)))
        actions = list(await uow.connection.execute(select(audit_log.c.action, audit_log.c.target)
                                                    .where(audit_log.c.action == "content.take_down")))
    assert [row.status for row in statuses] == ["taken_down"]
    assert [(row.action, row.target) for row in actions] == [("content.take_down", post_id)]

    await admin.press("Restore", done)
    restored = await admin.wait_for_edit(done)
    assert restored.text == "Restored: “김치 담그는 법” is back in the portal."
    assert [item.id for item in (await portal.listing(content, portal.Listing.NEW, 0)).items] == [post_id]


async def test_only_platform_admins_take_posts_down_even_with_a_forged_button(world: Jigap) -> None:
    hana = await world.started_user("Hana")
    mallory = await world.started_user("Mallory", "en")
    post_id = await _hana_posts(world, hana.id)
    start = await mallory.send("/help")
    answer = await world.forge_press(mallory, start, f"cmod:t:{post_id}")
    assert answer is not None and answer.text == "Sorry, this is only for platform admins."
    assert (await posts.get_post(world.services.content, post_id)).taken_down is False
    await world.forge_press(hana, await hana.send("/help"), f"cmod:t:{post_id}")
    assert (await posts.get_post(world.services.content, post_id)).taken_down is False
    assert (await posts.get_post(world.services.content, post_id)).status is PostStatus.PUBLISHED


async def test_a_suspended_creator_leaves_the_portal(world: Jigap) -> None:
    hana = await world.started_user("Hana")
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    post_id = await _hana_posts(world, hana.id)
    answer = await admin.send("/suspend_creator hanaskitchen")
    assert answer.text == "Hana's Kitchen is suspended: their page and posts are hidden."
    content = world.services.content
    assert (await portal.listing(content, portal.Listing.NEW, 0)).items == []
    again = await admin.send("/restore_creator c_hanaskitchen")
    assert again.text == "Hana's Kitchen is active again."
    assert [item.id for item in (await portal.listing(content, portal.Listing.NEW, 0)).items] == [post_id]
    unknown = await admin.send("/suspend_creator nobody_here")
    assert unknown.text == "There is no such creator."
