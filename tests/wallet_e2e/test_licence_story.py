"""Minji gets her driver's licence into the chat and proves she is over 19 at a bar (STORIES.md)."""

from __future__ import annotations

from datetime import timedelta

from tests.harness import Jigap
from tests.wallet_e2e.helpers import camera_shot, card_history, licence_in_wallet, show_qr


async def test_minji_gets_a_licence_shows_her_age_and_the_bar_sees_only_that(world: Jigap) -> None:
    await licence_in_wallet(world)
    listing = await world.minji.send("/wallet")
    assert listing.text == "내 카드:"
    assert listing.buttons[0] == "운전면허증 · Road Traffic Authority"
    qr = await show_qr(world)
    assert qr.photo and "확인하는 분께" in qr.text
    bartender = world.bartender
    result = await bartender.send_photo(camera_shot(await world.file_bytes(qr)))
    assert result.photo
    assert result.text == "유효한 카드예요. 만 19세 이상: 예. 발급 기관: Road Traffic Authority (운전면허증 발급 인가 기관). 21:04에 확인했어요."
    history = await card_history(world.minji)
    assert history == "Bar Haneul에서 확인, 21:04, 만 19세 이상"


async def test_the_same_code_twice_is_refused_and_an_old_photo_has_expired(world: Jigap) -> None:
    await licence_in_wallet(world)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))
    assert (await world.bartender.send_photo(shot)).text.startswith("유효한 카드예요.")
    replay = await world.bartender.send_photo(shot)
    assert replay.text == "유효하지 않아요. 이미 사용된 코드예요. 21:04에 확인했어요."
    world.clock.advance(timedelta(minutes=5))
    fresh = camera_shot(await world.file_bytes(await show_qr(world)))
    world.clock.advance(timedelta(minutes=5))
    late = await world.bartender.send_photo(fresh)
    assert late.text == "유효하지 않아요. 만료된 코드예요. 21:14에 확인했어요."

