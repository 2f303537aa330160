"""Steps the wallet stories share: issuing a licence to Minji, entering a PIN on the keypad, showing a QR,
and photographing it as a verifier's phone would."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from bot.config import Config, load_config
from sandbox.client import BotMessage, SandboxUser
from tests.harness import Jigap

PIN = "135790"
NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # 21:04 in Seoul
MINJI_CLAIMS = ("name: 김민지, birth_date: 2001-04-09, license_number: 11-24-123456-78, "
                "license_class: 1종 보통")


def wallet_config(**wallet: Any) -> Config:
    """The default configuration with cheap PIN hashing (Argon2id with 8 MiB, one pass), so a test of five
    wrong PINs takes a second, not ten; `wallet` overrides other [wallet] settings."""
    base = load_config(environ={})
    settings = {"pin_time_cost": 1, "pin_memory_kib": 8192, **wallet}
    return base.replace(wallet=dataclasses.replace(base.wallet, **settings))


def camera_shot(png: bytes) -> bytes:
    """The QR as a verifier's phone would send it: re-encoded as a JPEG, a little smaller."""
    with Image.open(io.BytesIO(png)) as image:
        picture = image.convert("RGB")
    picture = picture.resize((picture.width * 9 // 10, picture.height * 9 // 10))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


async def enter_pin(user: SandboxUser, keypad: BotMessage, pin: str) -> BotMessage:
    """Press the digits; returns the keypad message as it is after the last press."""
    state = keypad
    for digit in pin:
        await user.press(digit, keypad)
        state = await user.wait_for_edit(keypad)
    return state


async def offer_licence(world: Jigap) -> BotMessage:
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


async def licence_in_wallet(world: Jigap) -> None:
    """Minji accepts the offer and sets her PIN twice."""
    minji = world.minji
    offer = await offer_licence(world)
    await minji.press("수락", offer)
    await minji.wait_for_edit(offer)
    keypad = await minji.next_message()
    await enter_pin(minji, keypad, PIN)
    done = await enter_pin(minji, keypad, PIN)
    assert done.text == "지갑 PIN을 설정했어요."


async def wallet_listing(holder: SandboxUser) -> BotMessage:
    """/wallet's list of cards. A notice (a status change, a check) paced behind earlier replies may come
    first: it is passed over."""
    listing = await holder.send("/wallet")
    while not listing.buttons:
        listing = await holder.next_message()
    return listing


async def card_history(holder: SandboxUser) -> str:
    """/wallet -> the first card -> History: the history's text."""
    listing = await wallet_listing(holder)
    await holder.press(listing.buttons[0], listing)
    card = await holder.next_message()
    await holder.press("이력", card)
    return (await holder.next_message()).text


async def show_qr(world: Jigap, preset_label: str = "만 19세 이상 여부만") -> BotMessage:
    """/wallet -> the licence -> Show QR -> PIN -> a preset; returns the QR photo message."""
    minji = world.minji
    listing = await wallet_listing(minji)
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    await minji.press("QR 보여 주기", card)
    keypad = await minji.next_message()
    picker = await enter_pin(minji, keypad, PIN)
    await minji.press(preset_label, picker)
    await minji.wait_for_edit(keypad)
    return await minji.next_message()
