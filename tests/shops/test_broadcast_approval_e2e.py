"""A shop's broadcast to more followers than `[shops] approval_threshold` waits for the platform: its owner is told,
nothing is sent until an admin approves it from /admin (then the followers get it), and a rejected one tells the
owner why and sends nothing. One decision for two admins. An admin cancels any running broadcast from /admin: its
unsent rows are dropped. Someone without the permission changes nothing with forged buttons, and is audited."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from bot.scheduler import shops_tick
from sandbox.client import BotMessage, SandboxUser
from storage.core.tables import audit_log
from storage.delivery.tables import outbox
from storage.shops.tables import shop_broadcasts
from subscriptions.clock import FixedClock
from subscriptions.shops.audiences import Audience, Target
from subscriptions.shops.services import broadcasts
from tests.harness import Jigap, jigap_on, sandbox_running
from tests.shops.conftest import NOW
from tests.shops.steps import open_cafe_onda
from tests.shops.test_story_cafe_onda import _next_edit

THRESHOLD = 2


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    clock = FixedClock(NOW)
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100),
                          shops=dataclasses.replace(base.shops, approval_threshold=THRESHOLD))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        await load_demo_organisations(jigap.services)
        await load_demo_offers(jigap.services)
        yield jigap


async def _broadcast_now(owner: SandboxUser, text: str) -> BotMessage:
    """/broadcast to all the shop's followers' chats, now: the pressed message after Send."""
    preview = await owner.send(f"/broadcast {text}")
    await owner.press("Followers of Cafe Onda…", preview)
    who = await owner.wait_for_edit(preview)
    await owner.press(who.buttons[0], who)  # All followers (n)
    where = await _next_edit(owner, preview, who)
    await owner.press("Followers' chats", where)
    button = await _next_edit(owner, preview, where)
    await owner.press("No button", button)
    when = await _next_edit(owner, preview, button)
    await owner.press("Now", when)
    final = await _next_edit(owner, preview, when)
    await owner.press("Send", final)
    return await _next_edit(owner, preview, final)


async def _statuses(world: Jigap) -> list[tuple[str, int | None, str | None]]:
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(
            shop_broadcasts.c.status, shop_broadcasts.c.decided_by, shop_broadcasts.c.rejection_reason)
            .order_by(shop_broadcasts.c.created_at))).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def _section(admin: SandboxUser, label: str) -> BotMessage:
    console = await admin.send("/admin")
    await admin.press(label, console)
    return await admin.wait_for_edit(console)


async def _audited(world: Jigap, action: str) -> list[tuple[int | None, str]]:
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(audit_log.c.actor_id, audit_log.c.outcome)
                                             .where(audit_log.c.action == action))).all()
    return [(row.actor_id, row.outcome) for row in rows]


async def test_a_large_broadcast_waits_for_approval_and_once_approved_reaches_the_followers(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(3)]
    onda = await open_cafe_onda(world, regulars, language="en")
    admin, second = await world.started_user("Admin", "en"), await world.started_user("Second", "en")
    for someone in (admin, second):
        await world.make_platform_admin(someone)

    waits = await _broadcast_now(onda.sora, "Pumpkin latte is back")
    assert waits.text == ("It goes to more than 2 followers, so the platform's admins look at it first. You will "
                          "hear from us when they decide.")
    await world.deliver()
    assert await world.count(outbox) == 0  # nothing went to the followers
    assert [status for status, _, _ in await _statuses(world)] == ["waiting"]

    queue = await _section(admin, "Broadcasts waiting for approval")
    assert queue.text.splitlines()[0] == "Broadcasts waiting for approval, the longest waiting first:"
    assert queue.text.splitlines()[1].startswith("1. Cafe Onda, to 3 followers, ")
    assert queue.text.splitlines()[1].endswith(": “Pumpkin latte is back”")
    stale = await _section(second, "Broadcasts waiting for approval")
    answer = await admin.press("1. Approve", queue)
    assert answer is not None and answer.text == "Approved."
    approved = await admin.wait_for_edit(queue)
    assert approved.text.startswith("Approved: Cafe Onda's broadcast goes out.\nNo broadcasts are waiting")
    late = await second.press("1. Reject", stale)
    assert late is not None and late.text == "This broadcast no longer waits for approval: it was decided already."

    await world.deliver()
    for regular in regulars:
        assert (await regular.next_message()).text == "Cafe Onda\n\nPumpkin latte is back"
    texts = [message.text for message in await onda.sora.next_messages(2)]
    assert "The platform approved your broadcast: it is going out now." in texts
    assert any(text.startswith("Broadcast") for text in texts)  # the progress message
    assert await _statuses(world) == [("sent", admin.id, None)]
    assert await _audited(world, "shop.broadcast_approved") == [(admin.id, "ok")]


async def test_a_rejected_broadcast_tells_its_owner_why_and_sends_nothing(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(3)]
    onda = await open_cafe_onda(world, regulars, language="en")
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    await _broadcast_now(onda.sora, "Win a free iPhone, click here")

    queue = await _section(admin, "Broadcasts waiting for approval")
    await admin.press("1. Reject", queue)
    asked = await admin.wait_for_edit(queue)
    assert asked.text == "Why is Cafe Onda's broadcast rejected? Type the reason; its owner will read it."
    done = await admin.send("Prize draws need the platform's terms")
    assert done.text.startswith("Rejected: Cafe Onda's owner is told why; nothing was sent.")

    await world.deliver()
    told = await onda.sora.next_message()
    assert told.text == ("The platform did not approve your broadcast, so nothing was sent. The reason: Prize "
                         "draws need the platform's terms")
    for regular in regulars:
        assert "iPhone" not in " ".join(message.text or "" for message in await regular.chat())
    assert await _statuses(world) == [("rejected", admin.id, "Prize draws need the platform's terms")]
    assert await _audited(world, "shop.broadcast_rejected") == [(admin.id, "ok")]


async def test_an_admin_cancels_a_running_broadcast_and_its_unsent_rows_are_dropped(world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(2)]
    onda = await open_cafe_onda(world, regulars, language="en")
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    world.advance(hours=14)  # 23:30 in Seoul: the followers' quiet hours, so every row waits for the morning
    progress = await _broadcast_now(onda.sora, "Fresh bread at noon")
    assert progress.text.startswith("Broadcast in progress…")

    running = await _section(admin, "Running broadcasts")
    assert running.text.splitlines()[0] == "Broadcasts sending now:"
    assert running.text.splitlines()[1].endswith(f"from 소라 to shop:{onda.shop.org_id}:all: 0 of 2 done")
    await admin.press(running.buttons[0], running)
    ask = await admin.wait_for_edit(running)
    assert ask.text.startswith("Cancel this broadcast? What has not gone out is dropped.")
    answer = await admin.press("Cancel broadcast", ask)
    assert answer is not None and answer.text == "Broadcast canceled."
    after = await admin.wait_for_edit(ask)
    assert after.text.endswith("No broadcast is sending now.")

    edited = await onda.sora.wait_for_edit(progress, containing="Broadcast canceled.")
    assert edited.text.startswith("Broadcast canceled.")
    async with world.services.uow() as uow:
        counts = await uow.outbox.counts_by_status()
    assert counts.get("pending", 0) == 0 and counts.get("dropped") == 2
    world.advance(hours=10)  # the morning: nothing is left to send
    await world.deliver()
    for regular in regulars:
        assert "Fresh bread" not in " ".join(message.text or "" for message in await regular.chat())
    assert await _audited(world, "broadcast.cancel") == [(admin.id, "ok")]


async def test_forged_presses_of_someone_without_the_permission_change_nothing_and_are_audited(
        world: Jigap) -> None:
    regulars = [await world.started_user(f"Regular {n}", "en") for n in range(3)]
    onda = await open_cafe_onda(world, regulars, language="en")
    await _broadcast_now(onda.sora, "Pumpkin latte is back")
    (broadcast_id,) = [row for row in await _ids(world)]
    mallory = await world.started_user("Mallory", "en")
    start = await mallory.send("/help")
    for data in (f"shapr:a:{broadcast_id}", f"shapr:r:{broadcast_id}", "bcadm:x:1", "bcadm:l"):
        answer = await world.forge_press(mallory, start, data)
        assert answer is not None and answer.text in (
            "Sorry, this is only for platform admins.",
            "Sorry, only platform admins and shop owners can broadcast."), data
    # The shop's own owner may not approve their own broadcast either.
    owner_try = await world.forge_press(onda.sora, await onda.sora.send("/help"), f"shapr:a:{broadcast_id}")
    assert owner_try is not None and owner_try.text == "Sorry, this is only for platform admins."
    assert [status for status, _, _ in await _statuses(world)] == ["waiting"]
    assert set(await _audited(world, "shop.moderate")) >= {(mallory.id, "refused"), (onda.sora.id, "refused")}
    assert (mallory.id, "refused") in await _audited(world, "admin.broadcast")


async def _ids(world: Jigap) -> list[str]:
    async with world.services.uow() as uow:
        return [row.id for row in (await uow.connection.execute(select(shop_broadcasts.c.id))).all()]


async def test_an_admin_cancels_a_shops_scheduled_broadcast_before_its_time_and_its_owner_is_told(
        world: Jigap) -> None:
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    regular = await world.started_user("Regular", "en")
    onda = await open_cafe_onda(world, [regular], language="en")
    planned = await broadcasts.plan(world.services.shops, onda.sora.id, onda.shop.org_id, text="Pumpkin latte at six",
                                    audience=Audience.FOLLOWERS, target=Target.FOLLOWERS,
                                    send_at=world.clock.now() + timedelta(hours=8))
    assert planned.status == "scheduled"

    queue = await _section(admin, "Broadcasts waiting for approval")
    assert queue.text == "No broadcasts are waiting for approval."
    await admin.press("Scheduled broadcasts of every shop", queue)
    listed = await admin.wait_for_edit(queue)
    assert listed.text.splitlines()[0] == "Scheduled broadcasts of every shop, the soonest first:"
    assert "Cafe Onda, to 1 follower" in listed.text and "Pumpkin latte at six" in listed.text
    await admin.press("1. Cancel", listed)
    asked = await admin.wait_for_edit(listed)
    assert asked.text.startswith("Cancel Cafe Onda's broadcast of ")
    await admin.press("Cancel the broadcast", asked)
    done = await admin.wait_for_edit(asked)
    assert done.text.splitlines() == ["Canceled: Cafe Onda's broadcast will not go out; its owner is told.",
                                      "No shop has a broadcast scheduled."]
    again = await world.forge_press(admin, done, f"shapr:c:{planned.id}")  # a second press of Cancel
    assert again is not None and again.text == "This broadcast is no longer scheduled: it went out or was canceled already."

    await world.deliver()
    told = await onda.sora.next_message()
    assert told.text.startswith("The platform canceled your broadcast of ")
    assert [row[0] for row in await _statuses(world)] == ["canceled"]
    assert await _audited(world, "shop.broadcast_canceled") == [(admin.id, "ok")]
    world.advance(hours=9)
    await shops_tick(world.services)
    await world.deliver()
    async with world.services.uow() as uow:
        sent = (await uow.connection.execute(select(outbox.c.id).where(outbox.c.chat_id == regular.id))).all()
    assert sent == []  # the follower never got it


async def test_someone_who_is_not_a_platform_admin_cannot_cancel_a_shops_scheduled_broadcast(world: Jigap) -> None:
    onda = await open_cafe_onda(world, [await world.started_user("Regular", "en")], language="en")
    planned = await broadcasts.plan(world.services.shops, onda.sora.id, onda.shop.org_id, text="Pumpkin latte at six",
                                    audience=Audience.FOLLOWERS, target=Target.FOLLOWERS,
                                    send_at=world.clock.now() + timedelta(hours=8))
    start = await onda.sora.send("/help")
    for data in ("shapr:s", f"shapr:q:{planned.id}:0", f"shapr:c:{planned.id}"):
        answer = await world.forge_press(onda.sora, start, data)
        assert answer is not None and answer.text.startswith("Sorry"), data
    assert [row[0] for row in await _statuses(world)] == ["scheduled"]
    assert {outcome for _actor, outcome in await _audited(world, "shop.moderate")} == {"refused"}
