"""The user's side through the sandbox: /broadcast with its live progress message and Cancel, and /settings."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.config import load_config
from bot.demo import load_demo_organisations
from sandbox.client import BotMessage, SandboxUser
from subscriptions.accounts import preferences
from subscriptions.accounts.roles import bootstrap_platform_admins
from tests.harness import Jigap, jigap_on, sandbox_running


async def _bot(database_url: str, bot_rate: int) -> AsyncIterator[Jigap]:
    base = load_config(environ={})
    config = base.replace(
        delivery=dataclasses.replace(base.delivery, bot_rate=bot_rate, progress_interval=1),
        scheduler=dataclasses.replace(base.scheduler, tick_seconds=1),
    )
    async with sandbox_running() as server, jigap_on(server, database_url=database_url, config=config) as jigap:
        yield jigap


@pytest.fixture
async def fast_bot(migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    async for bot in _bot(migrated_sqlite_url, bot_rate=200):
        yield bot


@pytest.fixture
async def slow_bot(migrated_sqlite_url: str) -> AsyncIterator[Jigap]:
    async for bot in _bot(migrated_sqlite_url, bot_rate=2):
        yield bot


async def _people(bot: Jigap, count: int) -> list[SandboxUser]:
    people = []
    for index in range(count):
        person = await bot.client.user(f"Fan{index}", "en")
        await person.send("/start")
        people.append(person)
    return people


async def _admin(bot: Jigap) -> SandboxUser:
    admin = await bot.client.user("Admin", "en")
    await admin.send("/start")
    await bootstrap_platform_admins(bot.services.accounts, [admin.id])
    return admin


async def _until_final(admin: SandboxUser, progress: BotMessage) -> BotMessage:
    shown = progress
    while shown.buttons:
        shown = await admin.wait_for_edit(progress, timeout=15)
    return shown


async def test_an_admin_broadcast_reaches_everyone_and_the_progress_message_fills_up(fast_bot: Jigap) -> None:
    admin = await _admin(fast_bot)
    fans = await _people(fast_bot, 5)
    preview = await admin.send("/broadcast Sale today at Cafe Onda")
    assert preview.text == "This message will be sent:\n\nSale today at Cafe Onda"
    assert preview.buttons == ["Send to everyone (6 people)", "Cancel"]
    await admin.press("Send to everyone (6 people)", preview)
    progress = await admin.wait_for_edit(preview)
    assert progress.text.startswith("Broadcast in progress…") and progress.buttons == ["Cancel broadcast"]
    final = await _until_final(admin, progress)
    assert final.text.splitlines() == ["Broadcast finished.", "▓▓▓▓▓▓▓▓▓▓ 100%", "Sent: 6 · Failed: 0 · Remaining: 0"]
    for fan in fans:
        assert (await fan.next_message()).text == "Sale today at Cafe Onda"
    stale = preview.button("Send to everyone (6 people)")["callback_data"]
    again = await admin.press(stale, final, forge=True)
    assert again is not None and again.text == "This message was already sent or has expired."


async def test_cancel_stops_a_broadcast_and_the_rest_is_never_sent(slow_bot: Jigap) -> None:
    admin = await _admin(slow_bot)
    fans = await _people(slow_bot, 8)
    preview = await admin.send("/broadcast Long news")
    await admin.press("Send to everyone (9 people)", preview)
    progress = await admin.wait_for_edit(preview)
    answer = await admin.press("Cancel broadcast", progress)
    assert answer is not None and answer.text == "Broadcast canceled."
    canceled = await admin.wait_for_edit(progress)
    assert canceled.text.startswith("Broadcast canceled.") and canceled.buttons == []
    async with slow_bot.services.uow() as uow:
        counts = await uow.outbox.counts_by_status()
    assert counts.get("dropped", 0) >= 5 and not counts.get("pending")
    received = [sum(1 for m in await fan.chat() if m.text == "Long news") for fan in fans]
    # Only what was already in flight when Cancel was pressed can still arrive: a second or two at 2 a second.
    assert max(received) <= 1 and sum(received) <= 4


async def test_someone_who_is_not_an_admin_cannot_broadcast(fast_bot: Jigap) -> None:
    (fan,) = await _people(fast_bot, 1)
    reply = await fan.send("/broadcast Free money")
    assert reply.text == "Sorry, only platform admins and shop owners can broadcast."


async def test_settings_mute_a_kind_and_choose_quiet_hours_and_time_zone(fast_bot: Jigap) -> None:
    (minji,) = await _people(fast_bot, 1)
    shown = await minji.send("/settings")
    assert "🔔 Scheduled notices" in shown.buttons
    assert "Quiet hours: 22:00–08:00 (reminders that can wait are held until they end)" in shown.text
    await minji.press("🔔 Scheduled notices", shown)
    shown = await minji.wait_for_edit(shown)
    assert "🔕 Scheduled notices" in shown.buttons
    await minji.press("Quiet hours", shown)
    choices = await minji.wait_for_edit(shown)
    await minji.press("23:00–07:00", choices)
    shown = await minji.wait_for_edit(shown)
    assert "Quiet hours: 23:00–07:00" in shown.text
    await minji.press("Time zone", shown)
    choices = await minji.wait_for_edit(shown)
    await minji.press("Europe/Berlin", choices)
    shown = await minji.wait_for_edit(shown)
    assert "Time zone: Europe/Berlin" in shown.text
    settings = await preferences.settings(fast_bot.services.accounts, minji.id)
    assert (settings.muted_kinds, settings.quiet_start, settings.timezone) == (
        frozenset({"notice"}), "23:00", "Europe/Berlin")


async def test_a_shop_owner_is_offered_the_shops_followers_and_help_says_so(fast_bot: Jigap) -> None:
    await load_demo_organisations(fast_bot.services)
    (owner,) = await _people(fast_bot, 1)
    await fast_bot.grant(owner, "shop_owner", "cafe-onda")
    preview = await owner.send("/broadcast Fresh bread at noon")
    assert preview.buttons == ["Followers of Cafe Onda…", "Cancel"]
    assert "/broadcast" in (await owner.send("/help")).text
    async with fast_bot.services.uow() as uow:
        assert await uow.outbox.counts_by_status() == {}


async def test_a_broadcast_as_long_as_telegram_allows_is_previewed_and_sent_whole(fast_bot: Jigap) -> None:
    admin = await _admin(fast_bot)
    (fan,) = await _people(fast_bot, 1)
    news = "세일 " * 1360  # 4,080 characters: the preview's heading would take it past 4,096
    heading = await admin.send(f"/broadcast {news}")
    assert heading.text == "This message will be sent:" and heading.buttons == []
    preview = await admin.next_message()
    assert preview.text == news.strip() and preview.buttons == ["Send to everyone (2 people)", "Cancel"]
    await admin.press("Send to everyone (2 people)", preview)
    await _until_final(admin, await admin.wait_for_edit(preview))
    assert (await fan.next_message()).text == news.strip()


async def test_a_broadcast_longer_than_telegram_takes_is_refused_with_the_limit(fast_bot: Jigap) -> None:
    admin = await _admin(fast_bot)
    reply = await admin.send("/broadcast " + "👛" * 2100)
    assert reply.text == "This message is too long: Telegram takes up to 4,096 characters."
    assert reply.buttons == []
