"""The clock: python-telegram-bot's JobQueue only ticks; each tick asks storage what is due.

The first tick also starts the delivery pump for the Application's bot, so the pump runs wherever the
Application runs (polling, webhook, embedded in tests) and stops with the runtime.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

if TYPE_CHECKING:
    from bot.app import JigapApplication
    from bot.runtime import Services

Context = CallbackContext[Any, Any, Any, Any]


def schedule_jobs(application: JigapApplication) -> None:
    services: Services = application.bot_data["services"]
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    job_queue.run_repeating(tick, interval=services.config.scheduler.tick_seconds, first=0.0, name="scheduler-tick")
    job_queue.run_repeating(show_progress, interval=services.config.delivery.progress_interval,
                            first=services.config.delivery.progress_interval, name="broadcast-progress")


async def tick(context: Context) -> None:
    """Start the pump if it is not running yet, then ask storage what is due."""
    services: Services = context.application.bot_data["services"]
    services.delivery.start(context.application.bot.token)
    await services.billing_dispatch.tick(context.application.bot)  # period ends, renewal invoices, gifts
    await services.delivery.tick(asyncio.get_running_loop().time())


async def show_progress(context: Context) -> None:
    """Edit the progress message of every running broadcast."""
    services: Services = context.application.bot_data["services"]
    await services.delivery.report_progress()
