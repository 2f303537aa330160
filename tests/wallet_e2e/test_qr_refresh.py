"""The shown QR is replaced on the JobQueue's real time, then turns into "Expired - show again".

[wallet] qr_lifetime = 1 and qr_session = 3 make a three-frame session that ends in about three seconds.
"""

from __future__ import annotations

import pytest

from bot.config import Config
from tests.harness import Jigap
from tests.wallet_e2e.helpers import licence_in_wallet, show_qr, wallet_config
from wallet.qr_reader import read_qr
from wallet.services import presenting


@pytest.fixture
def wallet_settings() -> Config:
    return wallet_config(qr_lifetime=1, qr_session=3)


async def test_the_qr_is_replaced_every_lifetime_and_then_expires_with_a_show_again_button(
    world: Jigap,
) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    qr = await show_qr(world)
    assert "1초 동안 유효하고" in qr.text and "남은 시간: 0:03" in qr.text
    first = read_qr(await world.file_bytes(qr))
    second_frame = await minji.wait_for_edit(qr, timeout=5)
    assert "남은 시간: 0:02" in second_frame.text
    second = read_qr(await world.file_bytes(second_frame))
    assert first is not None and second is not None and first != second
    third_frame = await minji.wait_for_edit(qr, timeout=5)
    assert "남은 시간: 0:01" in third_frame.text
    expired = await minji.wait_for_edit(qr, timeout=5)
    assert expired.text == "만료됨 - 다시 보여 주기"
    assert expired.buttons == ["다시 보여 주기"]
    assert read_qr(await world.file_bytes(expired)) is None  # the card picture replaced the code
    session = (await presenting.running_sessions(world.services.wallet))
    assert session == []
    again = await minji.press("다시 보여 주기", expired)
    assert again is not None
    assert (await minji.next_message()).text.startswith("운전면허증을 보여 주려면 지갑 PIN을 입력해 주세요.")
