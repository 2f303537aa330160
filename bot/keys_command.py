"""jigap keys status | rotate."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bot.config import Config
from bot.master_keys import ENV_NAME, load_key_ring, write_key_file
from storage.engine import create_engine
from storage.envelope import Envelope, new_master_key
from storage.key_rotation import rotate, sealed_columns
from storage.migrate import migrate

EXIT_OK = 0


async def key_status(config: Config) -> int:
    ring, source = load_key_ring(Path(config.wallet.master_key_file))
    envelope = Envelope(ring)
    engine = create_engine(config.database.url)
    counts: Counter[str] = Counter()
    try:
        await migrate(engine, envelope)
        async with engine.connect() as connection:
            for table, column, _purpose in sealed_columns():
                query = select(table.c[column]).where(table.c[column].is_not(None))
                for (value,) in (await connection.execute(query)).all():
                    counts[envelope.key_id_of(value)] += 1
    finally:
        await engine.dispose()
    sys.stdout.write(f"key ring from {source}; active key {ring.active}\n")
    for kid in sorted(set(ring.keys) | set(counts)):
        marker = " (active)" if kid == ring.active else ("" if kid in ring.keys else " (NOT IN KEY RING)")
        sys.stdout.write(f"  {kid}{marker}: {counts[kid]} sealed values\n")
    return EXIT_OK


async def rotate_keys(config: Config) -> int:
    path = Path(config.wallet.master_key_file)
    ring, source = load_key_ring(path)
    if source != ENV_NAME:
        ring = ring.with_new_active(new_master_key())
        write_key_file(path, ring)
        sys.stdout.write(f"new active key {ring.active} added to {path}\n")
    engine = create_engine(config.database.url)
    try:
        await migrate(engine, Envelope(ring))
        report = await rotate(engine, Envelope(ring))
    finally:
        await engine.dispose()
    sys.stdout.write(
        f"re-encrypted {report.values_resealed} values under key {ring.active}; "
        f"{report.values_current} were already under it\n"
    )
    return EXIT_OK
