"""The wallet through the sandbox: jigap's real Application polling a sandbox, on a real SQLite file, with the
demo organisations, their issuer keys, and people who act as holder, issuer admin and verifiers.

PIN hashing is made cheap (Argon2id with 8 MiB, one pass) so a test of five wrong PINs takes a second, not ten.
The clock is a FixedClock at 21:04 in Seoul: presentations and checks happen at a moment the test controls.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image

from bot.app import JigapApplication
from bot.bootstrap import Services
from bot.config import Config, load_config
from bot.demo import load_demo_organisations
from bot.embedded import embedded_bot
from sandbox.client import BotMessage, CallbackAnswer, SandboxClient, SandboxUser
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from subscriptions.accounts.records import RoleGrant
from subscriptions.clock import FixedClock

BOT_TOKEN = "7100000002:walletE2eTokenForJigapItself"
NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # 21:04 in Seoul
MINJI_CLAIMS = ("name: 김민지, birth_date: 2001-04-09, license_number: 11-24-123456-78, "
                "license_class: 1종 보통")


def wallet_config(**wallet: Any) -> Config:
    base = load_config(environ={})
    settings = {"pin_time_cost": 1, "pin_memory_kib": 8192, **wallet}
    return base.replace(wallet=dataclasses.replace(base.wallet, **settings))


@dataclass
class WalletWorld:
    """jigap, the sandbox and the people of the stories."""

    server: SandboxServer
    client: SandboxClient
    application: JigapApplication
    database: Path
    clock: FixedClock
    minji: SandboxUser
    officer: SandboxUser
    bartender: SandboxUser
    landlord: SandboxUser

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    async def file_bytes(self, message: BotMessage) -> bytes:
        """The largest photo (or the document) of a message, as the sandbox stores it."""
        if message.photo:
            return await self.client.download(message.photo[-1]["file_id"])
        assert message.document is not None
        return await self.client.download(message.document["file_id"])

    async def forge_press(self, user: SandboxUser, message: BotMessage, data: str) -> CallbackAnswer | None:
        """Callback data that is on no button of the message, as a modified client can send."""
        return await user.press(data, message, forge=True)

    async def send_document(self, user: SandboxUser, data: bytes, file_name: str) -> int:
        form = aiohttp.FormData()
        form.add_field("document", data, filename=file_name, content_type="text/csv")
        body = await self.client.request("POST", f"/sandbox/users/{user.id}/send_document", data=form)
        return int(body["message_id"])


def camera_shot(png: bytes) -> bytes:
    """The QR as a verifier's phone would send it: re-encoded as a JPEG, a little smaller."""
    with Image.open(io.BytesIO(png)) as image:
        picture = image.convert("RGB")
    picture = picture.resize((picture.width * 9 // 10, picture.height * 9 // 10))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


async def _grant(services: Services, user: SandboxUser, role: str, org_slug: str) -> None:
    async with services.uow() as uow:
        organisation = await uow.organisations.get_by_slug(org_slug)
        assert organisation is not None
        await uow.roles.grant(RoleGrant(user.id, role, organisation.id), granted_by=None, now=NOW)
        await uow.commit()


async def populate(server: SandboxServer, client: SandboxClient, application: JigapApplication, database: Path,
                   clock: FixedClock) -> WalletWorld:
    """The demo organisations with their issuer keys, and the people of the stories, who have started the bot."""
    services: Services = application.bot_data["services"]
    await load_demo_organisations(services)
    minji = await client.user("Minji", "ko", last_name="Kim", username="minji")
    officer = await client.user("Officer", "ko", last_name="Jung", username="road_officer")
    bartender = await client.user("Bartender", "ko", username="bar_staff")
    landlord = await client.user("Park", "en", username="landlord")
    for user in (minji, officer, bartender, landlord):
        await user.send("/start")  # a bot can write only to people who started it
    await _grant(services, officer, "issuer_admin", "road-authority")
    # Staff of the bar and the landlord act for their organisations (any role there names them).
    await _grant(services, bartender, "shop_staff", "bar-haneul")
    await _grant(services, landlord, "shop_staff", "landlord-park")
    return WalletWorld(server, client, application, database, clock, minji, officer, bartender, landlord)


@pytest.fixture
def wallet_settings() -> Config:
    """Override in a test module (or with indirect parametrisation) for other [wallet] settings."""
    return wallet_config()


@pytest.fixture
def wallet_database_url(tmp_path: Path) -> str:
    """A SQLite file by default; a module may override this with the PostgreSQL-parametrised `database_url`."""
    return f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"


@pytest.fixture
async def world(tmp_path: Path, wallet_settings: Config, wallet_database_url: str) -> AsyncIterator[WalletWorld]:
    server = SandboxServer(port=0, limits=FloodLimits.off())
    server.add_bot(BOT_TOKEN, "jigap_wallet_bot", "jigap")
    await server.start()
    database = tmp_path / "jigap.db"
    clock = FixedClock(NOW)
    try:
        async with (
            embedded_bot(api_url=server.url, token=BOT_TOKEN, database_url=wallet_database_url,
                         config=wallet_settings, clock=clock) as application,
            SandboxClient(server.url) as client,
        ):
            yield await populate(server, client, application, database, clock)
    finally:
        await server.stop()
