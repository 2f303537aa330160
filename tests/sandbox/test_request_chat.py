"""Telegram's "choose a chat" button: the picker lists only chats the request fits, the bot gets `chat_shared`, and
getChatMember tells which rights an administrator bot holds."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.client import SandboxChannel, SandboxClient, SandboxRequestError, SandboxUser

BOT_ID = 5000001
POST = {"can_post_messages": True}


def picker(request_id: int = 7, **request: Any) -> dict[str, Any]:
    button = {"text": "Pick a channel", "request_chat": {"request_id": request_id, "chat_is_channel": True,
                                                          "request_title": True, "request_username": True, **request}}
    return {"keyboard": [[button]], "one_time_keyboard": True, "resize_keyboard": True}


async def shown_picker(bot: Any, user: SandboxUser, **request: Any) -> None:
    await user.say("/start")
    assert (await bot("sendMessage", chat_id=user.id, text="Which channel?", reply_markup=picker(**request))).ok


async def bakery(sb: SandboxClient, owner: SandboxUser, *, rights: set[str] | None = None) -> SandboxChannel:
    channel = await sb.channel("Jiho's bakery", owner, username="jiho_bakery")
    await channel.add_bot_as_admin(BOT_ID, rights=rights)
    return channel


async def test_sharing_a_fitting_channel_reaches_the_bot_and_hides_the_keyboard(bot: Any, sb: SandboxClient) -> None:
    jiho = await sb.user("Jiho")
    channel = await bakery(sb, jiho)
    await sb.channel("Someone else's", await sb.user("Mina"))
    await shown_picker(bot, jiho, bot_is_member=True, user_administrator_rights=POST)
    assert [chat["id"] for chat in await jiho.shareable_chats("Pick a channel")] == [channel.id]

    await jiho.share_chat("Pick a channel", channel)
    shared = [update["message"] for update in await bot.updates() if "chat_shared" in update.get("message", {})]
    assert len(shared) == 1
    message = shared[0]
    assert message["from"]["id"] == jiho.id
    assert message["chat_shared"] == {"request_id": 7, "chat_id": channel.id, "title": "Jiho's bakery",
                                      "username": "jiho_bakery"}
    assert await jiho.reply_keyboard() == []


async def test_the_picker_refuses_chats_the_request_does_not_fit(bot: Any, sb: SandboxClient) -> None:
    jiho, mina = await sb.user("Jiho"), await sb.user("Mina")
    without_bot = await sb.channel("No bot here", jiho)
    others = await bakery(sb, mina)
    await others.join(jiho)
    await shown_picker(bot, jiho, bot_is_member=True, user_administrator_rights=POST)
    assert await jiho.shareable_chats("Pick a channel") == []
    for channel, reason in ((without_bot, "the bot is not a member"),
                            (others, "you are not an administrator with the rights asked for")):
        with pytest.raises(SandboxRequestError) as refused:
            await jiho.share_chat("Pick a channel", channel)
        assert refused.value.status == 400 and reason in refused.value.message
    with pytest.raises(SandboxRequestError) as missing:
        await jiho.share_chat("No such button", without_bot)
    assert missing.value.status == 404
    assert await jiho.reply_keyboard() != []  # nothing was shared, the picker stays


async def test_bot_rights_narrow_what_the_picker_offers_and_what_the_bot_may_do(bot: Any, sb: SandboxClient) -> None:
    jiho = await sb.user("Jiho")
    channel = await bakery(sb, jiho, rights={"can_manage_chat", "can_invite_users"})
    await shown_picker(bot, jiho, bot_administrator_rights=POST)
    assert await jiho.shareable_chats("Pick a channel") == []

    me = (await bot("getChatMember", chat_id=channel.id, user_id=BOT_ID)).result
    assert me["status"] == "administrator"
    assert (me["can_post_messages"], me["can_invite_users"]) == (False, True)
    refused = await bot("sendMessage", chat_id=channel.id, text="Fresh bread at 8")
    assert (refused.status, refused.description) == (400, "Bad Request: need administrator rights in the channel chat")

    assert (await bot.next_update("my_chat_member"))["new_chat_member"]["can_post_messages"] is False
    await channel.add_bot_as_admin(BOT_ID)  # promoted again, with every right
    promoted = await bot.next_update("my_chat_member")
    assert promoted["old_chat_member"]["can_post_messages"] is False
    assert promoted["new_chat_member"]["can_post_messages"] is True
    assert [chat["id"] for chat in await jiho.shareable_chats("Pick a channel")] == [channel.id]
    assert (await bot("sendMessage", chat_id=channel.id, text="Fresh bread at 8")).ok


async def test_a_picker_button_is_not_pressed_like_text(bot: Any, sb: SandboxClient) -> None:
    jiho = await sb.user("Jiho")
    await shown_picker(bot, jiho)
    with pytest.raises(SandboxRequestError) as refused:
        await jiho.press("Pick a channel")
    assert refused.value.status == 400 and "chat picker" in refused.value.message


@pytest.mark.parametrize("request_chat", [
    "not an object",
    {"chat_is_channel": True},
    {"request_id": 2**31, "chat_is_channel": True},
    {"request_id": 1, "chat_is_channel": "yes"},
    {"request_id": 1, "chat_is_channel": True, "bot_is_member": 1},
    {"request_id": 1, "chat_is_channel": True, "user_administrator_rights": {"can_post_messages": "yes"}},
])
async def test_a_malformed_request_chat_is_refused(bot: Any, sb: SandboxClient, request_chat: Any) -> None:
    jiho = await sb.user("Jiho")
    await jiho.say("/start")
    markup = {"keyboard": [[{"text": "Pick", "request_chat": request_chat}]]}
    answer = await bot("sendMessage", chat_id=jiho.id, text="Which channel?", reply_markup=markup)
    assert answer.status == 400 and answer.description.startswith("Bad Request: can't parse keyboard button")


async def test_a_chat_picker_cannot_be_sent_to_a_channel(bot: Any, sb: SandboxClient) -> None:
    channel = await bakery(sb, await sb.user("Jiho"))
    answer = await bot("sendMessage", chat_id=channel.id, text="Pick one", reply_markup=picker())
    assert (answer.status, answer.description) == (400, "Bad Request: BUTTON_TYPE_INVALID")
