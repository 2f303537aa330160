"""`jigap run`: serve Telegram by long polling, or by webhook behind a load balancer."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.app import build_application
from bot.config import Config
from bot.embedded import running_application
from bot.runtime import open_runtime
from bot.webserver import WEBHOOK_PATH, BotWebServer

log = logging.getLogger(__name__)


def _listen_address(config: Config, listen: str | None) -> tuple[str, int]:
    if not listen:
        return config.bot.web_host, config.bot.web_port
    host, _, port = listen.rpartition(":")
    return host or config.bot.web_host, int(port)


async def serve(config: Config, token: str, stop: asyncio.Event, *, webhook_url: str | None, listen: str | None) -> int:
    host, port = _listen_address(config, listen)
    async with open_runtime(config) as services:
        if webhook_url is None:
            async with running_application(services, token) as application:
                web = BotWebServer(application, token)
                bound = await web.start(host, port)
                log.info("polling for updates; health and metrics on http://%s:%s", host, bound)
                await stop.wait()
                await web.stop()
            return 0
        application = build_application(services, token)
        await application.initialize()
        await application.start()
        web = BotWebServer(application, token)
        bound = await web.start(host, port)
        url = webhook_url.rstrip("/")
        if not url.endswith(WEBHOOK_PATH):
            url += WEBHOOK_PATH
        await application.bot.set_webhook(url=url, secret_token=web.secret, allowed_updates=Update.ALL_TYPES)
        log.info("serving the webhook %s on %s:%s", url, host, bound)
        try:
            await stop.wait()
        finally:
            await web.stop()
            await application.stop()
            await application.shutdown()
        return 0
