"""The metadata every table of every domain is declared on, its naming convention and the column helpers.

Columns holding personal data or private keys are `LargeBinary` with `info={"sealed": <purpose>}`: they
hold envelope-encrypted bytes only (see storage.envelope), and `jigap keys rotate` finds them by that mark.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    LargeBinary,
    MetaData,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
# SQLite names the tables behind an FTS5 virtual table after it, with these endings.
FTS5_SHADOW_TABLES = ("_data", "_idx", "_content", "_docsize", "_config")


def built_by_migrations(*names: str) -> None:
    """Declare tables that a migration builds in each backend's own way and no Table describes (a full-text
    index: FTS5 virtual tables on SQLite, a table with GIN indexes on PostgreSQL). Migrations own them
    whole; comparing the schema with the metadata leaves them, their indexes and SQLite's shadow tables out."""
    metadata.info.setdefault("built_by_migrations", set()).update(names)


def is_declared(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's `include_name`: False for what `built_by_migrations` declared."""
    if type_ != "table" or name is None:
        return True
    built: set[str] = metadata.info.get("built_by_migrations", set())
    return name not in built and not any(
        name.endswith(ending) and name.removesuffix(ending) in built for ending in FTS5_SHADOW_TABLES)


def utc_datetime(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def sealed(name: str, purpose: str, *, nullable: bool = True) -> Column[bytes]:
    return Column(name, LargeBinary, nullable=nullable, info={"sealed": purpose})


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
