"""The tables the code declares are the tables the migrations build: a column, index or constraint added to
one and not the other shows up here, on each backend, before it shows up in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Index

import storage.schema  # noqa: F401 - imports every table module, so the metadata is whole
from storage.billing.tables import billing_subscriptions
from storage.engine import create_engine
from storage.metadata import is_declared, metadata
from storage.migrate import migrate


async def _differences(database_url: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            # What migrations build in a backend's own way (a full-text index) is theirs alone to compare.
            options = {"include_name": is_declared}
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts=options), metadata))
    finally:
        await engine.dispose()


async def test_the_migrated_database_has_exactly_the_declared_tables(database_url: str) -> None:
    assert await _differences(database_url) == []


async def test_an_index_declared_but_never_migrated_is_found(sqlite_url: str) -> None:
    extra = Index("ix_billing_subscriptions_not_migrated", billing_subscriptions.c.plan_id)
    try:
        differences = await _differences(sqlite_url)
    finally:
        billing_subscriptions.indexes.discard(extra)
    assert [(kind, index.name) for kind, index in differences] == [("add_index", "ix_billing_subscriptions_not_migrated")]
