"""Callback data is user input: another person's card, offer, keypad or revocation is refused."""

from __future__ import annotations

import re

from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission
from tests.harness import Jigap
from tests.wallet_e2e.helpers import licence_in_wallet, offer_licence
from wallet.services import cards as held_cards


async def _minji_card_id(world: Jigap) -> str:
    listing = await world.minji.send("/wallet")
    data = listing.button(listing.buttons[0])["callback_data"]
    return str(data.split(":")[2])


async def test_another_persons_card_id_in_forged_buttons_finds_nothing(world: Jigap) -> None:
    await licence_in_wallet(world)
    card_id = await _minji_card_id(world)
    bartender = world.bartender
    own = await bartender.send("/wallet")
    for step in ("card", "qr", "det", "his", "rm", "rmok"):
        answer = await world.forge_press(bartender, own, f"wal:{step}:{card_id}")
        assert answer is not None and answer.text == "지갑에 없는 카드예요."
    assert len(await held_cards.cards(world.services.wallet, world.minji.id)) == 1
    assert [m for m in await bartender.chat() if m.photo] == []


async def test_an_offer_for_minji_cannot_be_taken_by_someone_else(world: Jigap) -> None:
    offer = await offer_licence(world)
    offer_id = offer.button("수락")["callback_data"].split(":")[2]
    own = await world.bartender.send("/wallet")
    answer = await world.forge_press(world.bartender, own, f"woff:ok:{offer_id}")
    assert answer is not None and answer.text == "다른 분에게 보낸 발급 제안이에요."
    assert (await world.bartender.open_link(f"offer_{offer_id}")).text == "다른 분에게 보낸 발급 제안이에요."
    assert await held_cards.cards(world.services.wallet, world.bartender.id) == []


async def test_a_holder_cannot_revoke_and_the_refusal_is_audited(world: Jigap) -> None:
    await licence_in_wallet(world)
    card_id = await _minji_card_id(world)
    own = await world.minji.send("/wallet")
    answer = await world.forge_press(world.minji, own, f"wrev:R:{card_id}")
    assert answer is not None and answer.text == "죄송해요. 발급기관 관리자만 할 수 있어요."
    assert (await held_cards.cards(world.services.wallet, world.minji.id))[0].record.status == "valid"
    entries = await audit.recent(world.services.accounts, limit=20)
    assert (Permission.REVOKE_CREDENTIAL.value, "refused") in [(e.action, e.outcome) for e in entries
                                                              if e.actor_id == world.minji.id]
    reply = await world.minji.send("/issue")
    assert reply.text == "죄송해요. 발급기관 관리자만 할 수 있어요."


async def test_someone_elses_keypad_does_not_take_presses(world: Jigap) -> None:
    offer = await offer_licence(world)
    await world.minji.press("수락", offer)
    keypad = await world.minji.next_message()
    flow_id = re.split(":", keypad.button("1")["callback_data"])[1]
    own = await world.bartender.send("/wallet")
    answer = await world.forge_press(world.bartender, own, f"wpin:{flow_id}:1")
    assert answer is not None and answer.text == "더 이상 쓸 수 없는 버튼이에요."
