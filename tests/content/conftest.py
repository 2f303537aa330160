"""Content's services on a real database: SQLite always, PostgreSQL where one is configured (and in CI)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.bootstrap import billing_for, content_for
from bot.config import load_config
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import FixedClock
from subscriptions.content import Content
from tests.conftest import postgres_database
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PEOPLE = {700_000_101: "Hana", 700_000_102: "Alex", 700_000_103: "Jisoo", 700_000_104: "Minji"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def content(request: pytest.FixtureRequest, migrated_sqlite_url: str, envelope: Envelope
                  ) -> AsyncIterator[Content]:
    """Content (with its billing) over a fresh database of each backend, on a clock that moves when told."""
    clock = FixedClock(NOW)
    config = load_config(environ={})

    async def on(url: str, *, migrated: bool) -> AsyncIterator[Content]:
        engine = create_engine(url)
        try:
            if not migrated:
                await migrate(engine)
            units = UnitOfWorkFactory(engine, envelope, now=clock.now)
            async with units() as uow:  # the people the tests name, as a first message to the bot makes them
                for user_id, name in PEOPLE.items():
                    await uow.users.upsert_seen(user_id=user_id, username=name.lower(), first_name=name,
                                                last_name=None, telegram_language="ko",
                                                default_timezone="Asia/Seoul", now=NOW)
                await uow.commit()
            yield content_for(config, units, clock, billing_for(config, units, clock))
        finally:
            await engine.dispose()

    if request.param == "sqlite":
        async for found in on(migrated_sqlite_url, migrated=True):
            yield found
    else:
        async with postgres_database() as url:
            async for found in on(url, migrated=False):
                yield found


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def world(clock: FixedClock, migrated_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    """jigap and the sandbox on one fixed clock over a real SQLite file, with the delivery pump running."""
    monkeypatch.setenv("JIGAP_PAYMENTS__PROVIDER_TOKEN", "sandbox-card-provider")
    base = load_config(environ={})
    # The tests tick the scheduler themselves; the sandbox's flood limits are off, so the pump need not pace.
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock, pre_checkout_timeout=5.0) as server,
        jigap_on(server, database_url=migrated_sqlite_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(BOT_TOKEN)
        yield jigap
