"""The wallet's accreditations on SQLite and on PostgreSQL: granted once (also when two workers race),
withdrawn once, read per issuer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def uow_factory(database_url: str, envelope: Envelope):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    await migrate(engine)
    yield UnitOfWorkFactory(engine, envelope)
    await engine.dispose()


async def _issuer(uow_factory: UnitOfWorkFactory, slug: str) -> int:
    async with uow_factory() as uow:
        organisation = await uow.organisations.add(slug=slug, name=slug.title(), kind="issuer", now=NOW)
        issuer_id = await uow.wallet.add_issuer(org_id=organisation.id, slug=slug, issuer_url=f"https://x/{slug}", now=NOW)
        await uow.commit()
    return issuer_id


async def _accredit(uow_factory: UnitOfWorkFactory, issuer_id: int, card_type: str) -> bool:
    async with uow_factory() as uow:
        changed = await uow.wallet.accredit(issuer_id, card_type, granted_by=None, now=NOW)
        await uow.commit()
    return changed


async def test_an_accreditation_is_granted_once_even_in_a_race_and_withdrawn_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    road, university = await _issuer(uow_factory, "road-authority"), await _issuer(uow_factory, "hankuk-university")
    raced = await asyncio.gather(*(_accredit(uow_factory, road, "driver_license") for _ in range(3)))
    assert sorted(raced) == [False, False, True]
    assert await _accredit(uow_factory, university, "student_id")
    async with uow_factory() as uow:
        assert await uow.wallet.accredited_types(road) == frozenset({"driver_license"})
        assert await uow.wallet.accredited_types(university) == frozenset({"student_id"})
        assert await uow.wallet.withdraw_accreditation(road, "driver_license")
        assert not await uow.wallet.withdraw_accreditation(road, "driver_license")
        assert not await uow.wallet.withdraw_accreditation(university, "driver_license")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.wallet.accredited_types(road) == frozenset()
        assert await uow.wallet.accredited_types(university) == frozenset({"student_id"})
