"""/start (with deep links), /help and the main menu."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers import callback_data
from handlers.context import JigapContext

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


async def help_command(update: Update, context: JigapContext) -> None:
    """List what a user can do."""
    assert update.effective_message is not None
    tr = context.tr
    lines = [
        tr("What I can do:"),
        "/start — " + tr("the main menu"),
        "/language — " + tr("choose Korean or English"),
        "/help — " + tr("this list"),
    ]
    await update.effective_message.reply_text("\n".join(lines))


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
