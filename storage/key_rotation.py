"""Re-encrypt every sealed column under the active master key (jigap keys rotate)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select, tuple_, update
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
        keys = list(table.primary_key.columns)  # one column, or several (the inbox: bot and update id)
        key = tuple_(*keys) if len(keys) > 1 else keys[0]
        column = table.c[column_name]
        last: tuple[object, ...] | None = None
        while True:
            query = select(*keys, column).where(column.is_not(None)).order_by(*keys).limit(BATCH)
            if last is not None:
                query = query.where(key > (tuple_(*last) if len(keys) > 1 else last[0]))
            async with engine.begin() as connection:
                rows = (await connection.execute(query)).all()
                for row in rows:
                    value = row[-1]
                    if envelope.key_id_of(value) == envelope.ring.active:
                        current += 1
                        continue
                    fresh = envelope.reseal(value, purpose=purpose)
                    where = [key_column == row[index] for index, key_column in enumerate(keys)]
                    await connection.execute(update(table).where(*where).values({column_name: fresh}))
                    resealed += 1
            if len(rows) < BATCH:
                break
            last = tuple(rows[-1][:-1])
    return RotationReport(values_resealed=resealed, values_current=current)
