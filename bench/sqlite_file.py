"""A fresh SQLite file at the newest schema, for benches that start jigap on one of their own."""

from __future__ import annotations

from pathlib import Path

from storage.engine import create_engine
from storage.migrate import migrate


async def migrated_sqlite(folder: Path) -> str:
    url = f"sqlite+aiosqlite:///{folder / 'jigap.db'}"
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url
