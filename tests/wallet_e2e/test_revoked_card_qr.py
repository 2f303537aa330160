"""Issue 12: a revoked card is not shown any more, not from an older card message's Show QR button and not
by a QR that was already refreshing on screen: that one stops, saying why.

[wallet] qr_lifetime = 1 renews the QR every second; with the default 30 seconds the revocation in the chat
stops the QR at once, not at its next frame.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Config
from sandbox.client import BotMessage
from storage.wallet.tables import wallet_presentation_sessions
from tests.harness import Jigap
from tests.wallet_e2e.helpers import licence_in_wallet, show_qr, wallet_config
from wallet.qr_reader import read_qr
from wallet.services import presenting

REVOKED = "Road Traffic Authority에서 취소한 카드라서 더 이상 보여 줄 수 없어요."
SUSPENDED = "Road Traffic Authority에서 정지한 카드라서 정지가 풀릴 때까지 보여 줄 수 없어요."


@pytest.fixture
def wallet_settings(request: pytest.FixtureRequest) -> Config:
    return wallet_config(qr_lifetime=getattr(request, "param", 1), qr_session=60)


async def _change_status(world: Jigap, button: str, confirm: str | None = None) -> None:
    """The officer revokes or suspends Minji's licence in the chat."""
    officer = world.officer
    listing = await officer.send("/revoke @minji")
    await officer.press(button, listing)
    changed = await officer.wait_for_edit(listing)
    if confirm is not None:
        await officer.press(confirm, changed)
        await officer.wait_for_edit(listing)


async def _card_message(world: Jigap) -> BotMessage:
    listing = await world.minji.send("/wallet")
    await world.minji.press(listing.buttons[0], listing)
    return await world.minji.next_message()


async def test_the_live_qr_of_a_revoked_card_stops_with_the_reason_and_refreshes_no_more(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    qr = await show_qr(world)
    assert read_qr(await world.file_bytes(qr)) is not None
    await _change_status(world, "발급 취소", "카드 폐기")
    stopped = await minji.wait_for_edit(qr, timeout=5, containing="더 이상")
    assert stopped.text == "이 코드는 더 이상 쓸 수 없어요. " + REVOKED
    assert stopped.buttons == []
    assert read_qr(await world.file_bytes(stopped)) is None  # the stamped card replaced the code
    assert await presenting.running_sessions(world.services.wallet) == []
    await asyncio.sleep(2.5)  # two more lifetimes: nothing edits it again
    shown = next(m for m in await minji.chat() if m.message_id == qr.message_id)
    assert shown.text == stopped.text and read_qr(await world.file_bytes(shown)) is None


async def test_show_qr_on_a_card_message_from_before_the_revocation_is_refused(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    old_card = await _card_message(world)
    assert "QR 보여 주기" in old_card.buttons
    await _change_status(world, "발급 취소", "카드 폐기")
    answer = await minji.press("QR 보여 주기", old_card)
    assert answer is not None and answer.show_alert and answer.text == REVOKED
    await asyncio.sleep(0.5)
    assert [m for m in await minji.chat() if m.from_bot and m.message_id > old_card.message_id
            and "PIN" in m.text] == []
    assert await world.count(wallet_presentation_sessions) == 0


async def test_a_suspended_card_stops_its_qr_and_shows_again_once_reinstated(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    old_card = await _card_message(world)
    qr = await show_qr(world)
    await _change_status(world, "정지")
    stopped = await minji.wait_for_edit(qr, timeout=5, containing="더 이상")
    assert stopped.text == "이 코드는 더 이상 쓸 수 없어요. " + SUSPENDED
    answer = await minji.press("QR 보여 주기", old_card)
    assert answer is not None and answer.text == SUSPENDED
    await _change_status(world, "정지 해제")
    again = await show_qr(world)
    assert read_qr(await world.file_bytes(again)) is not None


@pytest.mark.parametrize("wallet_settings", [30], indirect=True)
async def test_revoking_in_the_chat_stops_the_qr_at_once_not_at_its_next_frame(world: Jigap) -> None:
    await licence_in_wallet(world)
    qr = await show_qr(world)
    await _change_status(world, "발급 취소", "카드 폐기")
    stopped = await world.minji.wait_for_edit(qr, timeout=5, containing="더 이상")
    assert stopped.text == "이 코드는 더 이상 쓸 수 없어요. " + REVOKED and stopped.buttons == []
    assert await presenting.running_sessions(world.services.wallet) == []
