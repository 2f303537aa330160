"""A fresh PostgreSQL database for one bench run, next to the one a URL names, dropped afterwards; or an empty
SQLite file in a folder of its own, for benches that run on either backend."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


async def _admin(url: str, statement: str) -> None:
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the server `url` names; the database is dropped on leaving."""
    name = f"jigap_bench_{uuid.uuid4().hex[:10]}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def fresh_database(backend: str, postgres: str | None) -> AsyncIterator[str]:
    """An empty database of `backend` ("sqlite" or "postgresql", on the server `postgres` names) for one run."""
    if backend == "postgresql":
        assert postgres is not None
        async with fresh_postgres(postgres) as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/jigap.db"
