"""Build the python-telegram-bot Application from the configuration and the services."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    TypeHandler,
    filters,
)

from bot.delivery.interactive import InteractiveMeter
from bot.runtime import Services
from bot.scheduler import schedule_jobs
from bot.telegram_request import AiohttpRequest
from bot.update_processor import PerChatUpdateProcessor
from handlers.admin import console as admin
from handlers.billing import earnings, gifts, notices, offers, payments, subscriptions
from handlers.billing import reminders as billing_reminders
from handlers.core import broadcast, errors, language, members, settings, start
from handlers.core.callback_data import pattern
from handlers.core.context import JigapContext
from handlers.core.notices import NoticeContext
from handlers.core.routing import MenuEntry
from handlers.core.text import N_
from handlers.wallet import install_wallet, register_wallet
from storage.billing import reminders as storage_billing_reminders
from subscriptions.billing.services import BillingSettings
from subscriptions.reminders import ReminderKind, SubjectSource

log = logging.getLogger(__name__)
# Feature message handlers run in groups below this; one that takes a message raises ApplicationHandlerStop.
CATCH_ALL_GROUP = 50

JigapApplication = Application[Any, JigapContext, Any, Any, Any, Any]

USER_COMMANDS = {
    "start": N_("Main menu"),
    "help": N_("What I can do"),
    "language": N_("Choose Korean or English"),
    "wallet": N_("Your wallet"),
    "verify": N_("Check someone's card"),
    "subscriptions": N_("Your subscriptions"),
    "receipts": N_("Your receipts"),
    "settings": N_("Reminders, quiet hours and time zone"),
}


def register_features(services: Services) -> None:
    """Deep links and main-menu entries that features contribute."""
    register_wallet(services)
    services.routes.add_menu(MenuEntry("subscriptions", N_("Subscriptions"), 20, subscriptions.open_browse))
    services.routes.add_deep_link(gifts.DEEP_LINK, gifts.open_gift)
    notices.register(services.routes)
    register_billing_reminders(services)
    services.routes.add_menu(MenuEntry("settings", N_("Settings"), 90, settings.show_settings))


def register_reminders(services: Services, kinds: list[tuple[ReminderKind[Any], SubjectSource[Any]]]) -> None:
    """A domain's reminder kinds, each over its storage's source, with the text its handlers registered."""
    for kind, source in kinds:
        text = services.routes.reminder_texts[kind.name]
        services.delivery.catalog.register(kind, source, text.render, text.label)


def register_billing_reminders(services: Services, settings: BillingSettings | None = None) -> None:
    """Billing's reminder kinds (with `settings`' leads and dunning steps, or the configured ones)."""
    billing_reminders.register(services.routes)
    register_reminders(services, storage_billing_reminders.reminder_kinds(settings or services.billing.settings))


def build_application(services: Services, token: str) -> JigapApplication:
    config = services.config
    application: JigapApplication = (
        ApplicationBuilder()
        .token(token)
        .base_url(config.bot.api_url)
        .base_file_url(config.bot.file_url)
        .context_types(ContextTypes(context=JigapContext))
        .concurrent_updates(PerChatUpdateProcessor(config.bot.concurrent_updates))
        .request(AiohttpRequest(connections=max(32, config.bot.concurrent_updates * 2)))
        .get_updates_request(AiohttpRequest(connections=1, read_timeout=config.bot.poll_timeout + 10))
        .rate_limiter(InteractiveMeter(services.delivery.limiter, services.delivery.interactive))
        .build()
    )
    application.bot_data["services"] = services
    register_features(services)
    add_handlers(application)
    schedule_jobs(application)
    return application


def add_handlers(application: JigapApplication) -> None:
    application.add_handler(TypeHandler(Update, members.load_member), group=-1)
    application.add_handler(ChatMemberHandler(members.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
    application.add_handler(CommandHandler("language", language.show_languages))
    application.add_handler(CommandHandler("admin", admin.admin_menu))
    application.add_handler(CommandHandler("grant", admin.propose_grant))
    application.add_handler(CommandHandler("revoke_role", admin.propose_revoke))
    application.add_handler(CommandHandler("whois", admin.whois))
    application.add_handler(CommandHandler("settings", settings.show_settings))
    application.add_handler(CommandHandler("broadcast", broadcast.start_broadcast))
    application.add_handler(CallbackQueryHandler(start.open_menu, pattern=pattern("menu")))
    application.add_handler(CallbackQueryHandler(settings.answer_button, pattern=pattern(settings.PREFIX)))
    application.add_handler(CallbackQueryHandler(broadcast.choose_audience, pattern=pattern(broadcast.PREFIX)))
    application.add_handler(CallbackQueryHandler(broadcast.cancel_broadcast, pattern=pattern(broadcast.CANCEL_PREFIX)))
    application.add_handler(CallbackQueryHandler(language.choose_language, pattern=pattern("lang")))
    application.add_handler(CallbackQueryHandler(admin.answer_button, pattern=pattern("adm")))
    add_billing_handlers(application)
    install_wallet(application)
    application.add_handler(CallbackQueryHandler(start.stale_button))
    text_for_nobody = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text_for_nobody, start.unrecognised_text), group=CATCH_ALL_GROUP)
    application.add_error_handler(errors.on_error)  # type: ignore[arg-type]


def add_billing_handlers(application: JigapApplication) -> None:
    """Subscriptions, payments, gifts, earnings and offers (the billing clock ticks in bot.scheduler)."""
    application.add_handler(CommandHandler("subscriptions", subscriptions.my_subscriptions))
    application.add_handler(CommandHandler("receipts", payments.receipts))
    application.add_handler(CommandHandler("earnings", earnings.earnings))
    application.add_handler(CommandHandler("subscribers", earnings.subscribers))
    application.add_handler(CommandHandler("offers", offers.offers))
    application.add_handler(CommandHandler("price", offers.change_price))
    application.add_handler(CallbackQueryHandler(subscriptions.browse_button, pattern=pattern(subscriptions.BROWSE)))
    application.add_handler(CallbackQueryHandler(subscriptions.manage_button, pattern=pattern(subscriptions.MANAGE)))
    application.add_handler(CallbackQueryHandler(gifts.gift_button, pattern=pattern(gifts.PREFIX)))
    application.add_handler(CallbackQueryHandler(offers.offer_button, pattern=pattern(offers.PREFIX)))
    application.add_handler(PreCheckoutQueryHandler(payments.pre_checkout))
    application.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, payments.successful_payment))


async def started(application: JigapApplication) -> None:
    """Once the Application runs: the command menu in each language, and the background work (the delivery
    pump and the event dispatcher; the scheduler's ticks start them too, should this be skipped)."""
    services: Services = application.bot_data["services"]
    bot = application.bot
    services.delivery.start(bot.token)
    services.events.start(NoticeContext(services, bot.username))
    for language_code in services.translations.languages:
        tr = services.translations.get(language_code)
        commands = [BotCommand(name, tr(description)) for name, description in USER_COMMANDS.items()]
        try:
            await bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:  # the menu is a convenience: the bot answers without it
            log.warning("could not set the %s command menu: %s", language_code, error)


async def stopping(application: JigapApplication) -> None:
    """Before the Application stops: writes that followed replies land before the database closes."""
    services: Services = application.bot_data["services"]
    await services.events.stop()
    await services.members.seen_noted()
