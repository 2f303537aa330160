"""Channels: a bot made admin posts by id or @username, and hears of members joining and leaving."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox.client import SandboxClient, SandboxRequestError

BOT_ID = 5000001


async def test_a_bot_made_admin_is_told_and_can_post(bot: Any, sb: SandboxClient) -> None:
    owner = await sb.user("Jiho")
    channel = await sb.channel("Jiho's bakery", owner, username="jiho_bakery")
    refused = await bot("sendMessage", chat_id=channel.id, text="hello")
    assert (refused.status, refused.description) == (403, "Forbidden: bot is not a member of the channel chat")

    await channel.add_bot_as_admin(BOT_ID)
    change = await bot.next_update("my_chat_member")
    assert change["chat"]["type"] == "channel" and change["new_chat_member"]["status"] == "administrator"

    post = (await bot("sendMessage", chat_id="@jiho_bakery", text="Fresh bread at 8")).result
    assert post["chat"]["id"] == channel.id and post["sender_chat"]["title"] == "Jiho's bakery"
    assert "from" not in post
    assert (await channel.next_post()).text == "Fresh bread at 8"
    assert [m.text for m in await channel.messages()] == ["Fresh bread at 8"]
    missing = await bot("sendMessage", chat_id="@nobody_here", text="x")
    assert missing.description == "Bad Request: chat not found"


async def test_members_join_and_leave_and_the_bot_sees_it_when_it_asked(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Bakery", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await bot("getUpdates", allowed_updates=["chat_member", "my_chat_member", "channel_post"])
    await channel.join(fan)
    joined = await bot.next_update("chat_member")
    assert (joined["old_chat_member"]["status"], joined["new_chat_member"]["status"]) == ("left", "member")
    member = (await bot("getChatMember", chat_id=channel.id, user_id=fan.id)).result
    assert member["status"] == "member"
    await channel.leave(fan)
    left = await bot.next_update("chat_member")
    assert left["new_chat_member"]["status"] == "left"
    admins = (await bot("getChatAdministrators", chat_id=channel.id)).result
    assert [(a["status"], a["user"]["id"]) for a in admins] == [("creator", owner.id), ("administrator", BOT_ID)]


async def test_a_subscription_invite_link_lets_a_member_in_for_30_days(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Bakery club", owner)
    await channel.add_bot_as_admin(BOT_ID)
    wrong = await bot("createChatSubscriptionInviteLink", chat_id=channel.id, subscription_period=60,
                      subscription_price=100)
    assert wrong.description == "Bad Request: SUBSCRIPTION_PERIOD_INVALID"
    link = (await bot("createChatSubscriptionInviteLink", chat_id=channel.id, name="Club",
                      subscription_period=2592000, subscription_price=100)).result
    assert link["subscription_price"] == 100 and link["creator"]["id"] == BOT_ID
    member = await channel.join(fan, link["invite_link"])
    assert member["status"] == "member" and member["until_date"] > 0
    plain = (await bot("createChatInviteLink", chat_id=channel.id, member_limit=5)).result
    assert plain["member_limit"] == 5 and plain["is_revoked"] is False


async def test_the_owners_posts_reach_admin_bots_as_channel_posts(bot: Any, sb: SandboxClient) -> None:
    owner = await sb.user("Jiho")
    channel = await sb.channel("Bakery", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await channel.post("Closed on Monday")
    post = await bot.next_update("channel_post")
    assert post["text"] == "Closed on Monday" and post["chat"]["id"] == channel.id


async def test_a_deep_link_in_a_channel_post_starts_the_bot_for_the_reader(bot: Any, sb: SandboxClient) -> None:
    owner, reader = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Bakery", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await bot("sendMessage", chat_id=channel.id, text="Passes are here",
              reply_markup={"inline_keyboard": [[{"text": "Buy a pass",
                                                  "url": "https://t.me/sandbox_test_bot?start=pass-bakery"}]]})
    post = await channel.next_post()
    opening = asyncio.create_task(reader.open_url(post.button("Buy a pass")["url"]))
    start = await bot.next_update("message")
    assert start["text"] == "/start pass-bakery" and start["from"]["id"] == reader.id
    await bot("sendMessage", chat_id=reader.id, text="Which pass?")
    assert (await opening).text == "Which pass?"


async def test_a_reader_presses_a_button_under_a_bots_post(bot: Any, sb: SandboxClient) -> None:
    owner, reader = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Bakery", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await bot("sendMessage", chat_id=channel.id, text="Today's special",
              reply_markup={"inline_keyboard": [[{"text": "Remind me", "callback_data": "remind:croissant"}]]})
    await bot.updates()
    pressing = asyncio.create_task(channel.press(reader, "Remind me"))
    query = await bot.next_update("callback_query")
    assert query["data"] == "remind:croissant" and query["from"]["id"] == reader.id
    assert query["message"]["chat"]["id"] == channel.id
    await bot("answerCallbackQuery", callback_query_id=query["id"], text="We'll remind you")
    answer = await pressing
    assert answer is not None and answer.text == "We'll remind you"


async def test_a_lapsed_member_is_removed_and_cannot_rejoin_until_unbanned(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Bakery club", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await channel.join(fan)
    assert (await bot("banChatMember", chat_id=channel.id, user_id=fan.id)).result is True
    assert (await bot("getChatMember", chat_id=channel.id, user_id=fan.id)).result["status"] == "kicked"
    with pytest.raises(SandboxRequestError, match="banned"):
        await channel.join(fan)
    assert (await bot("unbanChatMember", chat_id=channel.id, user_id=fan.id)).result is True
    assert (await channel.join(fan))["status"] == "member"
    owner_ban = await bot("banChatMember", chat_id=channel.id, user_id=owner.id)
    assert owner_ban.description == "Bad Request: can't remove chat owner"


async def test_pinned_posts_and_revoked_links(bot: Any, sb: SandboxClient) -> None:
    owner = await sb.user("Jiho")
    channel = await sb.channel("Bakery", owner)
    await channel.add_bot_as_admin(BOT_ID)
    post = (await bot("sendMessage", chat_id=channel.id, text="Opening hours: 8-18")).result
    assert (await bot("pinChatMessage", chat_id=channel.id, message_id=post["message_id"])).result is True
    assert (await bot("getChat", chat_id=channel.id)).result["pinned_message"]["text"] == "Opening hours: 8-18"
    link = (await bot("createChatInviteLink", chat_id=channel.id)).result["invite_link"]
    assert (await bot("revokeChatInviteLink", chat_id=channel.id, invite_link=link)).result["is_revoked"] is True
    with pytest.raises(SandboxRequestError, match="no such invite link"):
        await channel.join(await sb.user("Late"), link)
