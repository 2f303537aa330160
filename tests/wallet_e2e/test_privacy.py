"""Personal data exists at rest only inside encrypted credentials: the raw SQLite file holds none of it."""

from __future__ import annotations

from tests.harness import Jigap
from tests.wallet_e2e.helpers import camera_shot, licence_in_wallet, show_qr


async def test_the_database_file_holds_no_licence_number_birth_date_or_name(world: Jigap) -> None:
    await licence_in_wallet(world)
    result = await world.bartender.send_photo(camera_shot(await world.file_bytes(await show_qr(world))))
    assert result.text.startswith("유효한 카드예요.")
    # The main file and its write-ahead log together hold every page written so far.
    folder = world.database.parent
    raw = b"".join(path.read_bytes() for path in folder.iterdir() if path.name.startswith(world.database.name))
    assert b"11-24-******-78" in raw  # the reading works: the masked number is kept in the clear for display
    for secret in ("11-24-123456-78", "123456", "2001-04-09", "2001.04.09", "김민지", "1종 보통"):
        assert secret.encode() not in raw, secret
