"""The one end-to-end harness: the sandbox, jigap's real Application polling it over HTTP on a real database,
and the people of the stories. Every end-to-end test starts here, through a fixture of its folder:

    async with sandbox_running(clock=clock) as server, jigap_on(server, database_url=url, clock=clock) as jigap:
        jigap = await with_demo_people(jigap)

Tests act as users through the sandbox client and read what was stored through jigap's services.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import JigapApplication
from bot.bootstrap import Services
from bot.config import Config
from bot.demo import load_demo_organisations
from bot.embedded import embedded_bot
from bot.scheduler import billing_tick
from sandbox.client import BotMessage, CallbackAnswer, SandboxClient, SandboxUser
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from storage.envelope import KeyRing
from subscriptions.accounts.records import RoleGrant
from subscriptions.accounts.roles import bootstrap_platform_admins
from subscriptions.clock import Clock, FixedClock, SystemClock

BOT_TOKEN = "7100000001:jigapEndToEndTestToken"
BOT_USERNAME = "jigap_test_bot"


@dataclass(frozen=True)
class DemoPeople:
    """The people of the stories, who have started the bot: a holder, an issuer's officer and two verifiers."""

    minji: SandboxUser
    officer: SandboxUser
    bartender: SandboxUser
    landlord: SandboxUser


@dataclass
class Jigap:
    """jigap running against a sandbox, a client to act as its users, and the clock both read."""

    server: SandboxServer
    client: SandboxClient
    application: JigapApplication
    database_url: str
    clock: Clock
    people: DemoPeople | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def database(self) -> Path:
        """The SQLite file (for tests that read the raw bytes at rest)."""
        database = make_url(self.database_url).database
        assert self.database_url.startswith("sqlite") and database, "a SQLite database has a file"
        return Path(database)

    def _people(self) -> DemoPeople:
        assert self.people is not None, "the demo people come from with_demo_people()"
        return self.people

    @property
    def minji(self) -> SandboxUser:
        return self._people().minji

    @property
    def officer(self) -> SandboxUser:
        return self._people().officer

    @property
    def bartender(self) -> SandboxUser:
        return self._people().bartender

    @property
    def landlord(self) -> SandboxUser:
        return self._people().landlord

    def restarted(self, application: JigapApplication) -> Jigap:
        """The same world after the bot process was replaced by `application`."""
        return dataclasses.replace(self, application=application)

    # --- people ------------------------------------------------------------------------------------------

    async def user(self, first_name: str, language_code: str = "ko", username: str | None = None,
                   last_name: str | None = None) -> SandboxUser:
        """Someone new to the bot (they have not sent /start)."""
        return await self.client.user(first_name, language_code, last_name=last_name,
                                      username=username or first_name.lower())

    async def started_user(self, first_name: str, language_code: str = "ko", username: str | None = None,
                           last_name: str | None = None) -> SandboxUser:
        """Someone who opened the bot: from here on it may write to them."""
        user = await self.user(first_name, language_code, username, last_name)
        await user.send("/start")
        return user

    async def grant(self, user: SandboxUser, role: str, org_slug: str) -> None:
        async with self.services.uow() as uow:
            organisation = await uow.organisations.get_by_slug(org_slug)
            assert organisation is not None, org_slug
            await uow.roles.grant(RoleGrant(user.id, role, organisation.id), granted_by=None, now=self.clock.now())
            await uow.commit()

    async def make_platform_admin(self, user: SandboxUser) -> None:
        await bootstrap_platform_admins(self.services.accounts, [user.id])

    # --- a misbehaving client, and Telegram repeating itself ---------------------------------------------------

    async def forge_press(self, user: SandboxUser, message: BotMessage, data: str) -> CallbackAnswer | None:
        """Callback data that is on no button of the message, as a modified client can send."""
        return await user.press(data, message, forge=True)

    async def redeliver(self, user: SandboxUser, message_id: int) -> None:
        """Telegram delivers the same message (e.g. a successful_payment) a second time."""
        bot = self.server.world.bots[int(BOT_TOKEN.split(":")[0])]
        conversation = self.server.world.private(bot, self.server.world.users[user.id])
        bot.updates.push("message", conversation.messages[message_id])

    # --- files -------------------------------------------------------------------------------------------------

    async def file_bytes(self, message: BotMessage) -> bytes:
        """The largest photo (or the document) of a message, as the sandbox stores it."""
        if message.photo:
            return await self.client.download(message.photo[-1]["file_id"])
        assert message.document is not None
        return await self.client.download(message.document["file_id"])

    async def send_document(self, user: SandboxUser, data: bytes, file_name: str) -> int:
        body = await self.client.request("POST", f"/sandbox/users/{user.id}/send_document", {
            "document_base64": base64.b64encode(data).decode(), "file_name": file_name, "mime_type": "text/csv"})
        return int(body["message_id"])

    # --- time, the scheduler and the outbox ---------------------------------------------------------------------

    def advance(self, **delta: float) -> None:
        assert isinstance(self.clock, FixedClock), "only a fixed clock moves when told"
        self.clock.advance(timedelta(**delta))

    async def tick(self) -> int:
        return await billing_tick(self.services)

    async def deliver(self) -> None:
        """Let the delivery pump send what is queued. The pump postpones a row by the chat's rate limit on the
        fixed clock, so the clock moves on a few seconds at a time until the outbox is empty."""
        counts: dict[str, int] = {}
        for _ in range(20):
            await self.services.events.drain()
            self.services.delivery.wake()
            await asyncio.sleep(0.25)
            async with self.services.uow() as uow:
                counts = await uow.outbox.counts_by_status()
            if not counts.get("pending") and not counts.get("sending"):
                return
            self.advance(seconds=2)
        raise AssertionError(f"the outbox did not empty: {counts}")

    async def count(self, table: Any) -> int:
        async with self.services.uow() as uow:
            return int((await uow.connection.execute(select(func.count()).select_from(table))).scalar_one())


