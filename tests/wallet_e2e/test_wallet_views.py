"""The rest of the holder's wallet: the menu entry, details, removal, a photo on the card, a pasted code, reset."""

from __future__ import annotations

import io

from PIL import Image

from tests.harness import Jigap
from tests.wallet_e2e.helpers import MINJI_CLAIMS, PIN, enter_pin, licence_in_wallet, show_qr
from wallet.qr_reader import read_qr
from wallet.services import cards as held_cards
from wallet.services import pins, revocation
from wallet.status_list import CredentialStatus


def _portrait() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 150, 120)).save(buffer, format="JPEG")
    return buffer.getvalue()


async def _open_card(world: Jigap) -> object:
    listing = await world.minji.send("/wallet")
    await world.minji.press(listing.buttons[0], listing)
    return await world.minji.next_message()


async def test_the_main_menu_opens_the_wallet_and_an_empty_wallet_says_so(world: Jigap) -> None:
    menu = await world.minji.send("/start")
    assert "지갑" in menu.buttons
    await world.minji.press("지갑", menu)
    empty = await world.minji.next_message()
    assert empty.text == "지갑이 비어 있어요. 발급기관에서 카드를 보내면 여기에 나타나요."


async def test_details_show_the_holder_everything_and_remove_takes_the_card_out(world: Jigap) -> None:
    await licence_in_wallet(world)
    card = await _open_card(world)
    assert card.photo and card.text.startswith("운전면허증 · Road Traffic Authority\n11-24-******-78")
    assert card.buttons == ["QR 보여 주기", "상세 정보", "이력", "삭제"]
    await world.minji.press("상세 정보", card)
    keypad = await world.minji.next_message()
    assert keypad.text.startswith("운전면허증 상세 정보를 보려면 지갑 PIN을 입력하세요.")
    assert "11-24-123456-78" not in keypad.text and "2001" not in keypad.text
    details = (await enter_pin(world.minji, keypad, PIN)).text
    assert "성명: 김민지" in details and "면허번호: 11-24-123456-78" in details and "만 19세 이상: 예" in details
    await world.minji.press("이력", card)
    assert (await world.minji.next_message()).text == "아직 이 카드를 확인한 곳이 없어요."
    await world.minji.press("삭제", card)
    question = await world.minji.wait_for_edit(card)
    assert question.buttons == ["카드 삭제", "돌아가기"]
    await world.minji.press("카드 삭제", question)
    assert (await world.minji.wait_for_edit(card)).text == "운전면허증을 삭제했어요."
    assert await held_cards.cards(world.services.wallet, world.minji.id) == []


async def test_back_from_the_remove_question_puts_the_card_back_and_keeps_it(world: Jigap) -> None:
    await licence_in_wallet(world)
    card = await _open_card(world)
    await world.minji.press("삭제", card)
    question = await world.minji.wait_for_edit(card)
    assert question.text.startswith("지갑에서 운전면허증") and question.buttons == ["카드 삭제", "돌아가기"]
    await world.minji.press("돌아가기", question)
    back = await world.minji.wait_for_edit(card)
    assert back.text == card.text and back.buttons == ["QR 보여 주기", "상세 정보", "이력", "삭제"]
    assert len(await held_cards.cards(world.services.wallet, world.minji.id)) == 1


async def test_back_from_the_reset_question_shows_the_wallet_again_and_resets_nothing(world: Jigap) -> None:
    await licence_in_wallet(world)
    listing = await world.minji.send("/wallet")
    await world.minji.press("PIN을 잊었어요", listing)
    question = await world.minji.wait_for_edit(listing)
    assert question.buttons == ["지갑 초기화", "돌아가기"]
    await world.minji.press("돌아가기", question)
    back = await world.minji.wait_for_edit(listing)
    assert back.text == listing.text and back.buttons == listing.buttons
    assert len(await held_cards.cards(world.services.wallet, world.minji.id)) == 1


async def test_a_photo_given_at_issuance_is_matched_when_name_and_photo_are_shown(world: Jigap) -> None:
    officer, minji = world.officer, world.minji
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    await officer.send("@minji")
    await officer.send(MINJI_CLAIMS)
    confirmation = await officer.send_photo(_portrait())
    assert confirmation.photo and "offer_" in confirmation.text
    offer = await minji.next_message()
    await minji.press("수락", offer)
    keypad = await minji.next_message()
    await enter_pin(minji, keypad, PIN)
    await enter_pin(minji, keypad, PIN)
    qr = await show_qr(world, "이름과 사진")
    result = await world.bartender.send_photo(await world.file_bytes(qr))
    assert result.text == "유효한 카드예요. 성명: 김민지. 사진: 서명된 사진과 일치. 발급 기관: Road Traffic Authority (운전면허증 발급 인가 기관). 21:04에 확인했어요."


async def test_a_pasted_code_is_checked_like_a_photo(world: Jigap) -> None:
    await licence_in_wallet(world)
    code = read_qr(await world.file_bytes(await show_qr(world)))
    assert code is not None and code.startswith("JG2:")
    prompt = await world.bartender.send("/verify")
    assert prompt.text == "QR 코드 사진을 보내거나 코드 내용을 붙여 넣어 주세요."
    result = await world.bartender.send(code)
    assert result.text.startswith("유효한 카드예요. 만 19세 이상: 예.")
    garbage = await world.bartender.send("hello")
    assert garbage.text.startswith("유효하지 않아요. 카드 코드가 아니에요.")
    no_code = await world.bartender.send_photo(_portrait())
    assert no_code.text == "이 사진에서 QR 코드를 찾지 못했어요. 더 가까이에서 선명하게 다시 찍어 주세요."


