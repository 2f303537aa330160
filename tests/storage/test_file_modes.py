"""The SQLite database, its WAL and shared-memory files, and the folder made for them are the owner's alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from bot.master_keys import write_key_file
from storage.engine import create_engine
from storage.envelope import KeyRing, new_master_key
from storage.migrate import migrate


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_its_wal_and_its_folder_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual umask, which leaves new files 0644 and folders 0755
    try:
        database = tmp_path / "var" / "jigap.db"
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            await migrate(engine)
            async with engine.connect() as connection:  # held open, so the WAL and SHM files stay on disk
                await connection.execute(text("SELECT 1 FROM users"))
                wal = database.with_name("jigap.db-wal")
                shm = database.with_name("jigap.db-shm")
                assert wal.exists() and shm.exists()
                assert {path.name: _mode(path) for path in (database, wal, shm)} == {
                    "jigap.db": 0o600, "jigap.db-wal": 0o600, "jigap.db-shm": 0o600}
                assert _mode(database.parent) == 0o700
        finally:
            await engine.dispose()
    finally:
        os.umask(old_umask)


async def test_a_database_left_world_readable_is_tightened_at_the_next_start(tmp_path: Path) -> None:
    database = tmp_path / "jigap.db"
    first = create_engine(f"sqlite+aiosqlite:///{database}")
    await migrate(first)
    await first.dispose()
    database.chmod(0o644)
    again = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with again.connect() as connection:
            await connection.execute(text("SELECT 1 FROM users"))
            assert _mode(database) == 0o600
            assert _mode(database.with_name("jigap.db-wal")) == 0o600
    finally:
        await again.dispose()


def test_the_folder_made_for_the_master_key_file_is_the_owners_alone(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        key_file = tmp_path / "var" / "master.key"
        write_key_file(key_file, KeyRing.single(new_master_key()))
    finally:
        os.umask(old_umask)
    assert (_mode(key_file.parent), _mode(key_file)) == (0o700, 0o600)