@asynccontextmanager
async def sandbox_running(*, clock: Clock | None = None, pre_checkout_timeout: float = 3.0,
                          limits: FloodLimits | None = None) -> AsyncIterator[SandboxServer]:
    """The sandbox on a free port with jigap's bot account; with `clock`, Telegram dates by jigap's clock (so
    Stars expiry dates agree with jigap's calendar)."""
    extra = {"clock": clock.now} if clock is not None else {}
    server = SandboxServer(port=0, limits=limits or FloodLimits.off(), pre_checkout_timeout=pre_checkout_timeout,
                           **extra)
    server.add_bot(BOT_TOKEN, BOT_USERNAME, "jigap")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def jigap_on(server: SandboxServer, *, database_url: str, config: Config | None = None,
                   clock: Clock | None = None, ring: KeyRing | None = None,
                   client: SandboxClient | None = None) -> AsyncIterator[Jigap]:
    """jigap's Application polling `server`, migrations applied. Pass the `client` of an earlier run to act as
    the same people after a restart."""
    async with embedded_bot(api_url=server.url, token=BOT_TOKEN, database_url=database_url, config=config,
                            ring=ring, clock=clock) as application:
        if client is not None:
            yield Jigap(server, client, application, database_url, clock or SystemClock())
            return
        async with SandboxClient(server.url) as own_client:
            yield Jigap(server, own_client, application, database_url, clock or SystemClock())


async def with_demo_people(jigap: Jigap) -> Jigap:
    """The demo organisations with their issuer keys, and the people of the stories, who have started the bot."""
    await load_demo_organisations(jigap.services)
    minji = await jigap.started_user("Minji", "ko", username="minji", last_name="Kim")
    officer = await jigap.started_user("Officer", "ko", username="road_officer", last_name="Jung")
    bartender = await jigap.started_user("Bartender", "ko", username="bar_staff")
    landlord = await jigap.started_user("Park", "en", username="landlord")
    await jigap.grant(officer, "issuer_admin", "road-authority")
    # Staff of the bar and the landlord act for their organisations (any role there names them).
    await jigap.grant(bartender, "shop_staff", "bar-haneul")
    await jigap.grant(landlord, "shop_staff", "landlord-park")
    return dataclasses.replace(jigap, people=DemoPeople(minji, officer, bartender, landlord))