async def test_forgetting_the_pin_resets_the_wallet_and_asks_for_a_new_pin(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    listing = await minji.send("/wallet")
    await minji.press("PIN을 잊었어요", listing)
    warning = await minji.wait_for_edit(listing)
    assert warning.text.startswith("PIN을 잊으셨나요? 초기화하면")
    await minji.press("지갑 초기화", warning)
    assert (await minji.wait_for_edit(listing)).text == "지갑을 초기화했어요. 카드 1장을 삭제했어요."
    keypad = await minji.next_message()
    await enter_pin(minji, keypad, "802461")
    assert (await enter_pin(minji, keypad, "802461")).text == "지갑 PIN을 설정했어요."
    assert await held_cards.cards(world.services.wallet, minji.id) == []


async def test_an_offer_for_someone_who_blocked_the_bot_comes_as_a_link_they_can_open(world: Jigap) -> None:
    await world.minji.block()
    officer = world.officer
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    await officer.send("@minji")
    photo_question = await officer.send(MINJI_CLAIMS)
    await officer.press("건너뛰기", photo_question)
    confirmation = await officer.next_message()
    assert confirmation.text.startswith("Minji Kim 님은 봇의 메시지를 받을 수 없어요.")
    payload = confirmation.text.rsplit("start=", 1)[1]
    await world.minji.unblock()
    offer = await world.minji.open_link(payload)
    assert offer.text == "Road Traffic Authority에서 운전면허증을 발급해 드리려고 해요."
    assert offer.buttons == ["수락", "거절"]


async def test_an_english_holder_gets_the_whole_flow_in_english(world: Jigap) -> None:
    officer, park = world.officer, world.landlord
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    await officer.send("@landlord")
    question = await officer.send("name: Park Landlord, birth_date: 1970-05-05, license_number: 12-00-654321-11, "
                                  "license_class: 1종 대형")
    await officer.press("건너뛰기", question)
    offer = await park.next_message()
    assert offer.text == "Road Traffic Authority offers you a driver's licence."
    await park.press("Accept", offer)
    assert (await park.wait_for_edit(offer)).text == ("Your driver's licence from Road Traffic Authority is in "
                                                      "your wallet.")
    keypad = await park.next_message()
    assert keypad.text == "Choose a 6-digit wallet PIN. You will need it to show your cards.\n○○○○○○"
    await enter_pin(park, keypad, PIN)
    assert (await enter_pin(park, keypad, PIN)).text == "Your wallet PIN is set."
    listing = await park.send("/wallet")
    assert listing.text == "Your cards:"
    assert listing.buttons == ["Driver's licence · Road Traffic Authority", "Change PIN", "Forgot PIN"]


async def test_the_wallet_list_says_which_cards_are_revoked_suspended_or_expired(world: Jigap) -> None:
    await licence_in_wallet(world)
    listing = await world.minji.send("/wallet")
    assert listing.buttons[0] == "운전면허증 · Road Traffic Authority"
    [card] = await held_cards.cards(world.services.wallet, world.minji.id)
    await revocation.set_status(world.services.wallet, card.id, CredentialStatus.SUSPENDED)
    assert (await world.minji.send("/wallet")).buttons[0] == "운전면허증 · Road Traffic Authority · ⏸ 정지됨"
    await revocation.set_status(world.services.wallet, card.id, CredentialStatus.INVALID)
    assert (await world.minji.send("/wallet")).buttons[0] == "운전면허증 · Road Traffic Authority · ⛔ 취소됨"
    [stored] = await held_cards.cards(world.services.wallet, world.minji.id)
    assert stored.status is CredentialStatus.INVALID


async def test_an_expired_card_is_marked_expired_in_the_list(world: Jigap) -> None:
    await licence_in_wallet(world)
    [card] = await held_cards.cards(world.services.wallet, world.minji.id)
    world.advance(seconds=(card.record.expires_at - world.clock.now()).total_seconds() + 60)
    listing = await world.minji.send("/wallet")
    assert listing.buttons[0] == "운전면허증 · Road Traffic Authority · ⌛ 만료됨"
    await world.minji.press(listing.buttons[0], listing)
    card_message = await world.minji.next_message()
    assert card_message.text.endswith(" · 만료됨")  # the card itself does not call it valid either


async def test_details_ask_for_the_pin_and_a_wrong_one_shows_nothing_and_counts_as_a_try(world: Jigap) -> None:
    await licence_in_wallet(world)
    card = await _open_card(world)
    await world.minji.press("상세 정보", card)
    keypad = await world.minji.next_message()
    wrong = await enter_pin(world.minji, keypad, "246801")
    assert wrong.text.endswith("PIN이 틀렸어요. 4번 더 시도할 수 있어요.")
    assert "11-24-123456-78" not in wrong.text and "2001-04-09" not in wrong.text
    assert [m for m in await world.minji.chat() if "11-24-123456-78" in (m.text or "")] == []
    assert (await pins.pin_state(world.services.wallet, world.minji.id)).failed_attempts == 1
    details = await enter_pin(world.minji, keypad, PIN)
    assert "면허번호: 11-24-123456-78" in details.text and "2001" in details.text
    assert details.buttons == []
    # The keypad served one look: its keys, pressed again, open nothing.
    again = await world.forge_press(world.minji, keypad, keypad.button("1")["callback_data"])
    assert again is not None and again.text == "더 이상 쓸 수 없는 버튼이에요."
