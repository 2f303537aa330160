"""Build the python-telegram-bot Application from the configuration and the services."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
)

from bot.runtime import Services
from bot.update_processor import PerChatUpdateProcessor
from handlers import admin, errors, language, members, start
from handlers.callback_data import pattern
from handlers.context import JigapContext
from handlers.routing import MenuEntry
from handlers.text import N_

JigapApplication = Application[Any, JigapContext, Any, Any, Any, Any]

USER_COMMANDS = {
    "start": N_("Main menu"),
    "help": N_("What I can do"),
    "language": N_("Choose Korean or English"),
}


def register_features(services: Services) -> None:
    """Deep links and main-menu entries that features contribute."""
    services.routes.add_menu(MenuEntry("settings", N_("Settings"), 90, language.show_languages))


def build_application(services: Services, token: str) -> JigapApplication:
    config = services.config
    application: JigapApplication = (
        ApplicationBuilder()
        .token(token)
        .base_url(config.bot.api_url)
        .base_file_url(config.bot.file_url)
        .context_types(ContextTypes(context=JigapContext))
        .concurrent_updates(PerChatUpdateProcessor(config.bot.concurrent_updates))
        .connection_pool_size(max(32, config.bot.concurrent_updates * 2))
        .get_updates_read_timeout(config.bot.poll_timeout + 10)
        .post_init(_post_init)
        .build()
    )
    application.bot_data["services"] = services
    register_features(services)
    add_handlers(application)
    return application


def add_handlers(application: JigapApplication) -> None:
    application.add_handler(TypeHandler(Update, members.load_member), group=-1)
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
    application.add_handler(CommandHandler("language", language.show_languages))
    application.add_handler(CommandHandler("admin", admin.admin_menu))
    application.add_handler(CommandHandler("grant", admin.propose_grant))
    application.add_handler(CommandHandler("revoke_role", admin.propose_revoke))
    application.add_handler(CommandHandler("whois", admin.whois))
    application.add_handler(CallbackQueryHandler(start.open_menu, pattern=pattern("menu")))
    application.add_handler(CallbackQueryHandler(language.choose_language, pattern=pattern("lang")))
    application.add_handler(CallbackQueryHandler(admin.answer_button, pattern=pattern("adm")))
    application.add_handler(CallbackQueryHandler(start.stale_button))
    application.add_error_handler(errors.on_error)  # type: ignore[arg-type]


async def _post_init(application: JigapApplication) -> None:
    services: Services = application.bot_data["services"]
    for language_code in services.translations.languages:
        tr = services.translations.get(language_code)
        commands = [BotCommand(name, tr(description)) for name, description in USER_COMMANDS.items()]
        await application.bot.set_my_commands(commands, language_code=language_code)
