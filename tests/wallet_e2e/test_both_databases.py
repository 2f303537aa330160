"""The licence story on SQLite and on PostgreSQL (set JIGAP_TEST_DATABASE_URL for the second)."""

from __future__ import annotations

import pytest

from tests.harness import Jigap
from tests.wallet_e2e.helpers import camera_shot, licence_in_wallet, show_qr


@pytest.fixture
def wallet_database_url(migrated_database_url: str) -> str:
    return migrated_database_url


async def test_issue_accept_show_verify_and_replay_work_on_each_database(world: Jigap) -> None:
    await licence_in_wallet(world)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))
    assert (await world.bartender.send_photo(shot)).text.startswith("유효한 카드예요. 만 19세 이상: 예.")
    assert (await world.bartender.send_photo(shot)).text == "유효하지 않아요. 이미 사용된 코드예요. 21:04에 확인했어요."
    listing = await world.officer.send("/revoke @minji")
    await world.officer.press("발급 취소", listing)
    await world.officer.wait_for_edit(listing)
    await world.officer.press("카드 폐기", listing)
    await world.officer.wait_for_edit(listing)
    revoked = await world.bartender.send_photo(shot)  # the status is checked before the nonce
    assert revoked.text.startswith("유효하지 않아요. Road Traffic Authority에서 11월 25일에 취소한 카드예요.")
