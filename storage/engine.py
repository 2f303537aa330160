"""Database engines: SQLite through aiosqlite by default, PostgreSQL through asyncpg for scale."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.json_text import column_json, from_json
from storage.sqlite_driver import OneTripConnection, one_trip_dbapi

# Execution option marking a connection whose transactions only read.
READ_ONLY_OPTION = "jigap_read_only"
# Execution option marking a short writing transaction that runs on the event loop's thread, on SQLite
# (storage.sqlite_driver.OneTripConnection); elsewhere it changes nothing.
INLINE_OPTION = "jigap_inline"
# Execution option marking a reading connection that runs a single statement: on SQLite it opens no
# transaction of its own (one statement is a consistent snapshot by itself), which saves round trips.
ONE_STATEMENT_OPTION = "jigap_one_statement"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, busy_timeout: int = 5, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            _owner_only_file(Path(database))
        engine = create_async_engine(
            url,
            # Not the same thread: inline transactions use the connection from the event loop's thread, never
            # while its own thread runs a statement (the pool lends a connection to one user at a time).
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            module=one_trip_dbapi(),  # one trip to the database thread per statement (storage.sqlite_driver)
            json_serializer=column_json,
            json_deserializer=from_json,
            poolclass=NullPool if database in (None, "", ":memory:") else None,
        )
        _configure_sqlite(engine, busy_timeout)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                               json_serializer=column_json, json_deserializer=from_json)


def _owner_only_file(database: Path) -> None:
    """The database holds everyone's data: its folder is made 0700 and the file 0600 before SQLite opens it.

    SQLite gives the WAL and shared-memory files the mode of the database file, so they follow. A file made
    earlier with a looser mode is tightened; a folder that was already there is left as its owner set it.
    """
    folder = database.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode passes through the umask
    descriptor = os.open(database, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)


def _configure_sqlite(engine: AsyncEngine, busy_timeout: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's bridge opens its own transaction; pragmas must run outside one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Room for a whole batch's dirty pages (a reminder sweep's write of 5,000 dirties about 8 MB): a smaller
        # cache spills them to the WAL mid-transaction. A bigger one only keeps more of what was read, and
        # was slower: a sweep grew its memory with the number due (100 MB at 100,000, 150 MB at 200,000).
        cursor.execute("PRAGMA cache_size=-16384")  # KiB, per connection, taken only as pages are used
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock at BEGIN so two of them queue on busy_timeout instead of deadlocking
        # when both upgrade a read lock later. Readers begin deferred: in WAL mode they never wait for a writer.
        options = connection.get_execution_options()
        if options.get(ONE_STATEMENT_OPTION, False):
            return
        begin = "BEGIN" if options.get(READ_ONLY_OPTION, False) else "BEGIN IMMEDIATE"
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, OneTripConnection):
            dbapi_connection.begin_with_next(begin)
            dbapi_connection.inline = bool(options.get(INLINE_OPTION, False))
        else:
            connection.exec_driver_sql(begin)
