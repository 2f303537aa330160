"""Worker processes: killed with SIGKILL mid-broadcast and restarted, two workers sharing PostgreSQL with one
leader pacing bulk sends, and the database taken away for a moment."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import Services, open_runtime
from bot.master_keys import load_key_ring
from handlers.core.outbound import OutboundMessage
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from tests.delivery.conftest import TOKEN, add_started_users, eventually, fast_config

WORKER = Path(__file__).with_name("worker.py")
PROJECT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, environ: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen([sys.executable, str(WORKER)], env=environ, stdout=subprocess.PIPE,
                                        stderr=self.log, cwd=PROJECT)

    async def started(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.to_thread(self.process.stdout.readline)
        assert line.strip() == b"started", line

    async def stop(self) -> dict[str, int]:
        self.process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.to_thread(self.process.communicate, timeout=30)
        self.log.close()
        return json.loads(out.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()


def _environ(sandbox: SandboxServer, database_url: str, key_file: Path, **settings: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("JIGAP_")}
    environ.update({
        "JIGAP_BOT__TOKEN": TOKEN, "JIGAP_BOT__API_URL": f"{sandbox.url}/bot", "JIGAP_DATABASE__URL": database_url,
        "JIGAP_WALLET__MASTER_KEY_FILE": str(key_file), "JIGAP_DELIVERY__SEND_TIMEOUT": "2",
        "JIGAP_DELIVERY__LEADER_CHECK_SECONDS": "1", "JIGAP_DELIVERY__LEASE_SECONDS": "2",
        "JIGAP_SCHEDULER__TICK_SECONDS": "1",
    })
    environ.update({f"JIGAP_DELIVERY__{key.upper()}": value for key, value in settings.items()})
    return environ


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "master.key"
    load_key_ring(path, create=True)
    return path


async def _prepare(sandbox: SandboxServer, database_url: str, key_file: Path, recipients: int) -> list[int]:
    """Users who started the bot and one broadcast to all of them, written by a runtime that then exits."""
    ring, _ = load_key_ring(key_file)
    config = fast_config(sandbox.url, database_url)
    async with open_runtime(config, ring=ring) as services:
        users = await add_started_users(sandbox, services, recipients)
        await services.delivery.broadcasts.enqueue_broadcast(1, users, OutboundMessage("Big news"))
    return users


def _copies(sandbox: SandboxServer, users: list[int]) -> Counter[int]:
    bot = sandbox.world.bots_by_token[TOKEN]
    return Counter({
        user: sum(1 for m in sandbox.world.private_chats[(bot.id, user)].messages.values() if m.get("text") == "Big news")
        for user in users
    })


async def _settled(count: Callable[[], int], quiet: float = 0.3) -> int:
    """The count once it has stopped changing for `quiet` seconds."""
    last = count()
    while True:
        await asyncio.sleep(quiet)
        now = count()
        if now == last:
            return now
        last = now


async def test_a_worker_killed_mid_broadcast_loses_nothing_and_repeats_only_what_was_in_flight(
    sandbox: SandboxServer, sqlite_url: str, key_file: Path, tmp_path: Path
) -> None:
    users = await _prepare(sandbox, sqlite_url, key_file, 240)
    environ = _environ(sandbox, sqlite_url, key_file, bot_rate="80", batch_size="20")
    first = Worker(environ, tmp_path / "worker.log")
    await first.started()
    await eventually(lambda: asyncio.sleep(0, sum(_copies(sandbox, users).values()) >= 60), within=20,
                     what="a quarter of the broadcast")
    first.kill()
    # A request the killed worker had already written may still sit unread in the sandbox's socket (the
    # sandbox runs in this test's event loop): let it land before counting.
    delivered_before_restart = await _settled(lambda: sum(1 for n in _copies(sandbox, users).values() if n))
    assert delivered_before_restart < 240
    second = Worker(environ, tmp_path / "worker.log")
    await second.started()
    await eventually(lambda: asyncio.sleep(0, all(_copies(sandbox, users).values())), within=30,
                     what="every recipient to have the message")
    stats = await second.stop()
    copies = _copies(sandbox, users)
    twice = [user for user, n in copies.items() if n > 1]
    # In flight at the kill: at most two claimed batches plus results not yet written (half a second at 80/s).
    assert max(copies.values()) <= 2 and len(twice) <= 2 * 20 + 40
    assert stats["sent"] == 240 - delivered_before_restart + len(twice)


@pytest.fixture
async def postgres_url(database_url: str) -> AsyncIterator[str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share PostgreSQL; SQLite has one process")
    yield database_url


async def test_two_workers_on_postgresql_deliver_every_row_once_within_the_bot_wide_limit(
    sandbox: SandboxServer, postgres_url: str, key_file: Path, tmp_path: Path
) -> None:
    sandbox.set_limits(FloodLimits(per_bot_per_second=40, per_chat_burst=3))
    users = await _prepare(sandbox, postgres_url, key_file, 160)
    environ = _environ(sandbox, postgres_url, key_file, bot_rate="40", batch_size="20")
    workers = [Worker(environ, tmp_path / f"worker{n}.log") for n in range(2)]
    for worker in workers:
        await worker.started()
    await eventually(lambda: asyncio.sleep(0, all(_copies(sandbox, users).values())), within=40,
                     what="every recipient to have the message")
    stats = [await worker.stop() for worker in workers]
    assert set(_copies(sandbox, users).values()) == {1}
    assert sum(s["sent"] for s in stats) == 160
    assert sum(s["rate_limited"] for s in stats) == 0
    # One leader paced the whole broadcast.
    assert sorted(s["sent"] for s in stats) == [0, 160]


async def test_when_the_leader_dies_another_worker_takes_over_within_seconds(
    sandbox: SandboxServer, postgres_url: str, key_file: Path, tmp_path: Path
) -> None:
    users = await _prepare(sandbox, postgres_url, key_file, 200)
    environ = _environ(sandbox, postgres_url, key_file, bot_rate="40", batch_size="10")
    workers = [Worker(environ, tmp_path / f"worker{n}.log") for n in range(2)]
    for worker in workers:
        await worker.started()
    await eventually(lambda: asyncio.sleep(0, sum(_copies(sandbox, users).values()) >= 40), within=20,
                     what="the leader to send a fifth")
    logs = [(tmp_path / f"worker{n}.log").read_text() for n in range(2)]
    leader = next(n for n, log in enumerate(logs) if "now the delivery leader" in log)
    workers[leader].kill()
    loop = asyncio.get_running_loop()
    killed_at = loop.time()
    before = await _settled(lambda: sum(_copies(sandbox, users).values()))
    await eventually(lambda: asyncio.sleep(0, sum(_copies(sandbox, users).values()) > before), within=10,
                     what="the other worker to take over")
    assert loop.time() - killed_at < 5
    await eventually(lambda: asyncio.sleep(0, all(_copies(sandbox, users).values())), within=30,
                     what="every recipient to have the message")
    await workers[1 - leader].stop()
    assert max(_copies(sandbox, users).values()) <= 2


async def test_connections_cut_by_the_database_lose_nothing_and_log_once(
    sandbox: SandboxServer, postgres_url: str, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ring, _ = load_key_ring(key_file)
    config = fast_config(sandbox.url, postgres_url, bot_rate=60, batch_size=10)
    caplog.set_level(logging.WARNING, logger="bot.delivery")
    async with open_runtime(config, ring=ring) as services:
        users = await add_started_users(sandbox, services, 150)
        await services.delivery.broadcasts.enqueue_broadcast(1, users, OutboundMessage("Big news"))
        services.delivery.start(TOKEN)
        await eventually(lambda: asyncio.sleep(0, sum(_copies(sandbox, users).values()) >= 30), within=20,
                         what="a fifth of the broadcast")
        await _cut_connections(postgres_url)
        await asyncio.sleep(0.5)
        await _cut_connections(postgres_url)
        await eventually(lambda: _drained(services), within=40, what="the outbox to drain")
    copies = _copies(sandbox, users)
    assert all(copies.values()) and max(copies.values()) <= 2
    problems = [r for r in caplog.records if "database" in r.getMessage()]
    assert len(problems) <= 4


async def _drained(services: Services) -> bool:
    async with services.uow() as uow:
        counts = await uow.outbox.counts_by_status()
    return not counts.get("pending") and not counts.get("sending")


async def _cut_connections(database_url: str) -> None:
    """What a failover or an admin's pg_terminate_backend does: every connection to the database is closed."""
    name = make_url(database_url).database
    engine = create_async_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name "
                     "AND pid <> pg_backend_pid()"), {"name": name})
    finally:
        await engine.dispose()
