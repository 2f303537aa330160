"""A verifier's own name is sealed at rest, and the migration that introduced that seals the names already stored."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import current_revision, migrate
from storage.wallet.repositories import WalletRepository
from wallet.records import RequestRecord

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
NAME = "Kim Verifier-Uniquename 4821"


def _raw(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.iterdir() if path.name.startswith("jigap.db"))


def _seed_plain_rows(database: Path) -> None:
    """Rows as wallet_0002 stored them: the verifier's name in clear text."""
    with sqlite3.connect(database) as connection:
        at = NOW.isoformat()
        connection.executemany("INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?)",
                               [(5, at, at), (7, at, at)])
        connection.execute("INSERT INTO organisations (id, slug, name, kind, created_at) VALUES "
                           "(1, 'dmv', 'DMV', 'issuer', ?)", (at,))
        connection.execute("INSERT INTO wallet_issuers (id, org_id, slug, issuer_url, created_at) VALUES "
                           "(1, 1, 'dmv', 'https://dmv.example', ?)", (at,))
        connection.execute(
            "INSERT INTO wallet_credentials (id, holder_id, issuer_id, card_type, vct, status_index, issued_at,"
            " expires_at, jwt_digest, sd_jwt, created_at) VALUES ('card1', 5, 1, 'driving_licence', 'vct', 0, ?, ?,"
            " 'digest', x'00', ?)", (at, at, at))
        connection.execute(
            "INSERT INTO wallet_verification_requests (id, nonce, verifier_id, verifier_name, claims, status, version,"
            " created_at, expires_at) VALUES ('req1', 'nonce1', 7, ?, '[\"age_over_19\"]', 'open', 1, ?, ?)",
            (NAME, NOW.isoformat(), NOW.isoformat()))
        connection.execute(
            "INSERT INTO wallet_presentations (credential_id, holder_id, verifier_id, verifier_name, claims, verdict,"
            " at) VALUES ('card1', 5, 7, ?, '[\"age_over_19\"]', 'valid', ?)", (NAME, NOW.isoformat()))


async def test_the_migration_seals_names_already_stored_and_they_still_read(tmp_path: Path,
                                                                            envelope: Envelope) -> None:
    database = tmp_path / "jigap.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await migrate(engine, target="wallet_0002")
        await engine.dispose()
        _seed_plain_rows(database)
        assert NAME.encode() in _raw(tmp_path)
        await migrate(engine, envelope)
        async with engine.connect() as connection:
            wallet = WalletRepository(connection, envelope)
            request = await wallet.request("req1")
            history = await wallet.history("card1")
        assert request is not None and request.verifier_name == NAME
        assert [entry.verifier_name for entry in history] == [NAME]
    finally:
        await engine.dispose()  # checkpoints the WAL into the main file
    assert NAME.encode() not in _raw(tmp_path)


async def test_without_the_master_key_the_migration_refuses_and_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "jigap.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await migrate(engine, target="wallet_0002")
        await engine.dispose()
        _seed_plain_rows(database)
        before = await current_revision(engine)
        with pytest.raises(RuntimeError, match="master key"):
            await migrate(engine)
        assert await current_revision(engine) == before
    finally:
        await engine.dispose()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT verifier_name FROM wallet_verification_requests").fetchall() == [(NAME,)]


async def test_new_names_are_sealed_on_both_backends(migrated_database_url: str, envelope: Envelope) -> None:
    engine = create_engine(migrated_database_url)
    try:
        await migrate(engine, envelope)
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO users (id, telegram_language, created_at, last_seen_at) VALUES (7, 'en', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        async with engine.begin() as connection:
            wallet = WalletRepository(connection, envelope)
            await wallet.add_request(RequestRecord("req2", "nonce2", 7, NAME, ("age_over_19",), "open", 1, NOW, NOW))
        async with engine.connect() as connection:
            stored = (await connection.exec_driver_sql(
                "SELECT verifier_name FROM wallet_verification_requests")).scalar_one()
            assert NAME.encode() not in bytes(stored)
            loaded = await WalletRepository(connection, envelope).request("req2")
        assert loaded is not None and loaded.verifier_name == NAME
    finally:
        await engine.dispose()
