"""Run jigap's real Application inside another program's event loop (the sandbox command, tests, benches)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.app import JigapApplication, build_application, started, stopping
from bot.bootstrap import Services, open_runtime
from bot.config import Config, load_config
from bot.issuer_web import wallet_routes
from bot.webserver import WEBHOOK_PATH, BotWebServer
from sandbox.bureau import BUREAU_PATH
from storage.envelope import KeyRing, new_master_key
from subscriptions.clock import Clock


def sandbox_config(base: Config, *, api_url: str, database_url: str) -> Config:
    """The configuration pointed at a Bot API server at `api_url` (e.g. the sandbox) and a database."""
    root = api_url.rstrip("/")
    return base.replace(
        bot=dataclasses.replace(base.bot, api_url=f"{root}/bot", file_url=f"{root}/file/bot", poll_timeout=5),
        database=dataclasses.replace(base.database, url=database_url),
    ).with_default_bureau(f"{root}{BUREAU_PATH}")  # the sandbox answers credit checks too


@asynccontextmanager
async def running_application(
    services: Services, token: str, *, poll_interval: float = 0.0
) -> AsyncIterator[JigapApplication]:
    """Start polling with the given services; stop cleanly on exit."""
    application = build_application(services, token)
    await application.initialize()
    try:
        await application.start()
        await started(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=services.config.bot.poll_timeout, drop_pending_updates=False,
            # chat_member updates (who joined a paid tier's channel) come only to a bot that asks for them.
            allowed_updates=Update.ALL_TYPES,
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            await stopping(application)
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()


@asynccontextmanager
async def running_webhook(
    services: Services, token: str, *, public_url: str | None, host: str, port: int
) -> AsyncIterator[tuple[JigapApplication, BotWebServer, int]]:
    """Serve updates posted to the bot's web server; register `public_url` as the webhook.

    Yields the application, the web server and the port it listens on (port 0 picks a free one: the
    caller then registers the webhook itself, passing public_url=None).
    """
    application = build_application(services, token)
    await application.initialize()
    try:
        await application.start()
        await started(application)
        web = BotWebServer(application, token, extra_routes=[wallet_routes(services)])
        bound = await web.start(host, port)
        try:
            if public_url is not None:
                url = public_url.rstrip("/")
                if not url.endswith(WEBHOOK_PATH):
                    url += WEBHOOK_PATH
                await application.bot.set_webhook(url=url, secret_token=web.secret, allowed_updates=Update.ALL_TYPES)
            yield application, web, bound
        finally:
            await web.stop()
            await stopping(application)
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()


@asynccontextmanager
async def embedded_bot(
    *,
    api_url: str,
    token: str,
    database_url: str,
    config: Config | None = None,
    ring: KeyRing | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[JigapApplication]:
    """jigap polling the Bot API at `api_url`, migrations applied; without a key ring, a throwaway key."""
    base = config if config is not None else load_config(environ={})
    settings = sandbox_config(base, api_url=api_url, database_url=database_url)
    async with (
        open_runtime(settings, ring=ring or KeyRing.single(new_master_key()), clock=clock) as services,
        running_application(services, token) as application,
    ):
        yield application
