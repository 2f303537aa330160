"""A paid tier's Telegram channel in the chat: the creator links one with /tierchannel @channel (the bot checks
with getChatMember that it may invite and remove members there and that the creator administers it); a new
subscriber gets "Join the channel", which makes a one-person invite link that expires soon; when the
subscription ends the bot bans them, and unbans them once Telegram confirms, so a later subscription lets them
back in."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ChatMember, ChatMemberAdministrator, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ChatMemberHandler

from handlers.content import text as content_text
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import ApiCall, OutboundMessage
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.accounts.access import Permission
from subscriptions.billing.events import (
    SubscriptionCanceled,
    SubscriptionResumed,
    SubscriptionStarted,
    SubscriptionSuspended,
)
from subscriptions.content.channels import INVITE_LIFETIME, ChannelRights
from subscriptions.content.errors import ChannelNotUsable, ContentError
from subscriptions.content.services import channels, creators

UNUSABLE = {
    "not_a_channel": N_("That is not a channel I can find. Send its @username, like /tierchannel @hanas_live."),
    "bot_not_admin": N_("Please make me an administrator of the channel, allowed to invite users and ban members, "
                        "then try again."),
    "owner_not_admin": N_("Only an administrator of the channel can link it to a tier."),
}


@dataclass(frozen=True)
class LinkTierChannel(ButtonData, prefix="ctch"):
    tier_id: str
    channel: int  # the channel's id without its minus sign: buttons carry whole numbers only

    @property
    def chat_id(self) -> int:
        return -self.channel


@dataclass(frozen=True)
class JoinTierChannel(ButtonData, prefix="ctjoin"):
    tier_id: str


async def _rights(context: JigapContext, chat: int | str) -> tuple[int, ChannelRights]:
    """What Telegram says of the bot's and the creator's places in `chat`."""
    try:
        found = await context.bot.get_chat(chat)
        if found.type != "channel":
            return found.id, ChannelRights(False, False, False)
        mine = await context.bot.get_chat_member(found.id, context.bot.id)
        theirs = await context.bot.get_chat_member(found.id, context.member.id)
    except Forbidden:  # a channel the bot is not in: Telegram lets it see nothing there
        return 0, ChannelRights(True, False, False)
    except TelegramError:
        return 0, ChannelRights(False, False, False)
    bot_may = (isinstance(mine, ChatMemberAdministrator) and bool(mine.can_invite_users)
               and bool(mine.can_restrict_members))
    return found.id, ChannelRights(True, bot_may, theirs.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR))


def _refusal(error: ContentError, context: JigapContext) -> str:
    if isinstance(error, ChannelNotUsable):
        return context.tr(UNUSABLE[error.why])
    return content_text.refusal(error, context.tr)


async def tier_channel(update: Update, context: JigapContext) -> None:
    """/tierchannel @channel: check the channel, then ask which tier it belongs to."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    named = (context.args or [""])[0]
    if not named:
        await message.reply_text(tr(UNUSABLE["not_a_channel"]))
        return
    chat_id, rights = await _rights(context, named if named.startswith("@") or not named.lstrip("-").isdigit()
                                    else int(named))
    try:
        channels.check_rights(rights)
        creator = await creators.my_creator(context.services.content, context.member.id)
        tiers = await creators.tiers_with_prices(context.services.content, creator.org_id) if creator else []
    except ContentError as error:
        await message.reply_text(_refusal(error, context))
        return
    if not tiers:
        await message.reply_text(tr("Add a tier first: its subscribers are the ones let into the channel."))
        return
    rows = [[LinkTierChannel(t.tier.id, -chat_id).button(t.tier.name)] for t in tiers]
    await message.reply_text(tr("Which tier's subscribers may join this channel?"),
                             reply_markup=InlineKeyboardMarkup(rows))


