"""Admin commands: /admin (the console's first screen, each domain's sections a tap away), /grant and /revoke_role
(with confirmation), /whois.

Every entry point and every button press asks the one permission check again; refusals are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update

from handlers.core.buttons import ButtonData
from handlers.core.console import ConsoleHome, show
from handlers.core.context import JigapContext
from handlers.core.guard import allowed
from handlers.core.members import stale_username_text
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.accounts import audit, roles
from subscriptions.accounts.access import Permission, Role
from subscriptions.accounts.errors import (
    AccountsError,
    ActionGone,
    RoleNeedsOrganisation,
    StaleUsername,
    UnknownOrganisation,
    UnknownRole,
    UnknownUser,
)
from subscriptions.accounts.roles import RoleChange


class AdminStep(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"


@dataclass(frozen=True)
class RoleChangeAnswer(ButtonData, prefix="adm"):
    """Confirm or Cancel of a /grant or /revoke_role."""

    step: AdminStep
    action_id: str


@dataclass(frozen=True)
class AdminSectionButton(ButtonData, prefix="admsec"):
    """A section of /admin, by the key its domain registered."""

    key: str


def explain(context: JigapContext, error: AccountsError) -> str:
    """An accounts refusal as a sentence in the admin's language."""
    tr = context.tr
    if isinstance(error, StaleUsername):
        return stale_username_text(context, error)
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


def first_screen(context: JigapContext) -> tuple[str, InlineKeyboardMarkup]:
    """The console's first screen: a headline and a button for each section the admin may open."""
    tr = context.tr
    text = "\n".join([
        tr("Admin console"),
        tr("Choose a section. Commands: /grant, /revoke_role, /whois."),
    ])
    sections = sorted((section for section in context.services.routes.admin_sections.values()
                       if context.member.may(section.permission)), key=lambda section: section.order)
    return text, InlineKeyboardMarkup([[AdminSectionButton(section.key).button(tr(section.label))]
                                       for section in sections])


async def admin_menu(update: Update, context: JigapContext) -> None:
    """/admin: the console's one message, which every section then draws itself into."""
    await audit.record(context.services.accounts, context.member, "admin.menu")
    text, keyboard = first_screen(context)
    await show(update, context, text, keyboard)


async def home(update: Update, context: JigapContext, data: ConsoleHome) -> None:
    """« Console: back to the first screen, in the same message."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    text, keyboard = first_screen(context)
    await show(update, context, text, keyboard)


async def propose_grant(update: Update, context: JigapContext) -> None:
    """/grant @user role [organisation]: ask for confirmation first."""
    await _propose(update, context, "grant")


async def propose_revoke(update: Update, context: JigapContext) -> None:
    """/revoke_role @user role [organisation]: ask for confirmation first."""
    await _propose(update, context, "revoke")


async def _propose(update: Update, context: JigapContext, kind: str) -> None:
    assert update.effective_message is not None
    args = context.args or []
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
        await update.effective_message.reply_text(explain(context, error))
        return
    keyboard = InlineKeyboardMarkup([[
        RoleChangeAnswer(AdminStep.CONFIRM, change.action_id).button(tr("Confirm")),
        RoleChangeAnswer(AdminStep.CANCEL, change.action_id).button(tr("Cancel")),
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


async def open_section(update: Update, context: JigapContext, data: AdminSectionButton) -> None:
    """A section of /admin; its own permission is checked again on the press."""
    query = update.callback_query
    assert query is not None
    section = context.services.routes.admin_sections.get(data.key)
    if section is None:
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    if not await allowed(update, context, section.permission):
        return
    await query.answer()
    await section.open(update, context)


async def answer_button(update: Update, context: JigapContext, data: RoleChangeAnswer) -> None:
    """Confirm or cancel; the permission is checked again on every press (by the route)."""
    query = update.callback_query
    assert query is not None
    step, action_id = data.step, data.action_id
    tr = context.tr
    if step is AdminStep.CANCEL:
        cancelled = await roles.cancel_pending(context.services.accounts, context.member, action_id)
        await query.answer()
        await query.edit_message_text(tr("Cancelled.") if cancelled else tr("This confirmation has expired or was already used."))
        return
    try:
        change, changed = await roles.confirm_role_change(context.services.accounts, context.member, action_id)
    except ActionGone as error:
        await query.answer(explain(context, error), show_alert=True)
        return
    await query.answer()
    text = _describe(context, change, asking=False)
    if not changed:
        text = tr("Nothing to change: {who} already had it so.", who=change.target.display_name)
    await query.edit_message_text(text)


async def whois(update: Update, context: JigapContext) -> None:
    """/whois @user: the user's names, language and roles."""
    assert update.effective_message is not None
    args = context.args or []
    tr = context.tr
    if len(args) != 1:
        await update.effective_message.reply_text(tr("Usage: {command} @user", command="/whois"))
        return
    try:
        found = await roles.whois(context.services.accounts, args[0])
    except AccountsError as error:
        await update.effective_message.reply_text(explain(context, error))
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


def register(routes: Routes) -> None:
    routes.command("admin", admin_menu, permission=Permission.ADMIN_MENU, help=N_("the admin menu"))
    routes.command("grant", propose_grant, permission=Permission.ADMIN_GRANT,
                   help=N_("give someone a role, e.g. /grant @minji shop_owner cafe-onda"))
    routes.command("revoke_role", propose_revoke, permission=Permission.ADMIN_GRANT, help=N_("take a role away"))
    routes.command("whois", whois, permission=Permission.ADMIN_WHOIS, help=N_("who someone is and their roles"))
    routes.button(RoleChangeAnswer, answer_button, permission=Permission.ADMIN_GRANT)
    routes.button(AdminSectionButton, open_section, permission=Permission.ADMIN_MENU)
    routes.button(ConsoleHome, home, permission=Permission.ADMIN_MENU)
