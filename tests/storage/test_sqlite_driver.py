"""SQLite statements take one trip to aiosqlite's thread (storage.sqlite_driver) and behave as SQLAlchemy's own
cursor does: rows, RETURNING, counts, executemany, and the driver's errors as SQLAlchemy's. A transaction's BEGIN
travels with its first statement; an inline transaction takes no trip at all, and commits and rolls back as any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.engine import INLINE_OPTION, create_engine


async def _trips(connection: Any) -> list[object]:
    """Every call put on the database thread's queue from now on, as a list that grows."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    calls: list[object] = []

    class CountingQueue:
        """Stands in front of the thread's queue (the thread keeps reading the queue itself)."""

        def __init__(self, queue: Any) -> None:
            self._queue = queue

        def put_nowait(self, item: object) -> None:
            calls.append(item)
            self._queue.put_nowait(item)

    driver._tx = CountingQueue(driver._tx)
    return calls


async def test_a_statement_is_one_trip_and_answers_rows_counts_and_ids(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            trips = await _trips(connection)
            inserted = await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
            assert len(trips) == 1 and inserted.lastrowid == 1
            many = await connection.execute(text("INSERT INTO items (name) VALUES (:name)"),
                                            [{"name": "b"}, {"name": "c"}])
            assert len(trips) == 2 and many.rowcount == 2
            rows = (await connection.execute(text("SELECT name FROM items ORDER BY id"))).scalars().all()
            assert len(trips) == 3 and rows == ["a", "b", "c"]
            returned = (await connection.execute(
                text("UPDATE items SET name = upper(name) WHERE id > 1 RETURNING id, name"))).all()
            assert len(trips) == 4 and sorted(map(tuple, returned)) == [(2, "B"), (3, "C")]
            updated = await connection.execute(text("UPDATE items SET name = name || '!' WHERE id = 1"))
            assert updated.rowcount == 1
    finally:
        await engine.dispose()


async def test_the_drivers_errors_arrive_as_sqlalchemys_and_the_connection_goes_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM items"))).scalar_one()
        assert count == 1
    finally:
        await engine.dispose()


async def test_a_transactions_begin_goes_with_its_first_statement(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        async with engine.connect() as connection:
            trips = await _trips(connection)
            await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
            assert len(trips) == 1 and (await connection.get_raw_connection()).driver_connection._conn.in_transaction
            await connection.commit()
            assert len(trips) == 2  # BEGIN IMMEDIATE and the insert, then the commit
            await connection.commit()  # nothing begun since: no trip
            assert len(trips) == 2
    finally:
        await engine.dispose()


async def test_an_inline_transaction_takes_no_trip_and_commits_or_rolls_back_whole(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        async with engine.connect() as connection:
            await connection.execution_options(**{INLINE_OPTION: True})
            trips = await _trips(connection)
            await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
            many = await connection.execute(text("INSERT INTO items (name) VALUES (:name)"),
                                            [{"name": "b"}, {"name": "c"}])
            assert many.rowcount == 2
            await connection.commit()
            await connection.execute(text("INSERT INTO items (name) VALUES ('d')"))
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO items (name) VALUES ('a')"))
            await connection.rollback()  # 'd' goes with the failed statement's transaction
            assert trips == []
        async with engine.connect() as connection:
            names = (await connection.execute(text("SELECT name FROM items ORDER BY id"))).scalars().all()
        assert names == ["a", "b", "c"]
    finally:
        await engine.dispose()
