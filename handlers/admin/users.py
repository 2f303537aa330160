"""The console's users: find someone by @username or id, see their profile, ban and unban them (confirmed
first); also /ban and /unban. Every press asks the permission again (the routes' guard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from telegram import InlineKeyboardButton, Update

from bot.i18n import date_text, time_text
from handlers.admin.console import explain
from handlers.core.buttons import ButtonData
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from subscriptions.accounts import bans, roles
from subscriptions.accounts.access import Permission
from subscriptions.accounts.console import InputStep, wait_for
from subscriptions.accounts.errors import AccountsError, CannotBanYourself, LastPlatformAdmin
from subscriptions.flows import Flow


class UserStep(StrEnum):
    PROFILE = "p"
    BAN = "b"
    UNBAN = "u"


@dataclass(frozen=True)
class UserAction(ButtonData, prefix="admusr"):
    """On a person's profile: show it again, or ask to ban or unban them."""

    step: UserStep
    user_id: int


class BanStep(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"


@dataclass(frozen=True)
class BanAnswer(ButtonData, prefix="admban"):
    """Confirm or Cancel of a ban or an unban."""

    step: BanStep
    action_id: str
    user_id: int


def _refusal(context: JigapContext, error: AccountsError) -> str:
    tr = context.tr
    if isinstance(error, CannotBanYourself):
        return tr("You cannot ban yourself.")
    if isinstance(error, LastPlatformAdmin):
        return tr("{who} is the last platform admin who can act; make someone else an admin first.", who=str(error))
    return explain(context, error)


async def open_users(update: Update, context: JigapContext) -> None:
    """The section: it waits for a @username or an id."""
    chat = update.effective_chat
    await wait_for(context.services.accounts, context.member, InputStep.USER_SEARCH,
                   chat_id=chat.id if chat else None)
    tr = context.tr
    await show(update, context, "\n".join([tr("Users"), tr("Type a @username or a numeric id to find someone.")]),
               with_home(context))


async def search_input(update: Update, context: JigapContext, flow: Flow) -> None:
    """What the admin typed in the users section: the person's profile, or why nobody was found."""
    assert update.effective_message is not None
    if not await allowed(update, context, Permission.ADMIN_USERS):
        return
    who = (update.effective_message.text or "").strip()
    try:
        found = await roles.whois(context.services.accounts, who)
    except AccountsError as error:
        await update.effective_message.reply_text(
            explain(context, error) + "\n" + context.tr("Type a @username or a numeric id to find someone."))
        return
    await _show_profile(update, context, found)


async def _show_profile(update: Update, context: JigapContext, found: roles.Whois, note: str = "") -> None:
    tr = context.tr
    user = found.user
    now, timezone, language = context.services.clock.now(), context.member.user.timezone, tr.language

    def moment(at: datetime) -> str:
        return f"{date_text(at, language, timezone, now=now)} {time_text(at, timezone)}"

    held = [grant.role + (f" @ {found.organisations[grant.org_id].name}" if grant.org_id in found.organisations
                          else "") for grant in found.grants]
    yes, no = tr("yes"), tr("no")
    lines = [line for line in [note] if line] + [
        user.display_name,
        tr("Username: {username}", username=f"@{user.username}" if user.username else "-"),
        tr("Id: {id}", id=str(user.id)),
        tr("Language: {language}, time zone: {timezone}", language=user.language or user.telegram_language or "-",
           timezone=user.timezone),
        tr("Joined: {when}", when=moment(user.created_at)),
        tr("Last seen: {when}", when=moment(user.last_seen_at)),
        tr("Roles: {roles}", roles=", ".join(held) if held else tr("none")),
        tr("Blocked the bot: {answer}", answer=yes if user.is_bot_blocked else no),
        tr("Banned: {answer}", answer=yes if user.is_banned else no),
    ]
    action = (UserAction(UserStep.UNBAN, user.id).button(tr("Unban")) if user.is_banned
              else UserAction(UserStep.BAN, user.id).button(tr("Ban")))
    await show(update, context, "\n".join(lines), with_home(context, [[action]]))


async def user_button(update: Update, context: JigapContext, data: UserAction) -> None:
    query = update.callback_query
    assert query is not None
    accounts = context.services.accounts
    try:
        if data.step is UserStep.PROFILE:
            await query.answer()
            await _show_profile(update, context, await roles.whois(accounts, str(data.user_id)))
            return
        proposal = await bans.propose(accounts, context.member, data.user_id, banned=data.step is UserStep.BAN)
    except AccountsError as error:
        await query.answer(_refusal(context, error), show_alert=True)
        return
    await query.answer()
    await _ask(update, context, proposal)


async def _ask(update: Update, context: JigapContext, proposal: bans.BanProposal) -> None:
    tr = context.tr
    who = proposal.target.display_name
    text = (tr("Ban {who}? They will be refused politely whatever they send, and the messages waiting for them "
               "will be dropped.", who=who) if proposal.banned
            else tr("Lift the ban on {who}?", who=who))
    rows: list[list[InlineKeyboardButton]] = [[
        BanAnswer(BanStep.CONFIRM, proposal.action_id, proposal.target.id).button(tr("Confirm")),
        BanAnswer(BanStep.CANCEL, proposal.action_id, proposal.target.id).button(tr("Cancel")),
    ]]
    await show(update, context, text, with_home(context, rows))


async def ban_answer(update: Update, context: JigapContext, data: BanAnswer) -> None:
    """Confirm applies the ban (once: a second tap finds it used); Cancel goes back to the profile."""
    query = update.callback_query
    assert query is not None
    accounts, tr = context.services.accounts, context.tr
    try:
        if data.step is BanStep.CANCEL:
            await bans.cancel(accounts, context.member, data.action_id)
            await query.answer(tr("Cancelled."))
            await _show_profile(update, context, await roles.whois(accounts, str(data.user_id)))
            return
        done = await bans.confirm(accounts, context.member, data.action_id)
    except AccountsError as error:
        await query.answer(_refusal(context, error), show_alert=True)
        return
    await query.answer()
    who = done.target.display_name
    if not done.changed:
        note = tr("Nothing to change: {who} already had it so.", who=who)
    elif done.banned:
        note = tr.plural("{who} is banned; {count} waiting message was dropped.",
                         "{who} is banned; {count} waiting messages were dropped.", done.dropped, who=who)
    else:
        note = tr("{who} is no longer banned.", who=who)
    await _show_profile(update, context, await roles.whois(accounts, str(done.target.id)), note)


async def ban_command(update: Update, context: JigapContext) -> None:
    """/ban @user: the same confirmation as the console's Ban."""
    await _ban_command(update, context, banned=True)


async def unban_command(update: Update, context: JigapContext) -> None:
    """/unban @user: the same confirmation as the console's Unban."""
    await _ban_command(update, context, banned=False)


async def _ban_command(update: Update, context: JigapContext, *, banned: bool) -> None:
    assert update.effective_message is not None
    args = context.args or []
    if len(args) != 1:
        command = "/ban" if banned else "/unban"
        await update.effective_message.reply_text(context.tr("Usage: {command} @user", command=command))
        return
    accounts = context.services.accounts
    try:
        found = await roles.whois(accounts, args[0])
        proposal = await bans.propose(accounts, context.member, found.user.id, banned=banned)
    except AccountsError as error:
        await update.effective_message.reply_text(_refusal(context, error))
        return
    await _ask(update, context, proposal)


def register(routes: Routes) -> None:
    routes.command("ban", ban_command, permission=Permission.ADMIN_USERS,
                   help=N_("ban someone (after a confirmation), e.g. /ban @spammer"))
    routes.command("unban", unban_command, permission=Permission.ADMIN_USERS, help=N_("lift a ban"))
    routes.button(UserAction, user_button, permission=Permission.ADMIN_USERS)
    routes.button(BanAnswer, ban_answer, permission=Permission.ADMIN_USERS)
    routes.add_admin_section(AdminSection("users", N_("Users"), Permission.ADMIN_USERS, open_users, order=10))
