"""Billing fixtures: the sandbox, jigap on a real SQLite file with a fixed clock, demo shops and offers."""
# ruff: noqa: E402

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bot.clock import FixedClock
from bot.demo import load_demo_offers, load_demo_organisations
from bot.embedded import embedded_bot
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from tests.billing.world import BOT_TOKEN, START, BillingWorld


@pytest.fixture
async def billing_sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(port=0, limits=FloodLimits.off(), pre_checkout_timeout=5.0)
    server.add_bot(BOT_TOKEN, "jigap_billing_bot", "jigap")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def world(billing_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[BillingWorld]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    clock = FixedClock(START)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"
    async with (
        embedded_bot(api_url=billing_sandbox.url, token=BOT_TOKEN, database_url=database_url,
                     clock=clock) as application,
        SandboxClient(billing_sandbox.url) as client,
    ):
        services = application.bot_data["services"]
        await load_demo_organisations(services)
        await load_demo_offers(services)
        yield BillingWorld(billing_sandbox, client, application, clock)
