"""A broadcast's audience is the people the bot may write to: they started it and have not blocked it."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.client import SandboxUser
from tests.harness import Jigap


async def _blocked(jigap: Jigap, user: SandboxUser) -> None:
    """`user` blocks the bot, and the bot has taken note."""
    await user.block()
    for _ in range(100):
        async with jigap.services.uow() as uow:
            stored = await uow.users.get(user.id)
        if stored is not None and stored.is_bot_blocked:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never noted that {user.id} blocked it")


async def test_the_audience_counts_only_people_who_started_the_bot_and_did_not_block_it(jigap: Jigap) -> None:
    admin = await jigap.started_user("Admin", "en")
    await jigap.make_platform_admin(admin)
    await jigap.started_user("Minji", "ko")
    jisoo = await jigap.started_user("Jisoo", "ko")
    await _blocked(jigap, jisoo)
    owner = await jigap.started_user("Owner", "en")
    await _blocked(jigap, owner)
    reader = await jigap.user("Reader", "en")  # never opens the bot: presses a button under a channel post
    channel = await jigap.client.channel("Onda news", owner)
    await channel.add_bot_as_admin()
    button = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="news:1")]])
    post = await jigap.application.bot.send_message(channel.id, "Fresh bread at noon", reply_markup=button)
    answer = await channel.press(reader, "news:1", post.message_id)
    assert answer is not None  # the press was answered, so the bot has seen the reader
    async with jigap.services.uow() as uow:
        seen = await uow.users.get(reader.id)
    assert seen is not None and seen.is_bot_blocked  # known, but the bot may not write to them
    preview = await admin.send("/broadcast Hello everyone")
    assert preview.buttons[0] == "Send to everyone (2 people)"  # the admin and Minji
    await reader.send("/start")
    preview = await admin.send("/broadcast Hello again")
    assert preview.buttons[0] == "Send to everyone (3 people)"


async def test_someone_who_blocked_the_bot_stays_out_of_the_audience_after_pressing_a_channel_button(
        jigap: Jigap) -> None:
    admin = await jigap.started_user("Admin", "en")
    await jigap.make_platform_admin(admin)
    owner = await jigap.started_user("Owner", "en")
    await _blocked(jigap, owner)
    channel = await jigap.client.channel("Onda news", owner)
    await channel.add_bot_as_admin()
    button = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="news:1")]])
    post = await jigap.application.bot.send_message(channel.id, "Fresh bread at noon", reply_markup=button)
    await channel.press(owner, "news:1", post.message_id)
    preview = await admin.send("/broadcast Hello everyone")
    assert preview.buttons[0] == "Send to everyone (1 person)"
    async with jigap.services.uow() as uow:
        stored = await uow.users.get(owner.id)
    assert stored is not None and stored.is_bot_blocked
