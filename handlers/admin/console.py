"""Admin commands: /admin (a menu), /grant and /revoke_role (with confirmation), /whois.

Every entry point and every button press asks the one permission check again; refusals are audited.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.core import callback_data
from handlers.core.context import JigapContext
from subscriptions.accounts import audit, roles
from subscriptions.accounts.access import Permission, Role
from subscriptions.accounts.errors import (
    AccountsError,
    ActionGone,
    RoleNeedsOrganisation,
    UnknownOrganisation,
    UnknownRole,
    UnknownUser,
)
from subscriptions.accounts.roles import RoleChange


async def _allowed(update: Update, context: JigapContext, permission: Permission, target: str | None = None) -> bool:
    decision = await audit.authorize(context.services.accounts, context.member, permission, target=target)
    if decision.allowed:
        return True
    text = context.tr("Sorry, this is only for platform admins.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return False


def _explain(context: JigapContext, error: AccountsError) -> str:
    tr = context.tr
    if isinstance(error, UnknownUser):
        return tr("I don't know {who}: they must have started the bot first.", who=str(error))
    if isinstance(error, UnknownRole):
        return tr("There is no role called {role}. Roles: {roles}", role=str(error),
                  roles=", ".join(role.value for role in Role))
    if isinstance(error, UnknownOrganisation):
        return tr("There is no organisation called {org}.", org=str(error))
    if isinstance(error, RoleNeedsOrganisation):
        return tr("The role {role} needs an organisation of the right kind.", role=str(error))
    return tr("This confirmation has expired or was already used.")


async def admin_menu(update: Update, context: JigapContext) -> None:
    """The admin menu: what admins can do, with the recent audit log a tap away."""
    assert update.effective_message is not None
    if not await _allowed(update, context, Permission.ADMIN_MENU):
        return
    tr = context.tr
    text = "\n".join([
        tr("Admin menu"),
        "/grant @user role [organisation] — " + tr("give a role"),
        "/revoke_role @user role [organisation] — " + tr("take a role away"),
        "/whois @user — " + tr("who someone is and their roles"),
    ])
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(tr("Recent audit log"), callback_data=callback_data.make("adm", "log"))]])
    await audit.record(context.services.accounts, context.member, "admin.menu")
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def propose_grant(update: Update, context: JigapContext) -> None:
    """/grant @user role [organisation]: ask for confirmation first."""
    await _propose(update, context, "grant")


async def propose_revoke(update: Update, context: JigapContext) -> None:
    """/revoke_role @user role [organisation]: ask for confirmation first."""
    await _propose(update, context, "revoke")


async def _propose(update: Update, context: JigapContext, kind: str) -> None:
    assert update.effective_message is not None
    args = context.args or []
    if not await _allowed(update, context, Permission.ADMIN_GRANT, target=" ".join(args)[:200] or None):
        return
    tr = context.tr
    command = "/grant" if kind == "grant" else "/revoke_role"
    if len(args) not in (2, 3):
        await update.effective_message.reply_text(tr("Usage: {command} @user role [organisation]", command=command))
        return
    try:
        change = await roles.propose_role_change(
            context.services.accounts, context.member, kind, args[0], args[1], args[2] if len(args) == 3 else None
        )
    except AccountsError as error:
        await update.effective_message.reply_text(_explain(context, error))
        return
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(tr("Confirm"), callback_data=callback_data.make("adm", "ok", change.action_id)),
        InlineKeyboardButton(tr("Cancel"), callback_data=callback_data.make("adm", "no", change.action_id)),
    ]])
    await update.effective_message.reply_text(_describe(context, change, asking=True), reply_markup=keyboard)


def _describe(context: JigapContext, change: RoleChange, *, asking: bool) -> str:
    tr = context.tr
    where = change.organisation.name if change.organisation else tr("the platform")
    who = change.target.display_name
    if change.kind == "grant":
        if asking:
            return tr("Give {who} the role {role} in {where}?", who=who, role=change.role.value, where=where)
        return tr("{who} now has the role {role} in {where}.", who=who, role=change.role.value, where=where)
    if asking:
        return tr("Take the role {role} in {where} away from {who}?", who=who, role=change.role.value, where=where)
    return tr("{who} no longer has the role {role} in {where}.", who=who, role=change.role.value, where=where)


async def answer_button(update: Update, context: JigapContext) -> None:
    """Confirm, cancel, or show the audit log; the permission is checked again on every press."""
    query = update.callback_query
    assert query is not None
    if not await _allowed(update, context, Permission.ADMIN_GRANT):
        return
    data = callback_data.parse(query.data)
    step, action_id = (data.part(0), data.part(1)) if data else (None, None)
    tr = context.tr
    if step == "log":
        await query.answer()
        await _show_audit(update, context)
        return
    if step not in ("ok", "no") or not action_id:
        await query.answer(tr("This button is no longer available."), show_alert=True)
        return
    if step == "no":
        cancelled = await roles.cancel_pending(context.services.accounts, context.member, action_id)
        await query.answer()
        await query.edit_message_text(tr("Cancelled.") if cancelled else tr("This confirmation has expired or was already used."))
        return
    try:
        change, changed = await roles.confirm_role_change(context.services.accounts, context.member, action_id)
    except ActionGone as error:
        await query.answer(_explain(context, error), show_alert=True)
        return
    await query.answer()
    text = _describe(context, change, asking=False)
    if not changed:
        text = tr("Nothing to change: {who} already had it so.", who=change.target.display_name)
    await query.edit_message_text(text)


async def _show_audit(update: Update, context: JigapContext) -> None:
    assert update.effective_chat is not None
    entries = await audit.recent(context.services.accounts, limit=10)
    tr = context.tr
    lines = [tr("Recent audit log")]
    for entry in entries:
        when = entry.at.strftime("%m-%d %H:%M")
        lines.append(f"{when} · {entry.actor_id} · {entry.action} · {entry.outcome}" + (f" · {entry.target}" if entry.target else ""))
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines))


async def whois(update: Update, context: JigapContext) -> None:
    """/whois @user: the user's names, language and roles."""
    assert update.effective_message is not None
    args = context.args or []
    if not await _allowed(update, context, Permission.ADMIN_WHOIS, target=" ".join(args)[:200] or None):
        return
    tr = context.tr
    if len(args) != 1:
        await update.effective_message.reply_text(tr("Usage: {command} @user", command="/whois"))
        return
    try:
        found = await roles.whois(context.services.accounts, args[0])
    except AccountsError as error:
        await update.effective_message.reply_text(_explain(context, error))
        return
    user = found.user
    held = [
        grant.role + (f" @ {found.organisations[grant.org_id].name}" if grant.org_id in found.organisations else "")
        for grant in found.grants
    ]
    lines = [
        f"{user.display_name} (id {user.id}" + (f", @{user.username}" if user.username else "") + ")",
        tr("Language: {language}, time zone: {timezone}", language=user.language or user.telegram_language or "-",
           timezone=user.timezone),
        tr("Roles: {roles}", roles=", ".join(held) if held else tr("none")),
        tr("Blocked the bot: {answer}", answer=tr("yes") if user.is_bot_blocked else tr("no")),
    ]
    await audit.record(context.services.accounts, context.member, "admin.whois", target=str(user.id))
    await update.effective_message.reply_text("\n".join(lines))
