"""The documents verifiers fetch from the bot's web server: issuer metadata with its JWKS, and status lists.

    GET /.well-known/jwt-vc-issuer/<issuer>   {"issuer": "<public_url>/<issuer>", "jwks": {"keys": [...]}}
    GET /status/<issuer>                      the issuer's statuslist+jwt, signed when fetched
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.app import JigapApplication
from bot.bootstrap import Services
from bot.webserver import BotWebServer, RouteSetup
from wallet.services import issuers

log = logging.getLogger(__name__)
ISSUER_METADATA_PATH = "/.well-known/jwt-vc-issuer/{issuer}"
STATUS_PATH = "/status/{issuer}"
STATUS_LIST_CONTENT_TYPE = "application/statuslist+jwt"


def wallet_routes(services: Services) -> RouteSetup:
    """Routes for BotWebServer(extra_routes=[...])."""

    async def issuer_metadata(request: web.Request) -> web.Response:
        document = await issuers.issuer_metadata(services.wallet, request.match_info["issuer"])
        if document is None:
            return web.json_response({"error": "no such issuer"}, status=404)
        return web.json_response(document, headers={"Cache-Control": "max-age=300"})

    async def status_list(request: web.Request) -> web.Response:
        token = await issuers.status_list_token(services.wallet, request.match_info["issuer"])
        if token is None:
            return web.json_response({"error": "no such issuer"}, status=404)
        return web.Response(text=token, content_type=STATUS_LIST_CONTENT_TYPE,
                            headers={"Cache-Control": "max-age=60"})

    def setup(app: web.Application) -> None:
        app.router.add_get(ISSUER_METADATA_PATH, issuer_metadata)
        app.router.add_get(STATUS_PATH, status_list)

    return setup


@asynccontextmanager
async def published_documents(services: Services, application: JigapApplication, token: str) -> AsyncIterator[None]:
    """For `jigap sandbox`: serve the issuers' keys and status lists on [bot] web_host:web_port."""
    config = services.config.bot
    server = BotWebServer(application, token, extra_routes=[wallet_routes(services)])
    try:
        port = await server.start(config.web_host, config.web_port)
    except OSError as error:
        log.warning("issuer keys and status lists are not served: %s:%s is busy (%s)", config.web_host,
                    config.web_port, error.strerror)
        yield
        return
    sys.stdout.write(f"jigap sandbox: issuer keys at http://{config.web_host}:{port}/.well-known/jwt-vc-issuer/"
                     f"<issuer>, status lists at http://{config.web_host}:{port}/status/<issuer>\n")
    sys.stdout.flush()
    try:
        yield
    finally:
        await server.stop()
