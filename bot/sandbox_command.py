"""`jigap sandbox`: the local Bot API sandbox, its web chat, demo data, and jigap polling it."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys

from bot.bootstrap import open_runtime, ready_for_traffic
from bot.config import Config
from bot.demo import (
    PEOPLE,
    REGULARS,
    load_demo_offers,
    load_demo_organisations,
    load_demo_people,
    load_demo_portal,
    load_demo_rentals,
    load_demo_shop,
)
from bot.embedded import running_application, sandbox_config
from bot.issuer_web import published_documents
from sandbox.server import SandboxServer
from subscriptions.shops.shops import Channel

log = logging.getLogger(__name__)
SANDBOX_BOT_ID = 7000000001


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

DEMO_CHANNEL_TITLE, DEMO_CHANNEL_USERNAME = "Cafe Onda 소식", "cafe_onda_news"


def demo_channel(server: SandboxServer, bot_id: int, ids: dict[str, int]) -> Channel:
    """Cafe Onda's channel, owned by Sora, with the bot as an administrator who may post (the same id on every
    start, so the shop's stored link finds it again)."""
    world = server.world
    channel = world.add_channel(DEMO_CHANNEL_TITLE, world.users[ids["cafe_onda"]], DEMO_CHANNEL_USERNAME)
    server.actions.add_admin(channel, world.bots[bot_id])
    return Channel(channel.id, DEMO_CHANNEL_TITLE, DEMO_CHANNEL_USERNAME)


async def run_sandbox(config: Config, stop: asyncio.Event, *, port: int | None, with_bot: bool) -> int:
    server = SandboxServer(host=config.sandbox.host, port=config.sandbox.port if port is None else port,
                           auto_register_bots=not with_bot)
    try:
        await server.start()
    except OSError as error:
        sys.stderr.write(f"jigap: the sandbox cannot listen on {config.sandbox.host}:{port or config.sandbox.port} "
                         f"({error.strerror}); pick another port with --port\n")
        return 1
    try:
        ids = {}
        if config.sandbox.demo_data:
            for person in (*PEOPLE, *REGULARS):
                account = server.world.add_user(person.first_name, person.language_code, person.last_name,
                                                person.username)
                ids[person.username] = account.id
        if not with_bot:
            _say(f"jigap sandbox: Bot API at {server.url}/bot<token>/<method> (any well-formed token is a bot)")
            _say(f"jigap sandbox: web chat at {server.url}/  (Ctrl-C stops)")
            await stop.wait()
            return 0
        # Not a Telegram token: it only names the bot inside this sandbox, new on every start.
        token = f"{SANDBOX_BOT_ID}:sandbox-{secrets.token_urlsafe(24)}"
        bot = server.add_bot(token, config.sandbox.bot_username, "jigap")
        channel = demo_channel(server, int(bot["id"]), ids) if config.sandbox.demo_data else None
        settings = sandbox_config(config, api_url=server.url,
                                  database_url=config.database.url).with_default_bureau(server.bureau_url)
        os.environ.setdefault(config.billing.provider_token_env, "sandbox-card-provider")  # the sandbox takes any
        async with open_runtime(settings, create_key=True) as services:
            if config.sandbox.demo_data:
                await load_demo_organisations(services)
                await load_demo_people(services, ids)
                await load_demo_offers(services)
                await load_demo_portal(services, ids)
                await load_demo_shop(services, ids, channel)
                await load_demo_rentals(services, ids)
            async with (running_application(services, token) as application,
                        published_documents(services, application, token)):
                _say(f"jigap sandbox: web chat at {server.url}/  (Ctrl-C stops)")
                _say(f"jigap sandbox: the bot @{config.sandbox.bot_username} uses {config.database.url}")
                ready_for_traffic(services)
                await stop.wait()
        return 0
    finally:
        await server.stop()
