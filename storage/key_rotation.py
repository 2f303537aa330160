"""Re-encrypt every sealed column under the active master key (jigap keys rotate)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.envelope import Envelope
from storage.schema import metadata

BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    values_resealed: int
    values_current: int


def sealed_columns() -> list[tuple[Table, str, str]]:
    """(table, column, purpose) for every column marked as sealed."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            purpose = column.info.get("sealed")
            if purpose:
                found.append((table, column.name, str(purpose)))
    return found


async def rotate(engine: AsyncEngine, envelope: Envelope) -> RotationReport:
    resealed = current = 0
    for table, column_name, purpose in sealed_columns():
        (key_column,) = table.primary_key.columns
        column = table.c[column_name]
        last = None
        while True:
            query = select(key_column, column).where(column.is_not(None)).order_by(key_column).limit(BATCH)
            if last is not None:
                query = query.where(key_column > last)
            async with engine.begin() as connection:
                rows = (await connection.execute(query)).all()
                for key, value in rows:
                    if envelope.key_id_of(value) == envelope.ring.active:
                        current += 1
                        continue
                    fresh = envelope.reseal(value, purpose=purpose)
                    await connection.execute(update(table).where(key_column == key).values({column_name: fresh}))
                    resealed += 1
            if len(rows) < BATCH:
                break
            last = rows[-1][0]
    return RotationReport(values_resealed=resealed, values_current=current)
