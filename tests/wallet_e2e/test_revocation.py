"""The authority revokes or suspends a licence: checks fail with the date, the card and the status list show it."""

from __future__ import annotations

import aiohttp

from bot.issuer_web import wallet_routes
from bot.webserver import BotWebServer
from tests.harness import BOT_TOKEN, Jigap
from tests.wallet_e2e.helpers import camera_shot, licence_in_wallet, show_qr
from wallet.keys import load_jwks
from wallet.services import cards as held_cards
from wallet.status_list import CredentialStatus, verify_status_list
from wallet.trust import TrustedIssuer


async def _status_buttons(world: Jigap) -> object:
    listing = await world.officer.send("/revoke @minji")
    assert listing.text.startswith("Minji Kim 님의 운전면허증 (11-24-******-78)")
    assert listing.buttons == ["발급 취소", "정지"]
    return listing


async def test_a_revoked_licence_is_refused_with_the_date_and_the_card_says_revoked(world: Jigap) -> None:
    await licence_in_wallet(world)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))
    officer = world.officer
    listing = await _status_buttons(world)
    await officer.press("발급 취소", listing)
    confirm = await officer.wait_for_edit(listing)
    assert confirm.text == "이 카드를 폐기할까요? 폐기하면 카드 주인이 더 이상 보여 줄 수 없고, 되돌릴 수 없어요."
    assert confirm.buttons == ["카드 폐기", "돌아가기"]
    await officer.press("카드 폐기", listing)
    done = await officer.wait_for_edit(listing)
    assert done.text.endswith(": 취소됨") and done.buttons == []
    notice = await world.minji.next_message()
    assert notice.text == "Road Traffic Authority에서 운전면허증을 취소했어요."
    result = await world.bartender.send_photo(shot)
    assert result.text == ("유효하지 않아요. Road Traffic Authority에서 11월 25일에 취소한 카드예요. 21:04에 확인했어요.")
    listing = await world.minji.send("/wallet")
    await world.minji.press(listing.buttons[0], listing)
    card = await world.minji.next_message()
    assert card.photo and card.text.endswith("취소됨")
    assert "QR 보여 주기" not in card.buttons


async def test_a_suspended_licence_fails_until_it_is_reinstated(world: Jigap) -> None:
    await licence_in_wallet(world)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))  # shown before the suspension
    officer = world.officer
    listing = await _status_buttons(world)
    await officer.press("정지", listing)
    suspended = await officer.wait_for_edit(listing)
    assert suspended.text.endswith(": 정지됨") and suspended.buttons == ["발급 취소", "정지 해제"]
    refused = await world.bartender.send_photo(shot)
    assert refused.text == "유효하지 않아요. Road Traffic Authority에서 정지한 카드예요. 21:04에 확인했어요."
    await officer.press("정지 해제", listing)
    await officer.wait_for_edit(listing)
    # And told again when it works again.
    notice = await world.minji.next_message()
    assert "Road Traffic Authority" in notice.text and not notice.buttons
    accepted = await world.bartender.send_photo(camera_shot(await world.file_bytes(await show_qr(world))))
    assert accepted.text.startswith("유효한 카드예요.")


async def test_the_web_server_publishes_the_issuer_keys_and_a_signed_status_list(world: Jigap) -> None:
    await licence_in_wallet(world)
    listing = await _status_buttons(world)
    await world.officer.press("정지", listing)
    await world.officer.wait_for_edit(listing)
    web = BotWebServer(world.application, BOT_TOKEN, extra_routes=[wallet_routes(world.services)])
    port = await web.start("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            async with http.get(f"{base}/.well-known/jwt-vc-issuer/road-authority") as response:
                metadata = await response.json()
            async with http.get(f"{base}/status/road-authority") as response:
                assert response.content_type == "application/statuslist+jwt"
                token = await response.text()
            async with http.get(f"{base}/status/nobody") as response:
                assert response.status == 404
    finally:
        await web.stop()
    public_url = world.services.config.public_url
    assert metadata["issuer"] == f"{public_url}/road-authority"
    keys = tuple(load_jwks(metadata["jwks"]).values())
    issuer = TrustedIssuer(metadata["issuer"], "Road Traffic Authority", keys)
    checked = verify_status_list(token, uri=f"{public_url}/status/road-authority", issuer=issuer,
                                 now=world.clock.now())
    assert checked.status_list.get(0) == 2  # Minji's licence took index 0; 2 is "suspended"
    assert checked.status_list.get(1) == 0


async def test_back_from_the_revoke_question_shows_the_card_again_and_changes_nothing(world: Jigap) -> None:
    await licence_in_wallet(world)
    officer = world.officer
    listing = await _status_buttons(world)
    await officer.press("발급 취소", listing)
    await officer.wait_for_edit(listing)
    await officer.press("돌아가기", listing)
    back = await officer.wait_for_edit(listing)
    assert back.text == listing.text
    assert back.buttons == ["발급 취소", "정지"]
    [card] = await held_cards.cards(world.services.wallet, world.minji.id)
    assert card.status is CredentialStatus.VALID
