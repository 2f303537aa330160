"""The issuers' addresses follow the bot's web server: with [wallet] public_url unset, moving [bot] web_port moves
the `iss` of new cards, the published keys and the status lists; cards issued before keep verifying."""

from __future__ import annotations

import dataclasses

from bot.config import Config
from sandbox.client import SandboxClient
from storage.envelope import KeyRing, new_master_key
from subscriptions.clock import FixedClock
from tests.harness import Jigap, jigap_on, sandbox_running, with_demo_people
from tests.wallet_e2e.helpers import (
    NOW,
    camera_shot,
    licence_in_wallet,
    offer_licence,
    show_qr,
    wallet_config,
)
from wallet.holder import read_held_credential
from wallet.services import cards as held_cards
from wallet.services import issuers


def _on_port(port: int, public_url: str = "") -> Config:
    base = wallet_config(**({"public_url": public_url} if public_url else {}))
    return base.replace(bot=dataclasses.replace(base.bot, web_port=port))


async def _issuers_of_cards(world: Jigap) -> list[str]:
    cards = await held_cards.cards(world.services.wallet, world.minji.id)
    return sorted(str(read_held_credential(card.record.sd_jwt).claims["iss"]) for card in cards)


async def test_moving_the_web_port_moves_the_issuers_and_earlier_cards_still_verify(migrated_sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    ring = KeyRing.single(new_master_key())
    async with sandbox_running() as server, SandboxClient(server.url) as client:
        async with jigap_on(server, database_url=migrated_sqlite_url, config=_on_port(18181), clock=clock, ring=ring,
                            client=client) as first_run:
            world = await with_demo_people(first_run)
            await licence_in_wallet(world)
            assert await _issuers_of_cards(world) == ["http://127.0.0.1:18181/road-authority"]
        async with jigap_on(server, database_url=migrated_sqlite_url, config=_on_port(18282), clock=clock, ring=ring,
                            client=client) as second_run:
            world = world.restarted(second_run.application)
            metadata = await issuers.issuer_metadata(world.services.wallet, "road-authority")
            assert metadata is not None and metadata["issuer"] == "http://127.0.0.1:18282/road-authority"
            assert world.services.wallet.status_uri("road-authority") == "http://127.0.0.1:18282/status/road-authority"
            # The card issued on the old port is still the issuer's: the bartender's check accepts it.
            shot = camera_shot(await world.file_bytes(await show_qr(world)))
            assert (await world.bartender.send_photo(shot)).text.startswith("유효한 카드예요.")
            offer = await offer_licence(world)
            await world.minji.press("수락", offer)
            await world.minji.wait_for_edit(offer)
            assert await _issuers_of_cards(world) == ["http://127.0.0.1:18181/road-authority",
                                                      "http://127.0.0.1:18282/road-authority"]


async def test_a_public_url_that_is_set_wins_over_the_web_port(migrated_sqlite_url: str) -> None:
    async with (sandbox_running() as server,
                jigap_on(server, database_url=migrated_sqlite_url, config=_on_port(18383, "https://id.example/"),
                         clock=FixedClock(NOW)) as running):
        world = await with_demo_people(running)
        await licence_in_wallet(world)
        assert await _issuers_of_cards(world) == ["https://id.example/road-authority"]
