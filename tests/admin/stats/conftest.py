"""The console's stats on a fixed clock (a Wednesday morning in Seoul), jigap over the sandbox on each backend."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.config import load_config
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running

NOW = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 10:30 in Seoul


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str) -> AsyncIterator[Jigap]:
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        yield jigap
