"""Middleware (group -1): load the member behind each update and pick their language; and what Telegram
says when a user blocks the bot."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType

from handlers.core.context import JigapContext
from subscriptions.accounts.errors import StaleUsername
from subscriptions.accounts.members import TelegramProfile


async def load_member(update: object, context: JigapContext) -> None:
    """Keep the user row up to date and bind the member and their translator to the context."""
    if not isinstance(update, Update) or update.effective_user is None or update.effective_user.is_bot:
        return
    user = update.effective_user
    profile = TelegramProfile(user.id, user.username, user.first_name, user.last_name, user.language_code)
    member = await context.services.members.member_for(profile)
    translations = context.services.translations
    language = translations.pick(member.user.language, member.user.telegram_language)
    context.bind_member(member, translations.get(language))


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
