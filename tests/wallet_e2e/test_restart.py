"""A QR session lives in storage: after a restart the new process keeps refreshing it, or expires it if its
time ran out while the bot was down."""

from __future__ import annotations

from datetime import timedelta

from sandbox.client import SandboxClient
from storage.envelope import KeyRing, new_master_key
from subscriptions.clock import FixedClock
from tests.harness import jigap_on, sandbox_running, with_demo_people
from tests.wallet_e2e.helpers import NOW, licence_in_wallet, show_qr, wallet_config

EXPIRED = "만료됨 - 다시 보여 주기"


async def test_a_restart_continues_a_running_qr_session_and_expires_one_whose_time_ran_out(
        migrated_sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    ring = KeyRing.single(new_master_key())
    short_sessions = wallet_config(qr_lifetime=1, qr_session=3)
    async with sandbox_running() as server, SandboxClient(server.url) as client:
        async with jigap_on(server, database_url=migrated_sqlite_url, config=wallet_config(), clock=clock,
                            ring=ring, client=client) as first_run:
            world = await with_demo_people(first_run)
            await licence_in_wallet(world)
            first = await show_qr(world)  # 30-second frames: nothing changes before the stop
        async with jigap_on(server, database_url=migrated_sqlite_url, config=short_sessions, clock=clock, ring=ring,
                            client=client) as second_run:
            world = world.restarted(second_run.application)
            resumed = await world.minji.wait_for_edit(first, timeout=5)
            assert "확인하는 분께" in resumed.text
            expired = await world.minji.wait_for_edit(first, timeout=10)
            while expired.text != EXPIRED:
                expired = await world.minji.wait_for_edit(first, timeout=10)
            second = await show_qr(world)
        clock.advance(timedelta(minutes=5))
        async with jigap_on(server, database_url=migrated_sqlite_url, config=wallet_config(), clock=clock, ring=ring,
                            client=client):
            late = await world.minji.wait_for_edit(second, timeout=5)
            while late.text != EXPIRED:  # a frame may have been replaced before the stop
                late = await world.minji.wait_for_edit(second, timeout=5)
            assert late.buttons == ["다시 보여 주기"]
