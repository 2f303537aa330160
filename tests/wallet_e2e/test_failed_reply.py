"""When the reply to a change that was made fails for good, the apology says the change went through."""

from __future__ import annotations

from tests.harness import Jigap
from tests.wallet_e2e.helpers import offer_licence

TRIES = 4  # the interactive sender's first try and three retries


async def test_an_accepted_offer_whose_keypad_could_not_be_sent_says_it_went_through(world: Jigap) -> None:
    offer = await offer_licence(world)
    await world.client.inject_faults("500", methods=["sendMessage"], count=TRIES)
    await world.minji.press("수락", offer)
    apology = await world.minji.next_message(timeout=15)
    assert "요청은 처리됐어요" in apology.text and "바뀐 것은 없" not in apology.text, apology
    async with world.services.uow() as uow:
        cards = await uow.connection.exec_driver_sql("SELECT count(*) FROM wallet_credentials")
        assert cards.scalar_one() == 1
