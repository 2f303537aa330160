"""Rentals' tests: Homeline Rentals loaded as the demo has it, on each backend, on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.accounts.records import RoleGrant
from subscriptions.clock import FixedClock
from subscriptions.rentals import Rentals
from subscriptions.rentals.services.demo import load_homeline
from tests.rentals.helpers import APPLICANTS, MANAGER, NOW, rentals_over


@pytest.fixture
async def homeline(database_url: str, envelope: Envelope) -> AsyncIterator[tuple[Rentals, int]]:
    """Rentals over a fresh database with Homeline loaded; the brand's organisation id beside it."""
    clock = FixedClock(NOW)
    engine = create_engine(database_url, pool_size=12)
    try:
        await migrate(engine, envelope)
        units = UnitOfWorkFactory(engine, envelope, now=clock.now)
        async with units() as uow:
            brand = await uow.organisations.add(slug="homeline", name="Homeline Rentals", kind="brand", now=NOW)
            for user_id in (MANAGER, *APPLICANTS):
                await uow.users.upsert_seen(user_id=user_id, username=None, first_name=str(user_id), last_name=None,
                                            telegram_language="ko", default_timezone="Asia/Seoul", now=NOW)
            await uow.roles.grant(RoleGrant(MANAGER, "brand_manager", brand.id), granted_by=None, now=NOW)
            await uow.commit()
        rentals = rentals_over(units, clock)
        await load_homeline(rentals, brand_id=brand.id)
        yield rentals, brand.id
    finally:
        await engine.dispose()


