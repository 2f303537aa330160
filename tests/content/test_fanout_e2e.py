"""A creator publishes a tier post: it reaches their followers and subscribers through the outbox, each once, as
each may read it then; a muted follower gets nothing, one in quiet hours gets it when they end, and the creator
watches a progress message reach 100%. Scheduled posts go out at their time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery.fanout import publish_due
from bot.scheduler import FANOUT
from sandbox.client import NoReply, SandboxUser
from storage.content.tables import content_fanouts, content_follows
from storage.delivery.tables import outbox
from subscriptions.accounts import preferences
from subscriptions.billing import services as billing
from subscriptions.billing.payments import SuccessfulPayment
from subscriptions.content.posts import Access, Audience
from subscriptions.content.services import creators, posts
from subscriptions.content.services.creators import NewCreator, NewTier
from subscriptions.content.services.posts import PostDraft
from subscriptions.money import Money
from tests.harness import Jigap

BODY = "배추를 소금에 절여요.\n\nThe rest is for subscribers: the paste, the jar, the wait."


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def _subscribe(world: Jigap, user_id: int, org_id: int, plan_id: str) -> None:
    content = world.services.content
    started = await billing.subscribe(content.billing, user_id=user_id, offer_id=f"creator-{org_id}",
                                      plan_id=plan_id, idempotency_key=f"sub-{user_id}")
    assert started.checkout is not None
    await billing.record_successful_payment(content.billing, SuccessfulPayment(
        user_id=user_id, currency="XTR", total_amount=300, invoice_payload=started.checkout.checkout.payload,
        telegram_payment_charge_id=f"ch-{user_id}", provider_payment_charge_id=f"p-{user_id}"))


async def _post_rows(world: Jigap) -> list[tuple[int, str]]:
    async with world.services.uow() as uow:
        rows = await uow.connection.execute(select(outbox.c.chat_id, outbox.c.status).where(outbox.c.kind == "post"))
        return sorted((row.chat_id, row.status) for row in rows)


async def _rows_are(world: Jigap, expected: list[tuple[int, str]]) -> bool:
    return await _post_rows(world) == sorted(expected)


async def drain(user: SandboxUser) -> None:
    with contextlib.suppress(NoReply):
        while True:
            await user.next_message(timeout=0.3)


async def test_a_tier_post_reaches_each_follower_and_subscriber_as_they_may_read_it(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")  # subscribes to the tier
    jisoo = await world.started_user("Jisoo", "ko")  # follows, no access
    minji = await world.started_user("Minji", "en")  # follows, mutes the creator in /settings
    sam = await world.started_user("Sam", "en")  # follows; it is 10 pm where Sam lives
    content = world.services.content
    creator = await creators.create_creator(content, hana.id, NewCreator("Hana's Kitchen", "hanaskitchen",
                                                                         "cooking", ""))
    tier = await creators.add_tier(content, hana.id, NewTier("Kimchi club", Money(300, "XTR")))
    for person in (alex, jisoo, minji, sam):
        await creators.follow(content, person.id, creator.org_id)
    await _subscribe(world, alex.id, creator.org_id, tier.monthly_plan_id)
    await world.services.events.drain()
    assert (await alex.next_message(timeout=10)).text.startswith("Receipt")  # before the drain below
    await preferences.set_timezone(world.services.accounts, sam.id, "America/New_York")
    for person in (alex, jisoo, minji, sam, hana):
        await drain(person)  # the welcome, receipts and the like

    shown = await minji.send("/settings")
    await minji.press("Creators you follow", shown)
    listed = await minji.wait_for_edit(shown)
    assert listed.text.startswith("Creators you follow") and "🔔 Hana's Kitchen" in listed.buttons
    await minji.press("🔔 Hana's Kitchen", listed)
    muted = await minji.wait_for_edit(listed)
    assert "🔕 Hana's Kitchen" in muted.buttons

    post = await posts.publish(content, hana.id, PostDraft("김치 담그는 법", BODY,
                                                           access=Access(Audience.TIERS, (tier.id,))))
    whole = await alex.next_message()
    assert whole.text.startswith("김치 담그는 법\nHana's Kitchen") and "the jar, the wait" in whole.text
    assert whole.raw.get("has_protected_content") is True
    assert whole.buttons[-2:] == ["Mute this creator", "Unfollow"]
    teaser = await jisoo.next_message()
    assert "배추를 소금에 절여요." in teaser.text and "the jar" not in teaser.text
    assert "🔒" in teaser.text and teaser.buttons[-2:] == ["이 크리에이터 알림 끄기", "팔로우 취소"]
    assert any("구독" in label for label in teaser.buttons), teaser.buttons
    assert not teaser.raw.get("has_protected_content")

    progress = await hana.next_message()
    assert progress.text.splitlines()[0] == "Broadcast in progress…"
    await until(lambda: _rows_are(world, [(alex.id, "sent"), (jisoo.id, "sent"), (sam.id, "pending")]))
    with pytest.raises(NoReply):
        await minji.next_message(timeout=0.5)
    with pytest.raises(NoReply):
        await sam.next_message(timeout=0.5)

    world.advance(hours=10, minutes=1)  # 8:01 in New York
    world.services.delivery.wake()
    late = await sam.next_message()
    assert late.text.startswith("김치 담그는 법") and "🔒" in late.text
    await world.services.delivery.report_progress()
    done = await hana.wait_for_edit(progress, containing="100%")
    assert done.text.splitlines()[0] == "Broadcast finished."
    assert "Sent: 3" in done.text
    async with world.services.uow() as uow:
        job = (await uow.connection.execute(select(content_fanouts).where(content_fanouts.c.post_id == post.id))).one()
    assert (job.phase, job.queued) == ("done", 3)

    await alex.press("Mute this creator", whole)
    changed = await alex.wait_for_edit(whole)
    assert changed.buttons[-2:] == ["Unmute this creator", "Unfollow"]
    async with world.services.uow() as uow:
        muted_flag = (await uow.connection.execute(select(content_follows.c.muted).where(
            content_follows.c.user_id == alex.id, content_follows.c.org_id == creator.org_id))).scalar_one()
    assert muted_flag is True


async def test_a_scheduled_post_goes_out_at_its_time_and_a_taken_down_one_not_at_all(world: Jigap) -> None:
    hana = await world.started_user("Hana", "en")
    alex = await world.started_user("Alex", "en")
    content = world.services.content
    creator = await creators.create_creator(content, hana.id, NewCreator("Hana's Kitchen", "hanaskitchen",
                                                                         "cooking", ""))
    await creators.follow(content, alex.id, creator.org_id)
    at = world.clock.now() + timedelta(hours=2)
    await posts.publish(content, hana.id, PostDraft("Tonight at seven", "We cook together."), at=at)
    assert await publish_due(world.services, world.application.bot_data[FANOUT]) == 0
    assert await world.count(content_fanouts) == 0

    world.advance(hours=2, seconds=1)
    assert await publish_due(world.services, world.application.bot_data[FANOUT]) == 1
    delivered = await alex.next_message()
    assert delivered.text.startswith("Tonight at seven\nHana's Kitchen")
    assert "We cook together." in delivered.text
    async with world.services.uow() as uow:
        count = (await uow.connection.execute(select(func.count()).select_from(outbox).where(
            outbox.c.chat_id == alex.id, outbox.c.kind == "post"))).scalar_one()
    assert count == 1
