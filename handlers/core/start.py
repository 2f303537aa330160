"""/start (with deep links), /help and the main menu."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, MessageEntity, Update
from telegram.ext import MessageHandler, filters

from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.routing import CommandRoute, Routes
from handlers.core.text import N_
from subscriptions.accounts.access import Permission

if TYPE_CHECKING:
    from bot.i18n import Translator

log = logging.getLogger(__name__)
# After every feature's message handlers (and the catch-all for plain text): a command nobody registered.
UNKNOWN_COMMAND_GROUP = 60


@dataclass(frozen=True)
class MenuButton(ButtonData, prefix="menu"):
    """A main-menu entry, by the key its feature registered."""

    key: str


def main_menu(context: JigapContext) -> InlineKeyboardMarkup | None:
    tr = context.tr
    entries = context.services.routes.menu_entries()
    if not entries:
        return None
    buttons = [MenuButton(entry.key).button(tr(entry.label)) for entry in entries]
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


# The blocks of /help by whom a command is for; a permission missing here lands under "Also for you:".
HELP_BLOCKS: tuple[tuple[str, frozenset[Permission | None]], ...] = (
    (N_("What I can do:"), frozenset({None})),
    (N_("For issuers:"), frozenset({Permission.ISSUE_CREDENTIAL, Permission.REVOKE_CREDENTIAL})),
    (N_("For merchants:"), frozenset({Permission.MANAGE_OFFERS, Permission.VIEW_EARNINGS, Permission.BROADCAST,
                                     Permission.REDEEM_PASS, Permission.MANAGE_SHOP, Permission.MANAGE_RENTALS})),
    (N_("For platform admins:"), frozenset({Permission.ADMIN_MENU, Permission.ADMIN_GRANT, Permission.ADMIN_WHOIS,
                                           Permission.ADMIN_AUDIT, Permission.ADMIN_BROADCAST,
                                           Permission.ADMIN_USERS, Permission.ADMIN_ORGS,
                                           Permission.MODERATE_CONTENT, Permission.MODERATE_SHOPS})),
)
OTHER_BLOCK = N_("Also for you:")


def help_text(commands: list[CommandRoute], tr: Translator, may: Callable[[Permission], bool]) -> str:
    """The commands under the title of whom each is for (for this person), in the order they were registered."""
    blocks: dict[str, list[str]] = {title: [] for title, _ in HELP_BLOCKS}
    for command in commands:
        audience = command.audience_for(may)
        title = next((title for title, audiences in HELP_BLOCKS if audience in audiences), OTHER_BLOCK)
        blocks.setdefault(title, []).append(f"/{command.name} — {tr(command.help)}")
    return "\n\n".join("\n".join([tr(title), *lines]) for title, lines in blocks.items() if lines)


async def help_command(update: Update, context: JigapContext) -> None:
    """List every command this person may use: everyone's, then those their roles allow (made from what is
    registered, so nothing can be left out)."""
    assert update.effective_message is not None
    commands = context.services.routes.help_for(context.member.may)
    await update.effective_message.reply_text(help_text(commands, context.tr, context.member.may))


async def unrecognised_text(update: Update, context: JigapContext) -> None:
    """Text no feature was waiting for: say so kindly and offer the menu."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        context.tr("I'm not sure what you mean. Choose from the menu, or see /help."), reply_markup=main_menu(context)
    )


def command_name(update: Update) -> str | None:
    """The command a message starts with, without its slash and `@bot` suffix, lower-cased."""
    message = update.effective_message
    if message is None or not message.text or not message.entities:
        return None
    entity = message.entities[0]
    if entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return None
    return message.text[1 : entity.length].partition("@")[0].lower()


async def unknown_command(update: Update, context: JigapContext) -> None:
    """A command no feature registered (a typo, an old command): say so and point to /help."""
    assert update.effective_message is not None
    name = command_name(update)
    if name is None or name in context.services.routes.commands:
        return
    await update.effective_message.reply_text(
        context.tr("I don't know the command /{command}. See /help for what I can do.", command=name[:32])
    )


async def open_menu(update: Update, context: JigapContext, data: MenuButton) -> None:
    """A main-menu button: open the feature that registered it."""
    query = update.callback_query
    assert query is not None
    entry = context.services.routes.menu.get(data.key)
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


def register(routes: Routes) -> None:
    routes.command("start", start, menu=N_("Main menu"), help=N_("the main menu"))
    routes.command("help", help_command, menu=N_("What I can do"), help=N_("this list"))
    routes.button(MenuButton, open_menu)
    routes.message(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
                   group=UNKNOWN_COMMAND_GROUP)

