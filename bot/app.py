"""Build the python-telegram-bot Application from the configuration and the services."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
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
    TypeHandler,
    filters,
)

from bot.bootstrap import Services
from bot.delivery.interactive import InteractiveMeter
from bot.inbox import DurableBot
from bot.metrics import BUTTON, COMMAND, MESSAGE, Metrics
from bot.scheduler import schedule_jobs
from bot.telegram_request import AiohttpRequest
from bot.update_processor import PerChatUpdateProcessor
from bot.user_budget import Budget, UserBudget
from handlers import admin, billing, content, core, rentals, shops, wallet
from handlers.billing import reminders as billing_reminders
from handlers.core import errors, members, start
from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.guard import guarded
from handlers.core.notices import NoticeContext
from handlers.core.routing import ButtonRoute, CommandRoute, Routes
from storage.billing import reminders as storage_billing_reminders
from storage.rentals import reminders as storage_rentals_reminders
from storage.rentals import visits as storage_rentals_visits
from storage.stats import digest as storage_stats_digest
from subscriptions.billing.events import PaymentReceived
from subscriptions.billing.services import BillingSettings
from subscriptions.reminders import ReminderKind, SubjectSource

log = logging.getLogger(__name__)
# Feature message handlers run in groups below this; one that takes a message raises ApplicationHandlerStop.
CATCH_ALL_GROUP = 50

JigapApplication = Application[Any, JigapContext, Any, Any, Any, Any]
ReminderKinds = Callable[[Services], list[tuple[ReminderKind[Any], SubjectSource[Any]]]]


def no_reminders(services: Services) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    return []


def billing_reminder_kinds(services: Services) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    return storage_billing_reminders.reminder_kinds(services.billing.settings)


def rentals_reminder_kinds(services: Services) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    return [*storage_rentals_reminders.reminder_kinds(),
            *storage_rentals_visits.reminder_kinds(services.rentals.settings.timezone)]


def admin_reminder_kinds(services: Services) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    """The platform admins' daily digest, at the configured hour of each admin's day."""
    return storage_stats_digest.reminder_kinds(services.stats, services.config.stats.digest_hour)


@dataclass(frozen=True)
class Domain:
    """What wiring a domain takes: its handlers' one registration, and its reminder kinds over storage's
    sources (their texts are among what the handlers register)."""

    name: str
    register: Callable[[Routes], None]
    reminders: ReminderKinds = no_reminders


# Adding a domain is one line here (with its own packages and its migration branch).
DOMAINS: tuple[Domain, ...] = (
    Domain("core", core.register),
    Domain("admin", admin.register, admin_reminder_kinds),
    Domain("wallet", wallet.register),
    Domain("billing", billing.register, billing_reminder_kinds),
    Domain("content", content.register),
    Domain("shops", shops.register),
    Domain("rentals", rentals.register, rentals_reminder_kinds),
)


def register_domains(services: Services) -> None:
    for domain in DOMAINS:
        services.routes.domain = domain.name  # stamped on each route it registers, for its metrics
        domain.register(services.routes)
    services.routes.domain = ""
    services.routes.on_event(PaymentReceived, services.metrics.payment_credited)
    for domain in DOMAINS:
        register_reminders(services, domain.reminders(services))


def register_reminders(services: Services, kinds: list[tuple[ReminderKind[Any], SubjectSource[Any]]]) -> None:
    """A domain's reminder kinds, each over its storage's source, with the text its handlers registered."""
    for kind, source in kinds:
        text = services.routes.reminder_texts[kind.name]
        services.delivery.catalog.register(kind, source, text.render, text.label)


def register_billing_reminders(services: Services, settings: BillingSettings | None = None) -> None:
    """Billing's reminder kinds alone (with `settings`' leads and dunning steps, or the configured ones), for a
    runtime without the Application: the reminders bench and the sweep's tests."""
    billing_reminders.register(services.routes)
    register_reminders(services, storage_billing_reminders.reminder_kinds(settings or services.billing.settings))


