"""The wallet PIN: five wrong tries lock presenting for 15 minutes, it can be changed, it never shows in the chat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.harness import Jigap
from tests.wallet_e2e.helpers import PIN, enter_pin, licence_in_wallet, show_qr


async def _keypad_for_card(world: Jigap) -> object:
    minji = world.minji
    listing = await minji.send("/wallet")
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    await minji.press("QR 보여 주기", card)
    return await minji.next_message()


async def test_five_wrong_pins_lock_presenting_until_a_time_that_is_said(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    keypad = await _keypad_for_card(world)
    for left in (4, 3, 2, 1):
        state = await enter_pin(minji, keypad, "246801")
        assert state.text.endswith(f"PIN이 틀렸어요. {left}번 더 시도할 수 있어요.")
    locked = await enter_pin(minji, keypad, "246801")
    assert locked.text == "PIN을 너무 많이 틀렸어요. 21:19까지 카드를 보여 줄 수 없어요."
    assert locked.buttons == []
    listing = await minji.send("/wallet")
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    answer = await minji.press("QR 보여 주기", card)
    assert answer is not None and answer.show_alert
    assert answer.text == "PIN을 너무 많이 틀렸어요. 21:19까지 카드를 보여 줄 수 없어요."
    world.clock.advance(timedelta(minutes=15))
    qr = await show_qr(world)
    assert qr.photo


async def test_the_pin_can_be_changed_and_the_old_one_stops_working(world: Jigap) -> None:
    await licence_in_wallet(world)
    minji = world.minji
    listing = await minji.send("/wallet")
    await minji.press("PIN 변경", listing)
    keypad = await minji.next_message()
    assert keypad.text.startswith("지금 쓰는 지갑 PIN을 입력해 주세요.")
    await enter_pin(minji, keypad, PIN)
    await enter_pin(minji, keypad, "802461")
    done = await enter_pin(minji, keypad, "802461")
    assert done.text == "지갑 PIN을 바꿨어요."
    keypad = await _keypad_for_card(world)
    wrong = await enter_pin(minji, keypad, PIN)
    assert wrong.text.endswith("PIN이 틀렸어요. 4번 더 시도할 수 있어요.")
    picker = await enter_pin(minji, keypad, "802461")
    assert picker.text == "무엇을 보여 줄까요?"


async def test_an_easy_or_mismatched_pin_is_asked_again(world: Jigap) -> None:
    from tests.wallet_e2e.helpers import offer_licence

    minji = world.minji
    offer = await offer_licence(world)
    await minji.press("수락", offer)
    keypad = await minji.next_message()
    easy = await enter_pin(minji, keypad, "123456")
    assert easy.text.endswith("너무 쉬운 PIN이에요. 연속되거나 반복되지 않는 숫자 6자리를 골라 주세요.")
    await enter_pin(minji, keypad, PIN)
    mismatch = await enter_pin(minji, keypad, "975310")
    assert mismatch.text.endswith("두 PIN이 서로 달라요. 다시 입력해 주세요.")


async def test_pin_digits_never_appear_in_the_chat_or_in_clear_in_storage(world: Jigap) -> None:
    await licence_in_wallet(world)
    keypad = await _keypad_for_card(world)
    await world.minji.press("1", keypad)
    halfway = await world.minji.wait_for_edit(keypad)
    assert halfway.text.endswith("●○○○○○")
    for message in await world.minji.chat():
        assert PIN not in message.text
        for row in message.keyboard:
            for button in row:
                data = button.get("callback_data", "")
                assert not data.startswith("wpin:") or len(data.rsplit(":", 1)[1]) == 1
    async with world.services.engine.connect() as connection:
        flows = (await connection.execute(text("SELECT state FROM flows"))).scalars().all()
        pins = (await connection.execute(text("SELECT pin_hash FROM wallet_pins"))).scalars().all()
    assert flows and all(state.startswith(b"JE1") for state in flows)
    assert pins and all(value.startswith("$argon2id$") for value in pins)
