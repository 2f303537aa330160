"""The wallet through the sandbox (tests/harness.py): jigap's real Application polling a sandbox, on a real
SQLite file, with the demo organisations, their issuer keys, and the people who act as holder, issuer admin
and verifiers.

The clock is a FixedClock at 21:04 in Seoul: presentations and checks happen at a moment the test controls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Config
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running, with_demo_people
from tests.wallet_e2e.helpers import NOW, wallet_config


@pytest.fixture
def wallet_settings() -> Config:
    """Override in a test module (or with indirect parametrisation) for other [wallet] settings."""
    return wallet_config()


@pytest.fixture
def wallet_database_url(migrated_sqlite_url: str) -> str:
    """A SQLite file by default; a module may override this with the PostgreSQL-parametrised `migrated_database_url`."""
    return migrated_sqlite_url


@pytest.fixture
async def world(wallet_settings: Config, wallet_database_url: str) -> AsyncIterator[Jigap]:
    clock = FixedClock(NOW)
    async with (
        sandbox_running() as server,
        jigap_on(server, database_url=wallet_database_url, config=wallet_settings, clock=clock) as jigap,
    ):
        yield await with_demo_people(jigap)
