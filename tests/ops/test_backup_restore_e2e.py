"""The restore drill: data made through the bot, `jigap backup` while it runs, more changes, `jigap restore` with
the bot stopped; the bot starts on the restored file and shows the old data, and the newer data is gone (kept
only in the replaced file set aside). A restore that cannot be trusted is refused and changes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from bot.master_keys import load_key_ring
from subscriptions.clock import FixedClock
from tests.harness import jigap_on, sandbox_running
from tests.ops.conftest import NOW


def config_file(folder: Path, database: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n\n'
                    f'[wallet]\nmaster_key_file = "{folder / "master.key"}"\n', encoding="utf-8")
    return path


async def jigap_cli(*argv: str) -> int:
    """The jigap command as an operator runs it (in a thread: it runs its own event loop)."""
    return await asyncio.to_thread(main, list(argv))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database(tmp_path: Path, migrated_sqlite_template: Path) -> Path:
    path = tmp_path / "jigap.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return path


async def test_the_restore_drill_brings_back_the_old_data_and_drops_the_newer(
        tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(tmp_path, database)
    ring, _ = load_key_ring(tmp_path / "master.key", create=True)
    backup = tmp_path / "backups" / "jigap-monday.db"
    backup.parent.mkdir()
    clock = FixedClock(NOW)
    url = f"sqlite+aiosqlite:///{database}"

    async with sandbox_running(clock=clock) as server:
        async with jigap_on(server, database_url=url, ring=ring, clock=clock) as before:
            minji = await before.user("Minji", "ko")
            menu = await minji.send("/language")
            await minji.press("English", menu)
            assert (await minji.wait_for_edit(menu)).text == "Language set to English."

            assert await jigap_cli("--config", str(config), "backup", str(backup)) == 0  # the bot keeps running
            said = capsys.readouterr().out
            assert said.startswith(f"backed up {database} to {backup} (") and said.endswith(", integrity ok)\n")

            jisoo = await before.started_user("Jisoo", "ko")
            menu = await minji.send("/language")
            await minji.press("한국어", menu)
            assert (await minji.wait_for_edit(menu)).text == "언어를 한국어로 바꿨어요."
            client = before.client

        assert await jigap_cli("--config", str(config), "restore", str(backup)) == 0
        said = capsys.readouterr().out
        assert said.startswith(f"restored {database} from {backup}; the replaced database is kept as ")
        aside = Path(said.rsplit(" ", 1)[-1].strip())

        async with jigap_on(server, database_url=url, ring=ring, clock=clock, client=client) as after:
            assert "Hello, Minji!" in (await minji.send("/start")).text  # English, as at the backup
            async with after.services.uow() as uow:
                assert await uow.users.get(jisoo.id) is None  # she came after the backup
                stored = await uow.users.get(minji.id)
            assert stored is not None and stored.language == "en"
    with closing(sqlite3.connect(aside)) as replaced:
        assert replaced.execute("SELECT count(*) FROM users WHERE id = ?", (jisoo.id,)).fetchone() == (1,)


async def test_a_restore_that_cannot_be_trusted_is_refused_and_changes_nothing(
        tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(tmp_path, database)
    ring, _ = load_key_ring(tmp_path / "master.key", create=True)
    clock = FixedClock(NOW)
    async with sandbox_running(clock=clock) as server, \
            jigap_on(server, database_url=f"sqlite+aiosqlite:///{database}", ring=ring, clock=clock) as jigap:
        await jigap.started_user("Minji", "ko")
    good = tmp_path / "good.db"
    assert await jigap_cli("--config", str(config), "backup", str(good)) == 0
    assert await jigap_cli("--config", str(config), "backup", str(good)) == 1
    assert "exists already; choose a new name" in capsys.readouterr().err
    assert await jigap_cli("--config", str(config), "backup", str(tmp_path / "nowhere" / "good.db")) == 1
    assert f"there is no folder {tmp_path / 'nowhere'} to write good.db in" in capsys.readouterr().err
    before = digest(database)

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database", encoding="utf-8")
    empty = tmp_path / "empty.db"
    with closing(sqlite3.connect(empty)) as other:
        other.execute("CREATE TABLE things (id INTEGER)")
    newer = tmp_path / "newer.db"
    shutil.copyfile(good, newer)
    with closing(sqlite3.connect(newer)) as future:
        future.execute("UPDATE alembic_version SET version_num = 'ops_9999' WHERE version_num = 'ops_0001'")
        future.commit()
    other_key = tmp_path / "other"
    other_key.mkdir()
    load_key_ring(other_key / "master.key", create=True)
    foreign = config_file(other_key, database)

    for argv, reason in (
        ((str(config), "restore", str(tmp_path / "missing.db")), "there is no backup at"),
        ((str(config), "restore", str(text_file)), "is not a SQLite database"),
        ((str(config), "restore", str(empty)), "is not a jigap database (it has no migration level)"),
        ((str(config), "restore", str(newer)), "is at revision ops_9999, which this jigap does not know"),
        ((str(foreign), "restore", str(good)), "the master key does not open the data in this database"),
    ):
        assert await jigap_cli("--config", *argv) == 1
        refused = capsys.readouterr().err
        assert refused.startswith("jigap: restore refused: ") and reason in refused, refused
    assert digest(database) == before
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("jigap.db")) == ["jigap.db"]


async def test_on_postgresql_the_commands_print_pg_dump_and_pg_restore_without_the_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "postgresql+asyncpg://jigap:s3cret@db.internal:5433/jigap"\n',
                      encoding="utf-8")
    assert await jigap_cli("--config", str(config), "backup", "/backups/jigap.dump") == 0
    assert await jigap_cli("--config", str(config), "restore", "/backups/jigap.dump") == 0
    said = capsys.readouterr().out
    assert "pg_dump --format=custom --file=/backups/jigap.dump --host=db.internal --port=5433 --username=jigap " \
           "jigap\n" in said
    assert "pg_restore --clean --if-exists --no-owner --host=db.internal --port=5433 --username=jigap " \
           "--dbname=jigap /backups/jigap.dump\n" in said
    assert "s3cret" not in said
