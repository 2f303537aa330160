"""Shops' tests: a sandbox and jigap on one fixed clock (a Wednesday morning in Seoul, when Cafe Onda is open),
on each backend, with Cafe Onda loaded as the demo has it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running

NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 09:30 in Seoul, a Wednesday


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[Jigap]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        await load_demo_organisations(jigap.services)
        await load_demo_offers(jigap.services)
        yield jigap