async def link_button(update: Update, context: JigapContext, data: LinkTierChannel) -> None:
    """Link again only after checking the channel again: rights may have changed since the question."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    _, rights = await _rights(context, data.chat_id)
    try:
        tier = await channels.link_channel(context.services.content, context.member.id, data.tier_id, data.chat_id,
                                           rights)
    except ContentError as error:
        await query.answer(_refusal(error, context), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(tr("Linked: subscribers of {tier} get a one-person link to the channel, and "
                                     "leave it when their subscription ends.", tier=tier.name))


async def join_button(update: Update, context: JigapContext, data: JoinTierChannel) -> None:
    """A fresh link for one person, valid for a few minutes, made only while the subscription is live."""
    query = update.callback_query
    assert query is not None and query.message is not None
    tr = context.tr
    try:
        chat_id = await channels.admit(context.services.content, context.member.id, data.tier_id)
    except ContentError:
        await query.answer(tr("Your subscription does not include this channel any more."), show_alert=True)
        return
    link = await context.bot.create_chat_invite_link(
        chat_id, member_limit=1, expire_date=context.services.clock.now() + INVITE_LIFETIME,
        name=f"jigap {context.member.id}"[:32])
    await query.answer()
    await context.bot.send_message(query.message.chat.id, tr("Your link to the channel, for you alone, valid for 15 "
                                                             "minutes:"),
                                   reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(
                                       tr("Join the channel"), url=link.invite_link)]]))


async def channel_member_changed(update: Update, context: JigapContext) -> None:
    """`chat_member` in a channel: note who joined; unban someone we removed, once Telegram confirms the ban."""
    change = update.chat_member
    if change is None or change.chat.type != "channel":
        return
    user_id, status = change.new_chat_member.user.id, change.new_chat_member.status
    if await channels.member_changed(context.services.content, change.chat.id, user_id, status):
        await context.bot.unban_chat_member(change.chat.id, user_id, only_if_banned=True)


async def _welcome(subscription_id: str, notices: NoticeContext) -> list[Notice]:
    found = await channels.tier_of_subscription(notices.services.content, subscription_id)
    if found is None:
        return []
    tier, user_id = found
    reader = await notices.reader(user_id)
    text = reader.tr("Your subscription to {tier} includes its Telegram channel.", tier=tier.name)
    button = JoinTierChannel(tier.id).outbound(reader.tr("Join the channel"))
    return [Notice(reader.chat_id, OutboundMessage(text, ((button,),)).payload())]


async def started(event: SubscriptionStarted, notices: NoticeContext) -> list[Notice]:
    return await _welcome(event.subscription_id, notices)


async def resumed(event: SubscriptionResumed, notices: NoticeContext) -> list[Notice]:
    return await _welcome(event.subscription_id, notices)


async def _let_out(subscription_id: str, notices: NoticeContext) -> list[Notice]:
    found = await channels.tier_of_subscription(notices.services.content, subscription_id)
    if found is None:
        return []
    tier, user_id = found
    removals = await channels.lapsed(notices.services.content, user_id, tier.id)
    return [Notice(removal.chat_id, ApiCall("banChatMember", {"chat_id": removal.chat_id, "user_id": user_id},
                                            done_if=("USER_NOT_PARTICIPANT",)).payload()) for removal in removals]


async def canceled(event: SubscriptionCanceled, notices: NoticeContext) -> list[Notice]:
    return await _let_out(event.subscription_id, notices)


async def suspended(event: SubscriptionSuspended, notices: NoticeContext) -> list[Notice]:
    return await _let_out(event.subscription_id, notices)


def register(routes: Routes) -> None:
    routes.command("tierchannel", tier_channel, permission=Permission.PUBLISH,
                   help=N_("let a tier's subscribers into your Telegram channel: /tierchannel @channel"))
    routes.button(LinkTierChannel, link_button, permission=Permission.PUBLISH)
    routes.button(JoinTierChannel, join_button)
    routes.message(ChatMemberHandler(channel_member_changed, ChatMemberHandler.CHAT_MEMBER))
    routes.on_event(SubscriptionStarted, started)
    routes.on_event(SubscriptionResumed, resumed)
    routes.on_event(SubscriptionCanceled, canceled)
    routes.on_event(SubscriptionSuspended, suspended)
