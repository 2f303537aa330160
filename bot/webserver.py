"""The bot's own web server: Telegram webhook, health and metrics.

The webhook checks Telegram's X-Telegram-Bot-Api-Secret-Token header; every worker derives the same
secret from the token, so any worker behind a load balancer accepts what Telegram sends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from bot.app import JigapApplication
from bot.bootstrap import Services
from bot.health import check_health, outbox_backlog
from bot.metrics import ScrapeGauges

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

RouteSetup = Callable[[web.Application], None]


def webhook_secret(token: str) -> str:
    """A secret Telegram echoes back; derived, so it is the same on every worker and reveals nothing."""
    return hashlib.sha256(b"jigap webhook secret|" + token.encode()).hexdigest()[:48]


class BotWebServer:
    def __init__(self, application: JigapApplication, token: str, extra_routes: list[RouteSetup] | None = None) -> None:
        self._application = application
        self._secret = webhook_secret(token)
        self._started = time.monotonic()
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=2 * 1024 * 1024)
        self.app.router.add_post(WEBHOOK_PATH, self._webhook)
        self.app.router.add_get("/healthz", self._health)
        self.app.router.add_get("/metrics", self._metrics)
        for setup in extra_routes or []:
            setup(self.app)

    @property
    def services(self) -> Services:
        services: Services = self._application.bot_data["services"]
        return services

    @property
    def secret(self) -> str:
        return self._secret

    async def start(self, host: str, port: int) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self._secret):
            self.services.metrics.webhook_refused.inc()
            log.warning("webhook call without the right secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, self._application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError) as error:
            log.warning("malformed webhook body: %s", error)
            return web.Response(status=400, text="bad update")
        if update is None:
            return web.Response(status=400, text="bad update")
        try:
            # Stored before the 200: until Telegram has it, it keeps the update and posts it again.
            await self.services.inbox.store([update])
        except (SQLAlchemyError, OSError) as error:
            log.warning("a webhook update could not be stored (%r): Telegram will post it again", error)
            return web.Response(status=503, text="try again")
        self.services.metrics.webhook_updates.inc()
        await self._application.update_queue.put(update)
        return web.Response(text="ok")

    async def _health(self, _request: web.Request) -> web.Response:
        """Running, the database reachable, who leads the pump and the outbox's lag (bot.health)."""
        health = await check_health(self.services, running=self._application.running)
        body = health.as_json(round(time.monotonic() - self._started))
        return web.json_response(body, status=200 if health.healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        """The bot's metrics in Prometheus' text format, the gauges read now (bot.metrics)."""
        services = self.services
        backlog = await outbox_backlog(services)
        gauges = ScrapeGauges(
            outbox_pending=backlog.pending if backlog is not None else None,
            outbox_lag_seconds=backlog.lag(services.clock.now()).total_seconds() if backlog is not None else None,
            update_queue=self._application.update_queue.qsize())
        return web.Response(body=services.metrics.exposition(gauges), headers={"Content-Type": CONTENT_TYPE_LATEST})

