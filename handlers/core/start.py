"""/start (with deep links), /help and the main menu."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.core import callback_data
from handlers.core.context import JigapContext
from handlers.core.text import N_
from subscriptions.accounts.access import Permission

log = logging.getLogger(__name__)


def main_menu(context: JigapContext) -> InlineKeyboardMarkup | None:
    tr = context.tr
    entries = context.services.routes.menu_entries()
    if not entries:
        return None
    buttons = [InlineKeyboardButton(tr(entry.label), callback_data=callback_data.make("menu", entry.key)) for entry in entries]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows)


async def start(update: Update, context: JigapContext) -> None:
    """Greet, or hand a deep-link payload to the feature that registered its prefix."""
    assert update.effective_message is not None
    if context.args:
        payload = context.args[0]
        route = context.services.routes.resolve(payload)
        if route is None:
            log.info("unknown or malformed deep link from %s: %r", context.member.id, payload[:80])
            await update.effective_message.reply_text(context.tr("This link is not valid or has expired."))
            return
        handler, rest = route
        await handler(update, context, rest)
        return
    tr = context.tr
    name = context.member.user.first_name or context.member.user.display_name
    text = tr("Hello, {name}! This is jigap, your wallet in the chat.", name=name) + "\n" + tr(
        "Choose what you would like to do:"
    )
    await update.effective_message.reply_text(text, reply_markup=main_menu(context))


HELP_SECTIONS: tuple[tuple[Permission | None, str, tuple[tuple[str, str], ...]], ...] = (
    (None, N_("What I can do:"), (
        ("/start", N_("the main menu")),
        ("/wallet", N_("your ID cards: show a QR, details, history")),
        ("/verify", N_("check a card someone shows you (send a photo of its QR)")),
        ("/verify_request", N_("ask someone to share claims, e.g. /verify_request name, age over 19")),
        ("/subscriptions", N_("your subscriptions: renew, pause, cancel, change plan")),
        ("/receipts", N_("your receipts")),
        ("/settings", N_("reminders, quiet hours, time zone")),
        ("/language", N_("choose Korean or English")),
        ("/help", N_("this list")),
    )),
    (Permission.ISSUE_CREDENTIAL, N_("For issuers:"), (
        ("/issue", N_("issue a card (or upload a CSV for many)")),
        ("/revoke /suspend /reinstate", N_("change the status of a card you issued")),
    )),
    (Permission.MANAGE_OFFERS, N_("For merchants:"), (
        ("/offers", N_("your offers and plans")),
        ("/earnings", N_("balance and statement")),
    )),
    (Permission.BROADCAST, N_("For shops:"), (
        ("/broadcast", N_("send a message to your followers")),
    )),
    (Permission.ADMIN_MENU, N_("For platform admins:"), (
        ("/admin", N_("the admin menu")),
        ("/grant /revoke_role", N_("give or take a role")),
        ("/whois", N_("who someone is and their roles")),
    )),
)


async def help_command(update: Update, context: JigapContext) -> None:
    """List what this user can do: everyone's commands, then those their roles allow."""
    assert update.effective_message is not None
    tr = context.tr
    lines: list[str] = []
    for permission, title, commands in HELP_SECTIONS:
        if permission is not None and not context.member.may(permission):
            continue
        lines.append(("\n" if lines else "") + tr(title))
        lines.extend(f"{command} — {tr(description)}" for command, description in commands)
    await update.effective_message.reply_text("\n".join(lines))


async def unrecognised_text(update: Update, context: JigapContext) -> None:
    """Text no feature was waiting for: say so kindly and offer the menu."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        context.tr("I'm not sure what you mean. Choose from the menu, or see /help."), reply_markup=main_menu(context)
    )


async def open_menu(update: Update, context: JigapContext) -> None:
    """A main-menu button: open the feature that registered it."""
    query = update.callback_query
    assert query is not None
    data = callback_data.parse(query.data)
    entry = context.services.routes.menu.get(data.part(0) or "") if data else None
    if entry is None:
        await query.answer(context.tr("This button is no longer available."), show_alert=True)
        return
    await query.answer()
    await entry.open(update, context)


async def stale_button(update: Update, context: JigapContext) -> None:
    """A press no handler claims (old or forged data): say so instead of leaving the spinner running."""
    query = update.callback_query
    assert query is not None
    log.info("unclaimed callback data from %s: %r", context.member.id if context.has_member else "?", (query.data or "")[:64])
    await query.answer(context.tr("This button is no longer available."), show_alert=True)
