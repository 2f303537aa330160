"""Middleware (group -1): load the member behind each update and pick their language, refuse a banned person
(politely, and nothing else runs for them); and what Telegram says when a user blocks the bot."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import ChatMember, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.core.context import JigapContext
from subscriptions.accounts.errors import StaleUsername
from subscriptions.accounts.members import TelegramProfile

if TYPE_CHECKING:
    from bot.bootstrap import Services

log = logging.getLogger(__name__)


async def load_member(update: object, context: JigapContext) -> None:
    """Keep the user row up to date and bind the member and their translator to the context."""
    if not isinstance(update, Update) or update.effective_user is None or update.effective_user.is_bot:
        return
    user = update.effective_user
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    member = await context.services.members.member_for(profile_of(user, private=private))
    translations = context.services.translations
    language = translations.pick(member.user.language, member.user.telegram_language)
    context.bind_member(member, translations.get(language))
    if member.user.is_banned and update.my_chat_member is None:  # blocking the bot is still noted
        await refuse_banned(update, context)
        raise ApplicationHandlerStop  # no feature handler runs for a banned person
    context.services.stats.note_active(member.id)


async def refuse_banned(update: Update, context: JigapContext) -> None:
    """One short refusal in their language, at most once a minute whatever they send (a flood stays quiet)."""
    tell = context.services.members.banned_notices.may_tell(context.member.id, context.services.clock.now())
    text = context.tr("Sorry, your account can no longer use this bot.")
    query = update.callback_query
    try:
        if query is not None:
            await query.answer(text if tell else None, show_alert=tell)
        elif tell and update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:  # the refusal is a courtesy: nothing depends on it arriving
        log.info("could not tell banned user %s (%r)", context.member.id, error)


def profile_of(user: User, *, private: bool) -> TelegramProfile:
    return TelegramProfile(user.id, user.username, user.first_name, user.last_name, user.language_code, private)


async def tell_slow_down(update: Update, services: Services) -> None:
    """The one notice a person gets when they send faster than their budget (bot.user_budget)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    translations = services.translations
    try:
        member = await services.members.member_for(profile_of(user, private=chat.type == ChatType.PRIVATE))
        language = translations.pick(member.user.language, member.user.telegram_language)
    except Exception as error:  # the notice matters more than the stored language choice
        log.warning("could not load user %s for the slow-down notice (%r)", user.id, error)
        language = translations.pick(None, user.language_code)
    tr = translations.get(language)
    text = tr("You are sending messages faster than I can answer, so I skipped some of them. Wait a moment, "
              "then send the last one again.")
    try:
        await update.get_bot().send_message(chat.id, text)
    except TelegramError as error:
        log.warning("could not send the slow-down notice to chat %s (%r)", chat.id, error)


async def chat_member_changed(update: Update, context: JigapContext) -> None:
    """`my_chat_member` in a private chat: the user blocked the bot ("kicked"). Mark them unreachable now
    rather than at the next refused send. (Coming back is any update from them: the member middleware
    above clears the mark.)"""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await context.services.delivery.chat_blocked(change.chat.id)


def stale_username_text(context: JigapContext, error: StaleUsername) -> str:
    """Whose a @username was when last seen, and that the id picks them for sure: a choice, not a guess."""
    return context.tr(
        "{who} was last seen on the account of {name} (id {id}) on {date}; the name may belong to someone else "
        "by now. If you mean {name}, use the id instead: {id}",
        who=error.who, name=error.display_name, id=str(error.user_id), date=f"{error.last_seen_at:%Y-%m-%d}")