def build_application(services: Services, token: str) -> JigapApplication:
    config = services.config
    services.inbox.bind(token)
    bot = DurableBot(
        token,
        base_url=config.bot.api_url,
        base_file_url=config.bot.file_url,
        request=AiohttpRequest(connections=max(32, config.bot.concurrent_updates * 2),
                               observe=services.metrics.bot_api_call),
        get_updates_request=AiohttpRequest(connections=1, read_timeout=config.bot.poll_timeout + 10),
        rate_limiter=InteractiveMeter(services.delivery.limiter, services.delivery.interactive),
        inbox=services.inbox,
    )
    application: JigapApplication = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=JigapContext))
        .concurrent_updates(PerChatUpdateProcessor(
            config.bot.concurrent_updates, services.inbox,
            budget=UserBudget(Budget(burst=config.bot.user_burst, per_second=config.bot.user_per_minute / 60)),
            tell_slow_down=functools.partial(members.tell_slow_down, services=services)))
        .build()
    )
    application.bot_data["services"] = services
    register_domains(services)
    add_handlers(application, services.routes, services.metrics)
    schedule_jobs(application)
    return application


def add_handlers(application: JigapApplication, routes: Routes, metrics: Metrics) -> None:
    """The routes as python-telegram-bot handlers: the member middleware first, every command and button
    behind its declared permission, each feature's messages in its group, and catch-alls last; each timed
    and counted under the domain that registered it."""
    application.add_handler(TypeHandler(Update, members.load_member), group=-1)
    application.add_handler(ChatMemberHandler(members.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    for command in routes.commands.values():
        application.add_handler(CommandHandler(command.name, metrics.timed(command.domain, COMMAND, _command(command))))
    for button in routes.buttons.values():
        application.add_handler(CallbackQueryHandler(metrics.timed(button.domain, BUTTON, _button(button)),
                                                     pattern=button.kind.pattern()))
    for message in routes.messages:
        message.handler.callback = metrics.timed(message.domain, MESSAGE, message.handler.callback,
                                                passes_on=True)
        application.add_handler(message.handler, group=message.group)
    application.add_handler(CallbackQueryHandler(metrics.timed("core", BUTTON, start.stale_button)))
    text_for_nobody = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text_for_nobody, metrics.timed("core", MESSAGE, start.unrecognised_text)),
                            group=CATCH_ALL_GROUP)
    application.add_error_handler(errors.on_error)  # type: ignore[arg-type]
    if application.job_queue is not None:
        for job in routes.startup_jobs:
            application.job_queue.run_once(job, when=0, name=f"startup-{job.__qualname__}")


def _command(route: CommandRoute) -> Callable[[Update, JigapContext], Coroutine[Any, Any, None]]:
    return guarded(route.callback, route.permission) if route.permission is not None else route.callback


def _button(route: ButtonRoute) -> Callable[[Update, JigapContext], Coroutine[Any, Any, None]]:
    """The press parsed into its typed data (or answered as stale), then the route's permission, then it."""
    callback = guarded(route.callback, route.permission) if route.permission is not None else route.callback
    kind: type[ButtonData] = route.kind

    async def press(update: Update, context: JigapContext) -> None:
        query = update.callback_query
        assert query is not None
        data = kind.parse(query.data)
        if data is None:
            log.info("malformed %s press from %s: %r", kind.__name__, context.member.id, (query.data or "")[:64])
            await query.answer(context.tr("This button is no longer available."), show_alert=True)
            return
        await callback(update, context, data)

    return press


async def started(application: JigapApplication) -> None:
    """Once the Application runs: the command menu in each language, and the background work (the delivery
    pump and the event dispatcher; the scheduler's ticks start them too, should this be skipped)."""
    services: Services = application.bot_data["services"]
    bot = application.bot
    # What the last run stored and never finished goes first, before anything new of the same chats.
    for update in await services.inbox.leftovers(bot):
        await application.update_queue.put(update)
    services.inbox.start(bot, application.update_queue)
    services.delivery.start(bot.token)
    services.events.start(NoticeContext(services, bot.username))
    menu = [(command.name, command.menu) for command in services.routes.commands.values() if command.menu]
    for language_code in services.translations.languages:
        tr = services.translations.get(language_code)
        commands = [BotCommand(name, tr(description)) for name, description in menu]
        try:
            await bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:  # the menu is a convenience: the bot answers without it
            log.warning("could not set the %s command menu: %s", language_code, error)


async def stopping(application: JigapApplication) -> None:
    """Before the Application stops: writes that followed replies land before the database closes."""
    services: Services = application.bot_data["services"]
    await services.events.stop()
    await services.members.seen_noted()
