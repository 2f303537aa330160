"""Fixtures shared by the whole suite: databases on both backends, and the sandbox with jigap running on it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.engine import create_engine
from storage.envelope import Envelope, KeyRing, new_master_key
from storage.migrate import migrate

POSTGRES_ENV = "JIGAP_TEST_DATABASE_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_url() -> str | None:
    """The PostgreSQL URL for the second backend, or a skip (a failure under CI=true) with the reason."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        reason = f"PostgreSQL half skipped: set {POSTGRES_ENV}=postgresql+asyncpg://user@host/db to run it"
        if IN_CI:
            pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: the PostgreSQL half must run in CI")
        pytest.skip(reason)
    return url


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _fresh_postgres_database(url: str) -> str:
    """A new database per test so tests never see each other's rows; returns its URL."""
    name = f"jigap_t_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(url, f'CREATE DATABASE "{name}"')
    except OSError as error:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL at {POSTGRES_ENV} is unreachable: {error}")
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {error}")
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_url()
    assert url is not None
    fresh = await _fresh_postgres_database(url)
    try:
        yield fresh
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{make_url(fresh).database}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"
        return
    async with postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite file (for tests of migrations and of what a first start does)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'jigap.db'}"


async def _migrated(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file per test process with every migration applied: running them takes longer than the
    typical end-to-end test, and copying the result takes a millisecond."""
    path = tmp_path_factory.mktemp("template") / "jigap.db"
    # On a thread of its own: the first test to ask may already be running in an event loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, _migrated(path)).result()
    return path


@pytest.fixture
def migrated_sqlite_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """A SQLite file at the newest schema, this test's own (jigap's start finds nothing left to migrate)."""
    target = tmp_path / "jigap.db"
    shutil.copyfile(migrated_sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


# Per test process: the server's URL -> a database at the newest schema that each test's copy is made from.
_POSTGRES_TEMPLATES: dict[str, str] = {}


async def _postgres_template(url: str) -> str:
    """A database migrated once per test process; `CREATE DATABASE ... TEMPLATE` copies it in a fraction of
    the time running every migration again takes."""
    name = _POSTGRES_TEMPLATES.get(url)
    if name is None:
        name = f"jigap_tpl_{uuid.uuid4().hex[:12]}"
        await _admin(url, f'CREATE DATABASE "{name}"')
        engine = create_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
        try:
            await migrate(engine)
        finally:
            await engine.dispose()  # a template is copied only while no one is connected to it
        _POSTGRES_TEMPLATES[url] = name
    return name


@asynccontextmanager
async def migrated_postgres_database() -> AsyncIterator[str]:
    """A PostgreSQL database of this test's own at the newest schema, dropped afterwards."""
    url = postgres_url()
    assert url is not None
    template = await _postgres_template(url)
    name = f"jigap_t_{uuid.uuid4().hex[:12]}"
    await _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_templates() -> Iterator[None]:
    yield
    for url, name in _POSTGRES_TEMPLATES.items():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')).result()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path,
                                migrated_sqlite_template: Path) -> AsyncIterator[str]:
    """`database_url` for tests that start jigap on it, at the newest schema on both backends (the start finds
    nothing left to migrate): a copy of one migrated SQLite file, or of one migrated PostgreSQL database."""
    if request.param == "sqlite":
        target = tmp_path / "jigap.db"
        shutil.copyfile(migrated_sqlite_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    async with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def envelope() -> Envelope:
    return Envelope(KeyRing.single(new_master_key()))


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty folder holding only a copy of the project's config.toml."""
    project = Path(__file__).resolve().parents[1]
    (tmp_path / "config.toml").write_text((project / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
