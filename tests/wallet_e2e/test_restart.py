"""A QR session lives in storage: after a restart the new process keeps refreshing it, or expires it if its
time ran out while the bot was down."""

from __future__ import annotations

import dataclasses
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

from bot.app import JigapApplication
from bot.config import Config
from bot.embedded import embedded_bot
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from storage.envelope import KeyRing, new_master_key
from subscriptions.clock import FixedClock
from tests.wallet_e2e.conftest import BOT_TOKEN, NOW, populate, wallet_config
from tests.wallet_e2e.helpers import licence_in_wallet, show_qr


async def test_a_restart_continues_a_running_qr_session_and_expires_one_whose_time_ran_out(tmp_path: Path) -> None:
    server = SandboxServer(port=0, limits=FloodLimits.off())
    server.add_bot(BOT_TOKEN, "jigap_wallet_bot", "jigap")
    await server.start()
    database = tmp_path / "jigap.db"
    clock = FixedClock(NOW)
    settings = wallet_config(qr_lifetime=1, qr_session=3)
    ring = KeyRing.single(new_master_key())

    def bot(config: Config) -> AbstractAsyncContextManager[JigapApplication]:
        return embedded_bot(api_url=server.url, token=BOT_TOKEN, database_url=f"sqlite+aiosqlite:///{database}",
                            ring=ring, clock=clock, config=config)

    try:
        async with SandboxClient(server.url) as client:
            async with bot(wallet_config()) as application:
                world = await populate(server, client, application, database, clock)
                await licence_in_wallet(world)
                first = await show_qr(world)  # 30-second frames: nothing changes before the stop
            async with bot(settings) as application:
                world = dataclasses.replace(world, application=application)
                resumed = await world.minji.wait_for_edit(first, timeout=5)
                assert "검증하는 분께" in resumed.text
                expired = await world.minji.wait_for_edit(first, timeout=10)
                while expired.text != "만료됨 - 다시 보여 주세요":
                    expired = await world.minji.wait_for_edit(first, timeout=10)
                second = await show_qr(world)
            clock.advance(timedelta(minutes=5))
            async with bot(wallet_config()):
                late = await world.minji.wait_for_edit(second, timeout=5)
                while late.text != "만료됨 - 다시 보여 주세요":  # a frame may have been replaced before the stop
                    late = await world.minji.wait_for_edit(second, timeout=5)
                assert late.buttons == ["다시 보여주기"]
    finally:
        await server.stop()
