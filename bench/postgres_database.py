"""A fresh PostgreSQL database for one bench run, next to the one a URL names, dropped afterwards."""

from __future__ import annotations

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
