"""A one-person invite link to a paid channel: used once, expired after its time, and a lapsed member removed
with banChatMember then unbanChatMember, each change told to the channel's admin bots as Telegram tells them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sandbox.client import SandboxClient, SandboxRequestError

BOT_ID = 5000001


async def test_a_one_person_link_lets_in_one_person_and_names_itself_in_the_update(bot: Any, sb: SandboxClient) -> None:
    owner, fan, friend = await sb.user("Jiho"), await sb.user("Sora"), await sb.user("Mina")
    channel = await sb.channel("Live class", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await bot("getUpdates", allowed_updates=["chat_member"])
    link = (await bot("createChatInviteLink", chat_id=channel.id, member_limit=1,
                      expire_date=int(time.time()) + 600, name="for Sora")).result
    assert (await channel.join(fan, link["invite_link"]))["status"] == "member"
    joined = await bot.next_update("chat_member")
    assert joined["new_chat_member"]["status"] == "member"
    assert joined["invite_link"]["invite_link"] == link["invite_link"] and joined["invite_link"]["member_limit"] == 1
    with pytest.raises(SandboxRequestError) as used_up:
        await channel.join(friend, link["invite_link"])
    assert "member limit" in str(used_up.value)


async def test_an_expired_link_is_refused(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Live class", owner)
    await channel.add_bot_as_admin(BOT_ID)
    link = (await bot("createChatInviteLink", chat_id=channel.id, member_limit=1,
                      expire_date=int(time.time()) - 1)).result
    with pytest.raises(SandboxRequestError) as expired:
        await channel.join(fan, link["invite_link"])
    assert "INVITE_HASH_EXPIRED" in str(expired.value)


async def test_ban_then_unban_removes_a_member_who_may_come_back(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Live class", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await bot("getUpdates", allowed_updates=["chat_member"])
    await channel.join(fan)
    await bot.next_update("chat_member")
    assert (await bot("banChatMember", chat_id=channel.id, user_id=fan.id)).result is True
    kicked = await bot.next_update("chat_member")
    assert (kicked["old_chat_member"]["status"], kicked["new_chat_member"]["status"]) == ("member", "kicked")
    assert kicked["from"]["id"] == BOT_ID
    with pytest.raises(SandboxRequestError):
        await channel.join(fan)
    assert (await bot("unbanChatMember", chat_id=channel.id, user_id=fan.id, only_if_banned=True)).result is True
    freed = await bot.next_update("chat_member")
    assert (freed["old_chat_member"]["status"], freed["new_chat_member"]["status"]) == ("kicked", "left")
    assert (await bot("getChatMember", chat_id=channel.id, user_id=fan.id)).result["status"] == "left"
    assert (await channel.join(fan))["status"] == "member"


async def test_unban_without_only_if_banned_removes_a_member_and_owners_stay(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Live class", owner)
    await channel.add_bot_as_admin(BOT_ID)
    await channel.join(fan)
    assert (await bot("unbanChatMember", chat_id=channel.id, user_id=fan.id)).result is True
    assert (await bot("getChatMember", chat_id=channel.id, user_id=fan.id)).result["status"] == "left"
    refused = await bot("banChatMember", chat_id=channel.id, user_id=owner.id)
    assert refused.description == "Bad Request: can't remove chat owner"


async def test_a_bot_that_is_not_an_admin_can_neither_invite_nor_remove(bot: Any, sb: SandboxClient) -> None:
    owner, fan = await sb.user("Jiho"), await sb.user("Sora")
    channel = await sb.channel("Live class", owner)
    invite = await bot("createChatInviteLink", chat_id=channel.id, member_limit=1)
    assert (invite.status, invite.description) == (403, "Forbidden: bot is not a member of the channel chat")
    ban = await bot("banChatMember", chat_id=channel.id, user_id=fan.id)
    assert ban.status == 403
