"""`jigap backup PATH` and `jigap restore PATH`: a copy of the database, and the database put back from one.

On SQLite, a backup is taken with SQLite's online backup API, a few pages at a time, so the bot may keep running
(its writers wait at most one step) and the copy is one consistent moment; the copy is checked with
`PRAGMA integrity_check` before it takes its name. On PostgreSQL, `pg_dump` does the same job better than jigap
could: the command prints the line to run (the password stays in PGPASSWORD or ~/.pgpass, never on it).

A restore refuses, and changes nothing, unless the file is an intact SQLite database that jigap made (its
migration level is one this jigap knows) and the configured master key opens its sealed data. Then the bot's
database file is replaced in one rename, and the replaced one is kept beside it
(`jigap.db.replaced-<UTC time>`). Stop the bot before a restore; it migrates the restored file at its next start
if the backup is older than the code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from bot.bootstrap import check_key_ring
from bot.config import Config, load_config
from bot.master_keys import MasterKeyError, load_key_ring
from storage.core.tables import key_check
from storage.engine import create_engine
from storage.envelope import Envelope, KeyRing
from storage.migrate import alembic_config, applied_heads

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
# Pages copied per step of the online backup: about 4 MB, a few milliseconds of holding the database.
PAGES_PER_STEP = 1024
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupRefused(Exception):
    """The backup or restore cannot be done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int
    revision: str


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup` and `restore` on the jigap command line."""
    backup = subparsers.add_parser(
        "backup", help="copy the database to PATH (safe while the bot runs)",
        description="SQLite: copy the database to PATH with SQLite's online backup and check the copy. "
        "PostgreSQL: print the pg_dump line to run. Exit status: 0 done, 1 refused, 2 usage error.")
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file to write (must not exist)")
    backup.set_defaults(func=run_backup)
    restore = subparsers.add_parser(
        "restore", help="replace the database with a backup (stop the bot first)",
        description="SQLite: check that PATH is an intact jigap database the master key opens, then swap it in "
        "and keep the replaced file beside it. PostgreSQL: print the pg_restore line to run. "
        "Exit status: 0 done, 1 refused, 2 usage error.")
    restore.add_argument("path", type=Path, metavar="PATH", help="a backup made by jigap backup")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    url = make_url(config.database.url)
    if url.get_backend_name() == "postgresql":
        sys.stdout.write(f"PostgreSQL is backed up with pg_dump; run:\n  {pg_dump_line(url, args.path)}\n")
        return EXIT_OK
    try:
        copy = backup_sqlite(sqlite_file(url), args.path)
    except BackupRefused as refused:
        sys.stderr.write(f"jigap: backup refused: {refused}\n")
        return EXIT_REFUSED
    sys.stdout.write(f"backed up {sqlite_file(url)} to {copy.path} ({copy.size / 1_048_576:.1f} MiB, "
                     f"revision {copy.revision}, integrity ok)\n")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    url = make_url(config.database.url)
    if url.get_backend_name() == "postgresql":
        sys.stdout.write("PostgreSQL is restored with pg_restore; stop the bot, then run:\n"
                         f"  {pg_restore_line(url, args.path)}\n  jigap migrate\n")
        return EXIT_OK
    try:
        ring = key_ring(config)
        target = sqlite_file(url)
        aside = restore_sqlite(args.path, target, ring)
    except BackupRefused as refused:
        sys.stderr.write(f"jigap: restore refused: {refused}\n")
        return EXIT_REFUSED
    kept = f"; the replaced database is kept as {aside}" if aside is not None else ""
    sys.stdout.write(f"restored {target} from {args.path}{kept}\n")
    return EXIT_OK


# --- PostgreSQL ------------------------------------------------------------------------------------------------


def _connection_options(url: URL) -> str:
    options = [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        options.append(f"--username={url.username}")
    return " ".join(options)


def pg_dump_line(url: URL, path: Path) -> str:
    """The pg_dump command for the configured database, in its custom format (what pg_restore reads)."""
    return f"pg_dump --format=custom --file={path} {_connection_options(url)} {url.database}"


def pg_restore_line(url: URL, path: Path) -> str:
    return f"pg_restore --clean --if-exists --no-owner {_connection_options(url)} --dbname={url.database} {path}"


# --- SQLite ----------------------------------------------------------------------------------------------------


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupRefused("the configured database is not a file")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> Copy:
    """Copy `source` to `target` with the online backup API, check the copy, and only then give it its name."""
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    if target.exists():
        raise BackupRefused(f"{target} exists already; choose a new name")
    if not target.parent.is_dir():
        raise BackupRefused(f"there is no folder {target.parent} to write {target.name} in")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source)) as database, closing(sqlite3.connect(partial)) as copy:
            database.backup(copy, pages=PAGES_PER_STEP)
            _check_integrity(copy, partial)
            revision = _revision(copy, partial)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupRefused(f"could not copy {source} to {target} ({error})") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copy(target, target.stat().st_size, revision)


def restore_sqlite(backup: Path, target: Path, ring: KeyRing) -> Path | None:
    """Swap `backup` in for `target` once it passed every check; returns where the replaced file was kept."""
    if not backup.is_file():
        raise BackupRefused(f"there is no backup at {backup}")
    with backup.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused(f"{backup} is not a SQLite database")
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(staged)) as copy:
            source.backup(copy, pages=PAGES_PER_STEP)
            _check_integrity(copy, backup)
            _revision(copy, backup)
        asyncio.run(_check_key(staged, ring, backup))
        _settle(staged)
        aside = _set_aside(target)
        os.replace(staged, target)  # the one moment the database changes: a rename, whole or not at all
        for leftover in (_sidecar(target, "-wal"), _sidecar(target, "-shm")):
            leftover.unlink(missing_ok=True)  # the replaced file's, empty after its checkpoint
    finally:
        for path in (staged, _sidecar(staged, "-wal"), _sidecar(staged, "-shm")):
            path.unlink(missing_ok=True)
    return aside


def _check_integrity(copy: sqlite3.Connection, name: Path) -> None:
    try:
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{name} is not an intact SQLite database ({error})") from None
    if verdict != "ok":
        raise BackupRefused(f"{name} failed SQLite's integrity check: {verdict}")


def _revision(copy: sqlite3.Connection, name: Path) -> str:
    """The migration level the database is at, refused unless this jigap knows every revision it records."""
    try:
        recorded = [row[0] for row in copy.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError:
        recorded = []
    if not recorded:
        raise BackupRefused(f"{name} is not a jigap database (it has no migration level)")
    script = ScriptDirectory.from_config(alembic_config())
    for revision in recorded:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise BackupRefused(f"{name} is at revision {revision}, which this jigap does not know (a newer "
                                "version made it): upgrade jigap first")
    return "+".join(applied_heads(recorded))


async def _check_key(staged: Path, ring: KeyRing, name: Path) -> None:
    """The configured master key must open what the backup sealed, or the restored bot could read none of it."""
    engine = create_engine(f"sqlite+aiosqlite:///{staged}")
    try:
        async with engine.connect() as connection:
            probe = (await connection.execute(select(key_check.c.sealed_probe))).first()
        if probe is None:
            raise BackupRefused(f"{name} was never started as a jigap database (it holds no key check)")
        try:
            await check_key_ring(engine, Envelope(ring))
        except MasterKeyError as error:
            raise BackupRefused(f"{error}: restoring it would leave the bot unable to read its data") from None
    finally:
        await engine.dispose()


def key_ring(config: Config) -> KeyRing:
    try:
        return load_key_ring(Path(config.wallet.master_key_file))[0]
    except MasterKeyError as error:
        raise BackupRefused(str(error)) from None


def _settle(path: Path) -> None:
    """Fold the file's write-ahead log into it, so the file alone is the whole database."""
    if path.exists():
        with closing(sqlite3.connect(path)) as database:
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _set_aside(target: Path) -> Path | None:
    """Keep the database about to be replaced under a new name (a hard link: the swap stays one rename)."""
    if not target.exists():
        return None
    _settle(target)
    stamp = f"{target.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    aside = target.with_name(stamp)
    for second_try in range(2, 100):  # two restores within one second keep both replaced files
        if not aside.exists():
            break
        aside = target.with_name(f"{stamp}-{second_try}")
    try:
        os.link(target, aside)
    except OSError:  # a file system without hard links
        shutil.copy2(target, aside)
    return aside


def _sidecar(database: Path, suffix: str) -> Path:
    return database.with_name(database.name + suffix)
