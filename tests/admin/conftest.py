"""The admin console through the sandbox, on SQLite and on PostgreSQL: the demo organisations, their offers and
the people of the stories, and the platform's admin, on a clock fixed on Thursday 5 November 2026, 10:00 in Seoul
(the sandbox dates messages and payments by it too). Card payments go through the sandbox's provider; the
delivery pump runs from the start, and the scheduler's tick only once, so the tests say when time moves."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.config import load_config
from bot.demo import load_demo_offers
from sandbox.client import SandboxUser
from subscriptions.clock import FixedClock
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running, with_demo_people

NOW = datetime(2026, 11, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    clock = FixedClock(NOW)
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        people = await with_demo_people(jigap)
        await load_demo_offers(people.services)
        people.services.delivery.start(BOT_TOKEN)
        yield people


async def platform_admin(world: Jigap, language: str = "en") -> SandboxUser:
    admin = await world.started_user("Admin", language, "admin", "Choi")
    await world.make_platform_admin(admin)
    return admin
