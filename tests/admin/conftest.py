"""The admin console through the sandbox, on SQLite and on PostgreSQL: the demo organisations and the people of
the stories, and the platform's admin, on a clock fixed on Thursday 5 November 2026, 10:00 in Seoul."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from sandbox.client import SandboxUser
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running, with_demo_people

NOW = datetime(2026, 11, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def world(migrated_database_url: str) -> AsyncIterator[Jigap]:
    clock = FixedClock(NOW)
    async with (
        sandbox_running() as server,
        jigap_on(server, database_url=migrated_database_url, clock=clock) as jigap,
    ):
        yield await with_demo_people(jigap)


async def platform_admin(world: Jigap, language: str = "en") -> SandboxUser:
    admin = await world.started_user("Admin", language, "admin", "Choi")
    await world.make_platform_admin(admin)
    return admin
