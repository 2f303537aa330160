"""Linking the shop's Telegram channel: the owner picks it with Telegram's "choose a chat" button (channels where the
bot is an administrator who may post), and the bot checks with getChatMember that it may post there and that the
owner administers the channel before the shop keeps it."""

from __future__ import annotations

import logging

from telegram import (
    ChatAdministratorRights,
    ChatMemberAdministrator,
    KeyboardButton,
    KeyboardButtonRequestChat,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.core.context import JigapContext
from handlers.shops.owner import may_manage
from handlers.shops.replies import say
from handlers.shops.text import refusal
from subscriptions.shops.errors import ShopError
from subscriptions.shops.services.shops import ChannelCheck, link_channel

log = logging.getLogger(__name__)
REQUEST_ID_LIMIT = 2**31  # Telegram's request_id is a signed 32-bit number: the shop's id when it fits


# The owner must administer the channel with the right to post. The bot only has to be in it (a bot is in a
# channel as an administrator): whether it may post is what getChatMember tells, so the owner hears what to fix.
def _rights(*, post: bool) -> ChatAdministratorRights:
    return ChatAdministratorRights(
        is_anonymous=False, can_manage_chat=False, can_delete_messages=False, can_manage_video_chats=False,
        can_restrict_members=False, can_promote_members=False, can_change_info=False, can_invite_users=False,
        can_post_stories=False, can_edit_stories=False, can_delete_stories=False, can_post_messages=post)


async def ask_for_channel(update: Update, context: JigapContext, org_id: int) -> None:
    tr = context.tr
    if org_id >= REQUEST_ID_LIMIT:
        await say(update, context, tr("Sorry, this shop's channel cannot be linked in the chat."))
        return
    button = KeyboardButton(tr("Choose the channel"), request_chat=KeyboardButtonRequestChat(
        request_id=org_id, chat_is_channel=True, bot_is_member=True, request_title=True, request_username=True,
        user_administrator_rights=_rights(post=True)))
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, tr(
        "Add me to your channel as an administrator who may post messages, then press the button below and "
        "choose the channel."), reply_markup=ReplyKeyboardMarkup([[button]], resize_keyboard=True,
                                                                   one_time_keyboard=True))


async def channel_shared(update: Update, context: JigapContext) -> None:
    """The owner chose a chat: check it with Telegram, then link it (or say why not)."""
    message = update.effective_message
    assert message is not None and message.chat_shared is not None
    shared = message.chat_shared
    tr = context.tr
    org_id = shared.request_id
    if not await may_manage(update, context, org_id):
        return
    check = await _check(context, shared.chat_id, context.member.id)
    try:
        shop = await link_channel(context.services.shops, context.member.id, org_id, check)
    except ShopError as error:
        await message.reply_text(refusal(error, tr), reply_markup=ReplyKeyboardRemove())
        return
    await message.reply_text(tr("Linked: {shop} posts to “{channel}” now.", shop=shop.name, channel=check.title),
                             reply_markup=ReplyKeyboardRemove())


async def _check(context: JigapContext, chat_id: int, owner_id: int) -> ChannelCheck:
    """What Telegram says of the chat, the bot and the owner there; a refusal from Telegram reads as "not a member"."""
    bot = context.bot
    try:
        chat = await bot.get_chat(chat_id)
        me = await bot.get_chat_member(chat_id, bot.id)
        owner = await bot.get_chat_member(chat_id, owner_id)
    except TelegramError as error:
        log.info("channel %s could not be checked: %s", chat_id, error)
        return ChannelCheck(chat_id, "", None, True, "left", False, "left")
    can_post = isinstance(me, ChatMemberAdministrator) and bool(me.can_post_messages)
    return ChannelCheck(chat_id, chat.title or "", chat.username, chat.type == ChatType.CHANNEL, me.status, can_post,
                        owner.status)
