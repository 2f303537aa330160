"""The clock: python-telegram-bot's JobQueue only ticks; each tick asks storage what is due.

The first tick also starts the delivery pump and the event dispatcher for the Application's bot, so they run
wherever the Application runs (polling, webhook, embedded in tests) and stops with the runtime. A slower job deletes
what was delivered or decided long ago (bot.delivery.retention).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from bot.alerts import CHECK_EVERY_SECONDS
from bot.delivery import fanout
from bot.delivery.retention import Retention, RetentionPolicy
from bot.gateways.star_reconciliation import reconcile_stars
from handlers.core.notices import NoticeContext
from subscriptions.billing import services as billing
from subscriptions.rentals.services import schedules, termination, visits
from subscriptions.rentals.services.applications import expire_applications
from subscriptions.rentals.services.close import close_last_month
from subscriptions.shops.services import passes as shop_passes

if TYPE_CHECKING:
    from bot.app import JigapApplication
    from bot.bootstrap import Services

Context = CallbackContext[Any, Any, Any, Any]
log = logging.getLogger(__name__)
CLEANUP_FIRST_SECONDS = 60
CLOSE_CHECK_SECONDS = 3600  # the month-end close looks hourly whether last month is closed for every brand
VISITS_EVERY_SECONDS = 600  # visits are laid out weeks ahead and missed by the day: ten minutes is soon enough
VISITS_FIRST_SECONDS = 30
FANOUT = "post_fanout"  # bot_data key of the new posts' fan-out worker


def schedule_jobs(application: JigapApplication) -> None:
    services: Services = application.bot_data["services"]
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    application.bot_data[FANOUT] = fanout.install(services, lambda: application.bot.username)
    services.shop_broadcasts.bind(lambda: application.bot.username)
    job_queue.run_repeating(tick, interval=services.config.scheduler.tick_seconds, first=0.0, name="scheduler-tick")
    job_queue.run_repeating(alerts_job, interval=CHECK_EVERY_SECONDS, first=CHECK_EVERY_SECONDS, name="ops-alerts")
    job_queue.run_repeating(show_progress, interval=services.config.delivery.progress_interval,
                            first=services.config.delivery.progress_interval, name="broadcast-progress")
    settings = services.config.billing
    job_queue.run_repeating(reconcile_stars_job, interval=settings.stars_reconcile_seconds,
                            first=settings.stars_reconcile_first_seconds, name="stars-reconciliation")
    job_queue.run_repeating(close_months_job, interval=CLOSE_CHECK_SECONDS, first=CLEANUP_FIRST_SECONDS,
                            name="rentals-month-close")
    job_queue.run_repeating(visits_job, interval=VISITS_EVERY_SECONDS, first=VISITS_FIRST_SECONDS, name="rental-visits")
    job_queue.run_repeating(stats_job, interval=services.config.stats.rollup_seconds, first=CLEANUP_FIRST_SECONDS,
                            name="stats-rollup")
    retention = Retention(services.uow.background(), services.clock, RetentionPolicy.from_config(services.config))
    # The first clean-up waits a minute: a bot that restarts often still cleans up, but not while it starts.
    job_queue.run_repeating(clean_up, interval=services.config.delivery.cleanup_interval_seconds,
                            first=CLEANUP_FIRST_SECONDS, name="delivery-cleanup", data=retention)


async def tick(context: Context) -> None:
    """Start the pump if it is not running yet, then ask storage what is due (scheduled posts among it). Each
    run is timed: one longer than the interval means the sweeps fall behind (bot.alerts)."""
    services: Services = context.application.bot_data["services"]
    bot = context.application.bot
    services.delivery.start(bot.token)
    services.events.start(NoticeContext(services, bot.username))
    async with services.alerts.sweeps.timed("scheduler-tick", services.config.scheduler.tick_seconds):
        await billing_tick(services)
        await fanout.publish_due(services, context.application.bot_data.get(FANOUT))
        await shops_tick(services)
        await rentals_tick(services)
        await services.delivery.tick(asyncio.get_running_loop().time())


async def alerts_job(context: Context) -> None:
    """The minute's look at the outbox, 429s, sweeps and errors; what changed goes to the platform admins."""
    services: Services = context.application.bot_data["services"]
    try:
        await services.alerts.check(context.application.bot.username)
    except (SQLAlchemyError, OSError) as error:
        log.warning("the alerts' check could not reach the database (%r); the next minute tries again", error)


async def shops_tick(services: Services) -> None:
    """Shops' broadcasts a stopped worker left half-written and those whose time has come, and packs whose days
    are over."""
    try:
        await services.shop_broadcasts.resume_fills()
        await services.shop_broadcasts.send_due()
        await shop_passes.expire_run_out(services.shops.using(services.uow.background()))
    except (SQLAlchemyError, OSError):
        log.exception("shops' scheduled work failed this tick; the next tick tries again")


