"""Apply Alembic migrations programmatically (jigap migrate, and at start-up).

Each domain keeps its own branch of revisions in `storage/<domain>/migrations/` (its first revision revises
the core's "0001" and carries a branch label), so domains built side by side never fight over one chain;
"heads" applies every branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.envelope import Envelope
from storage.schema import migration_folders

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None, envelope: Envelope | None = None) -> AlembicConfig:
    """Alembic's settings for our migration branches (on `connection` when given). A revision that seals
    values already stored (wallet_0003) finds `envelope` among the attributes."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", " ".join(str(folder) for folder in migration_folders()))
    config.set_main_option("path_separator", "space")
    if connection is not None:
        config.attributes["connection"] = connection
    if envelope is not None:
        config.attributes["envelope"] = envelope
    return config


def head_revision() -> str:
    """The newest revision of every branch, sorted and joined with '+', as current_revision reports it."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return "+".join(sorted(heads))


def _names(value: str | Sequence[str] | None) -> set[str]:
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def applied_heads(recorded: Sequence[str]) -> list[str]:
    """The newest revision of each branch a database has, given what its version table records.

    Alembic records a branch's newest revision only: a revision another branch depends on (core_0002, which
    billing_0003 needs) may be applied without a row of its own, so the heads are read off the revisions
    the recorded ones reach, parents and dependencies included, less those a reached one revises.
    """
    script = ScriptDirectory.from_config(alembic_config())
    reached = list(script.revision_map.iterate_revisions(tuple(recorded), "base", inclusive=True))
    below = set().union(*(_names(rev.down_revision) for rev in reached))
    return sorted({rev.revision for rev in reached} - below)


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        heads = MigrationContext.configure(connection).get_current_heads()
        return "+".join(applied_heads(heads)) if heads else None

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def migrate(engine: AsyncEngine, envelope: Envelope | None = None, *,
                  target: str = "heads") -> tuple[str | None, str]:
    """Upgrade to the newest revision (or `target`); running it again changes nothing. Returns (before, after).

    `envelope` is needed only when a revision seals values already stored; without it such a revision
    refuses a database that holds any."""
    before = await current_revision(engine)

    def upgrade(connection: Connection) -> None:
        command.upgrade(alembic_config(connection, envelope), target)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
    return before, head_revision() if target == "heads" else (await current_revision(engine) or "")
