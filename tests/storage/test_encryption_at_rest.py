"""Personal data is sealed before it reaches the database file, and keys can rotate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.engine import create_engine
from storage.envelope import Envelope, EnvelopeError, KeyRing, new_master_key
from storage.key_rotation import rotate
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory

NOW = datetime(2026, 11, 25, tzinfo=UTC)
SECRET_NAME = "Minji-UniqueSurname-7731"


def test_sealed_values_open_only_with_the_same_purpose_and_untampered() -> None:
    envelope = Envelope(KeyRing.single(new_master_key()))
    sealed = envelope.seal(b"900101-1234567", purpose="wallet.claims")
    assert b"900101" not in sealed
    assert envelope.open(sealed, purpose="wallet.claims") == b"900101-1234567"
    with pytest.raises(EnvelopeError):
        envelope.open(sealed, purpose="user.name")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(EnvelopeError):
        envelope.open(tampered, purpose="wallet.claims")
    with pytest.raises(EnvelopeError):
        Envelope(KeyRing.single(new_master_key())).open(sealed, purpose="wallet.claims")
    with pytest.raises(EnvelopeError):
        envelope.open(b"garbage", purpose="wallet.claims")


async def test_the_database_file_holds_no_plaintext_of_an_encrypted_field(tmp_path: Path) -> None:
    database = tmp_path / "jigap.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await migrate(engine)
    uow = UnitOfWorkFactory(engine, Envelope(KeyRing.single(new_master_key())))
    async with uow() as work:
        await work.users.upsert_seen(user_id=5, username="visible_handle", first_name=SECRET_NAME, last_name=None,
                                     telegram_language="ko", default_timezone="Asia/Seoul", now=NOW)
        await work.commit()
    async with uow() as work:
        user = await work.users.get(5)
    assert user is not None and user.first_name == SECRET_NAME
    await engine.dispose()  # checkpoints the WAL into the main file
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("jigap.db"))
    assert b"visible_handle" in raw  # the reading works: an unsealed column is there in the clear
    assert SECRET_NAME.encode() not in raw
    assert SECRET_NAME.encode("utf-16-le") not in raw


async def test_rotation_reseals_every_value_under_the_new_key_and_old_key_is_no_longer_needed(sqlite_url: str) -> None:
    old_ring = KeyRing.single(new_master_key())
    engine = create_engine(sqlite_url)
    await migrate(engine)
    async with UnitOfWorkFactory(engine, Envelope(old_ring))() as work:
        for user_id in range(1, 1203):
            await work.users.upsert_seen(user_id=user_id, username=None, first_name=f"name{user_id}", last_name="L",
                                         telegram_language="en", default_timezone="Asia/Seoul", now=NOW)
        await work.commit()
    new_key = new_master_key()
    rotated = old_ring.with_new_active(new_key)
    report = await rotate(engine, Envelope(rotated))
    assert report.values_resealed == 1202 * 2 and report.values_current == 0
    again = await rotate(engine, Envelope(rotated))
    assert again.values_resealed == 0 and again.values_current == 1202 * 2
    only_new = KeyRing.single(new_key)
    async with UnitOfWorkFactory(engine, Envelope(only_new))() as work:
        user = await work.users.get(777)
    assert user is not None and user.first_name == "name777"
    await engine.dispose()