async def rentals_tick(services: Services) -> int:
    """Rental applications whose time ran out: closed, their slot and unit let go, the applicant told."""
    try:
        closed = await expire_applications(services.rentals.using(services.uow.background()))
    except (SQLAlchemyError, OSError):
        log.exception("rentals' expiry failed this tick; the next tick tries again")
        return 0
    closed += await rentals_money_tick(services)
    if closed:
        services.events.wake()  # the applicants hear of it now
    return closed


async def close_months_job(context: Context) -> None:
    """Last month's close for every brand not closed yet (idempotent: a month is claimed once)."""
    services: Services = context.application.bot_data["services"]
    try:
        results = await close_last_month(services.rentals.using(services.uow.background()))
    except (SQLAlchemyError, OSError):
        log.exception("the month-end close failed this time; the next check tries again")
        return
    for result in results:
        log.info("closed %s for brand %s: %s lines", result.closed.month, result.closed.brand_id, result.closed.lines)


async def visits_job(context: Context) -> None:
    await visits_tick(context.application.bot_data["services"])


async def visits_tick(services: Services) -> int:
    """Rentals' visits: laid out four weeks ahead, given to technicians, and those nobody completed by the end of
    their day missed (the customer credited and told). Its own, slower job: laying visits out reads every billed
    contract, which a five-second tick need not do; each step is idempotent, so a run missed or repeated is
    harmless."""
    rentals = services.rentals.using(services.uow.background())
    try:
        laid = await visits.lay_out_visits(rentals)
        given = await visits.assign_visits(rentals)
        missed = await visits.miss_overdue(rentals)
    except (SQLAlchemyError, OSError):
        log.exception("rentals' visits failed this run; the next one tries again")
        return 0
    if laid or given or missed:
        services.events.wake()  # a free first week or a missed visit is told now
    return laid + given + missed


async def rentals_money_tick(services: Services) -> int:
    """Contracts three months behind provisionally terminated, and terms whose end has come."""
    rentals = services.rentals.using(services.uow.background())
    try:
        terminated = await schedules.terminate_for_non_payment(rentals)
        return len(terminated) + await termination.end_terms(rentals)
    except (SQLAlchemyError, OSError):
        log.exception("rentals' end-of-contract sweep failed this tick; the next tick tries again")
        return 0


async def stats_job(context: Context) -> None:
    await stats_tick(context.application.bot_data["services"])


async def stats_tick(services: Services) -> None:
    """The roll-ups the admin's charts read: the hours since the last run recomputed from their sources."""
    try:
        report = await services.stats.roll_up()
    except (SQLAlchemyError, OSError):
        log.exception("the stats roll-up failed this time; the next run recomputes from the same watermark")
        return
    log.info("stats roll-up since %s: %d figures in %.2f s", report.since.isoformat(), report.figures, report.seconds)


async def reconcile_stars_job(context: Context) -> None:
    """Credit the Stars charges Telegram lists and jigap lacks (bot.gateways.star_reconciliation)."""
    services: Services = context.application.bot_data["services"]
    since = services.clock.now() - timedelta(days=services.config.billing.stars_reconcile_days)
    try:
        credited = await reconcile_stars(context.application.bot, services.billing, since=since)
    except (TelegramError, SQLAlchemyError, OSError) as error:
        log.warning("could not compare Stars payments with Telegram's list (%r); trying again next time", error)
        return
    if credited:
        services.events.wake()  # the receipts of what was credited go out now


async def billing_tick(services: Services) -> int:
    """Period ends, renewal invoices and expired gifts, then every event they recorded handed out."""
    try:
        done = await billing.sweep(services.billing.using(services.uow.background()))
        return done + await services.events.drain()
    except (SQLAlchemyError, OSError):
        # The next tick tries again; the scheduler's other work must not wait for billing.
        log.exception("billing tick failed")
        return 0


async def show_progress(context: Context) -> None:
    """Edit the progress message of every running broadcast."""
    services: Services = context.application.bot_data["services"]
    await services.delivery.report_progress()


async def clean_up(context: Context) -> None:
    """Delete delivered messages, decided reminders and handled events past their retention."""
    assert context.job is not None and isinstance(context.job.data, Retention)
    try:
        report = await context.job.data.clean_up()
    except (SQLAlchemyError, OSError) as error:
        log.warning("clean-up could not reach the database (%r); the next one retries", error)
        return
    if report.total:
        log.info("clean-up: %d outbox rows, %d reminders, %d events deleted",
                 report.outbox, report.reminders, report.events)
