"""Billing fixtures: jigap and the sandbox on one fixed clock (tests/harness.py), a real SQLite file, the demo
shops and their offers, and the delivery pump running."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from subscriptions.clock import FixedClock
from tests.billing.steps import START
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def world(clock: FixedClock, migrated_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    base = load_config(environ={})
    # Scheduler ticks would race the tests' own ticks: the tests tick, and start the delivery pump.
    # The sandbox's flood limits are off, so the delivery pump need not pace one chat in real time either.
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_sqlite_url, config=config, clock=clock) as jigap,
    ):
        await load_demo_organisations(jigap.services)
        await load_demo_offers(jigap.services)
        jigap.services.delivery.start(BOT_TOKEN)
        yield jigap
