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


def utc_datetime(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def sealed(name: str, purpose: str, *, nullable: bool = True) -> Column[bytes]:
    return Column(name, LargeBinary, nullable=nullable, info={"sealed": purpose})


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
