"""Billing fixtures: the sandbox, jigap on a real SQLite file with a fixed clock, demo shops and offers."""
# ruff: noqa: E402

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from bot.embedded import embedded_bot
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from subscriptions.clock import FixedClock
from tests.billing.world import BOT_TOKEN, START, BillingWorld


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def billing_sandbox(clock: FixedClock) -> AsyncIterator[SandboxServer]:
    # Telegram and jigap read one clock, so Stars expiry dates agree with jigap's calendar.
    server = SandboxServer(port=0, limits=FloodLimits.off(), pre_checkout_timeout=5.0, clock=clock.now)
    server.add_bot(BOT_TOKEN, "jigap_billing_bot", "jigap")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def world(billing_sandbox: SandboxServer, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[BillingWorld]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"
    base = load_config(environ={})
    # Scheduler ticks would race the tests' own ticks: the tests tick, and start the delivery pump.
    # The sandbox's flood limits are off, so the delivery pump need not pace one chat in real time either.
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        embedded_bot(api_url=billing_sandbox.url, token=BOT_TOKEN, database_url=database_url,
                     clock=clock, config=config) as application,
        SandboxClient(billing_sandbox.url) as client,
    ):
        services = application.bot_data["services"]
        await load_demo_organisations(services)
        await load_demo_offers(services)
        services.delivery.start(BOT_TOKEN)
        yield BillingWorld(billing_sandbox, client, application, clock)
