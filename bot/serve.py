"""`jigap run`: serve Telegram by long polling, or by webhook behind a load balancer."""

from __future__ import annotations

import asyncio
import logging

from bot.bootstrap import open_runtime, ready_for_traffic
from bot.config import Config
from bot.embedded import running_application, running_webhook
from bot.issuer_web import wallet_routes
from bot.webserver import BotWebServer

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
                web = BotWebServer(application, token, extra_routes=[wallet_routes(services)])
                bound = await web.start(host, port)
                log.info("polling for updates; health and metrics on http://%s:%s", host, bound)
                ready_for_traffic(services)
                try:
                    await stop.wait()
                finally:
                    await web.stop()
            return 0
        async with running_webhook(services, token, public_url=webhook_url, host=host, port=port) as (_app, _web, bound):
            log.info("serving the webhook %s on %s:%s", webhook_url, host, bound)
            ready_for_traffic(services)
            await stop.wait()
        return 0
