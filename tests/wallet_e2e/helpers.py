"""Steps the wallet stories share: issuing a licence to Minji, entering a PIN on the keypad, showing a QR."""

from __future__ import annotations

from sandbox.client import BotMessage, SandboxUser
from tests.wallet_e2e.conftest import MINJI_CLAIMS, WalletWorld

PIN = "135790"


async def enter_pin(user: SandboxUser, keypad: BotMessage, pin: str) -> BotMessage:
    """Press the digits; returns the keypad message as it is after the last press."""
    state = keypad
    for digit in pin:
        await user.press(digit, keypad)
        state = await user.wait_for_edit(keypad)
    return state


async def offer_licence(world: WalletWorld) -> BotMessage:
    """The officer issues Minji a driver's licence in chat; returns the offer Minji receives."""
    officer = world.officer
    reply = await officer.send("/issue")
    assert reply.text == "어떤 카드를 발급할까요?"
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    asked = await officer.send("@minji")
    assert "Minji Kim" in asked.text, asked
    photo_question = await officer.send(MINJI_CLAIMS)
    assert photo_question.buttons == ["건너뛰기"]
    await officer.press("건너뛰기", photo_question)
    confirmation = await officer.next_message()
    assert confirmation.photo and "offer_" in confirmation.text
    return await world.minji.next_message()


async def licence_in_wallet(world: WalletWorld) -> None:
    """Minji accepts the offer and sets her PIN twice."""
    minji = world.minji
    offer = await offer_licence(world)
    await minji.press("수락", offer)
    await minji.wait_for_edit(offer)
    keypad = await minji.next_message()
    await enter_pin(minji, keypad, PIN)
    done = await enter_pin(minji, keypad, PIN)
    assert done.text == "지갑 PIN이 설정되었습니다."


async def show_qr(world: WalletWorld, preset_label: str = "만 19세 이상 여부만") -> BotMessage:
    """/wallet -> the licence -> Show QR -> PIN -> a preset; returns the QR photo message."""
    minji = world.minji
    listing = await minji.send("/wallet")
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    await minji.press("QR 보여주기", card)
    keypad = await minji.next_message()
    picker = await enter_pin(minji, keypad, PIN)
    await minji.press(preset_label, picker)
    await minji.wait_for_edit(keypad)
    return await minji.next_message()
