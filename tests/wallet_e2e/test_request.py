"""A landlord asks first: /verify_request, the holder consents with the PIN, the landlord gets the result once."""

from __future__ import annotations

import re

from tests.harness import Jigap
from tests.wallet_e2e.helpers import PIN, enter_pin, licence_in_wallet
from wallet.credentials import present_card
from wallet.services import cards as held_cards
from wallet.services import request_audience


async def _request_link(world: Jigap) -> str:
    asked = await world.landlord.send("/verify_request name, age over 19")
    assert asked.photo
    assert "It asks to see: name, age over 19. It works once, for 10 minutes." in asked.text
    match = re.search(r"start=(vreq_[A-Za-z0-9_-]+)", asked.text)
    assert match is not None
    return match.group(1)


async def test_the_landlord_asks_minji_shares_with_her_pin_and_the_link_works_once(world: Jigap) -> None:
    await licence_in_wallet(world)
    payload = await _request_link(world)
    minji = world.minji
    question = await minji.open_link(payload)
    assert question.text == "Landlord Park가 성명, 만 19세 이상을 보여 달라고 해요. 공유할까요?"
    await minji.press("공유", question)
    keypad = await minji.wait_for_edit(question)
    assert keypad.text.startswith("Landlord Park와 공유하려면 지갑 PIN을 입력해 주세요.")
    shared = await enter_pin(minji, keypad, PIN)
    assert shared.text == "Landlord Park와 공유했어요."
    result = await world.landlord.next_message()
    assert result.photo
    assert result.text == ("Valid. Name: 김민지. Over 19: yes. Issued by Road Traffic Authority, accredited for the driver's licence. Checked 21:04.")
    again = await minji.open_link(payload)
    assert again.text == "이미 사용된 요청이에요."
    listing = await minji.send("/wallet")
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    await minji.press("이력", card)
    assert (await minji.next_message()).text == "Landlord Park에서 확인, 21:04, 성명, 만 19세 이상"


async def test_a_declined_request_tells_the_landlord_and_shares_nothing(world: Jigap) -> None:
    await licence_in_wallet(world)
    payload = await _request_link(world)
    question = await world.minji.open_link(payload)
    await world.minji.press("거절", question)
    assert (await world.minji.wait_for_edit(question)).text == "거절했어요. 아무것도 공유하지 않았어요."
    told = await world.landlord.next_message()
    assert told.text == "The person declined your request. Nothing was shared."
    assert (await world.minji.open_link(payload)).text == "이미 사용된 요청이에요."


async def test_someone_without_a_fitting_card_is_told_so(world: Jigap) -> None:
    payload = await _request_link(world)
    answer = await world.bartender.open_link(payload)
    assert answer.text == ("Landlord Park가 성명, 만 19세 이상을 보여 달라고 해요. "
                           "보여 줄 수 있는 카드가 없어요.")


async def test_an_unknown_claim_is_explained_in_english(world: Jigap) -> None:
    reply = await world.landlord.send("/verify_request name, shoe size")
    assert reply.text == "Usage: /verify_request name, age over 19\nI don't know: shoe size"


async def test_a_code_made_for_the_landlord_is_refused_at_the_bar(world: Jigap) -> None:
    await licence_in_wallet(world)
    wallet = world.services.wallet
    card = (await held_cards.cards(wallet, world.minji.id))[0]
    async with world.services.uow() as uow:
        key = await uow.wallet.holder_key(world.minji.id)
    assert key is not None
    made_for_landlord = present_card(card.record.sd_jwt, card.card_type, holder_key=key,
                                     aud=request_audience(world.landlord.id), nonce="landlord-nonce-1",
                                     now=world.clock.now(), preset="age_over_19_only")
    await world.bartender.send("/verify")
    refused = await world.bartender.send(made_for_landlord)
    assert refused.text == "유효하지 않아요. 다른 검증자를 위해 만든 코드예요. 21:04에 확인했어요."
