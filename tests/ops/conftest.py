"""Operations' tests: jigap running against the sandbox on each backend, with its own web server up (where
Prometheus scrapes /metrics and a load balancer asks /healthz), on a clock that moves when told."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.config import load_config
from bot.webserver import BotWebServer
from subscriptions.clock import FixedClock
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 in Seoul: no quiet hours hold anything back


@dataclass
class Running:
    """jigap, and the address of its web server."""

    jigap: Jigap
    web: str


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def running(migrated_database_url: str, clock: FixedClock) -> AsyncIterator[Running]:
    base = load_config(environ={})
    # The scheduler's tick starts the pump; an hour between ticks leaves the tests in charge of when it runs
    # again (the first tick still runs at start).
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600))
    async with (
        sandbox_running(clock=clock) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        web = BotWebServer(jigap.application, BOT_TOKEN)
        port = await web.start("127.0.0.1", 0)
        try:
            yield Running(jigap, f"http://127.0.0.1:{port}")
        finally:
            await web.stop()
