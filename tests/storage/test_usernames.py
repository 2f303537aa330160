"""A username belongs to one user row, the one Telegram showed it on last, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import alembic_config, migrate
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def uow_factory(database_url: str, envelope: Envelope) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield UnitOfWorkFactory(engine, envelope)
    await engine.dispose()


async def _seen(uow: UnitOfWork, user_id: int, username: str | None, at: datetime = NOW) -> None:
    await uow.users.upsert_seen(user_id=user_id, username=username, first_name=f"User {user_id}", last_name=None,
                                telegram_language="ko", default_timezone="Asia/Seoul", now=at)


async def test_a_username_that_moves_leaves_the_old_row_in_the_same_transaction(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await _seen(uow, 1001, "minji")
        await uow.commit()
    async with uow_factory() as uow:
        await _seen(uow, 2002, "Minji", NOW + timedelta(days=3))  # Telegram gave the name to someone else
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.users.find_by_username("@minji")
        old = await uow.users.get(1001)
    assert found is not None and found.id == 2002
    assert old is not None and old.username is None and old.first_name == "User 1001"


async def test_a_move_that_is_rolled_back_leaves_the_name_where_it_was(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _seen(uow, 1001, "minji")
        await uow.commit()
    async with uow_factory() as uow:
        await _seen(uow, 2002, "minji")  # not committed
    async with uow_factory() as uow:
        found = await uow.users.find_by_username("minji")
    assert found is not None and found.id == 1001


async def test_two_rows_cannot_hold_one_username(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await _seen(uow, 1001, "minji")
        await _seen(uow, 2002, "jisoo")
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow.connection.execute(text("UPDATE users SET username = 'minji' WHERE id = 2002"))


async def test_the_migration_keeps_a_shared_name_on_the_row_seen_last(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        def upgrade_to(revision: str):  # type: ignore[no-untyped-def]
            return lambda connection: command.upgrade(alembic_config(connection), revision)

        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to("core_0004"))
        async with engine.begin() as connection:
            for user_id, name, days in [(1, "minji", 0), (2, "minji", 5), (3, "minji", 2), (4, "jisoo", 0),
                                        (5, None, 9), (6, "hana", 1), (7, "hana", 1)]:
                await connection.execute(
                    text("INSERT INTO users (id, username, timezone, is_bot_blocked, is_banned, created_at, "
                         "last_seen_at) VALUES (:id, :name, 'Asia/Seoul', false, false, :at, :at)"),
                    {"id": user_id, "name": name, "at": NOW + timedelta(days=days)})
        await migrate(engine)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, username FROM users ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [(1, None), (2, "minji"), (3, None), (4, "jisoo"), (5, None),
                                                (6, None), (7, "hana")]
    finally:
        await engine.dispose()
