"""Two workers testing two PINs at once spend two tries: the wrong-try counter is written compare-and-set."""

from __future__ import annotations

import asyncio

import pytest

from tests.harness import Jigap
from tests.wallet_e2e.helpers import licence_in_wallet, wallet_config
from wallet.errors import PinLocked
from wallet.services import pins


@pytest.fixture
def wallet_database_url(migrated_database_url: str) -> str:
    return migrated_database_url


@pytest.fixture
def wallet_settings() -> object:
    # A PIN check that takes a while (as it does in production), so the two tries overlap for sure.
    return wallet_config(pin_time_cost=2, pin_memory_kib=32768)


async def test_two_wrong_pins_at_once_count_as_two_tries(world: Jigap) -> None:
    await licence_in_wallet(world)
    wallet = world.services.wallet
    first, second = await asyncio.gather(pins.try_pin(wallet, world.minji.id, "246801"),
                                         pins.try_pin(wallet, world.minji.id, "802461"))
    assert not first.accepted and not second.accepted
    assert sorted((first.attempts_left, second.attempts_left)) == [3, 4]
    assert (await pins.pin_state(wallet, world.minji.id)).failed_attempts == 2


async def test_six_wrong_pins_at_once_lock_after_five_and_the_sixth_is_refused(world: Jigap) -> None:
    await licence_in_wallet(world)
    wallet = world.services.wallet
    tries = [pins.try_pin(wallet, world.minji.id, pin)
             for pin in ("246801", "802461", "975310", "314159", "271828", "161803")]
    results = await asyncio.gather(*tries, return_exceptions=True)
    checked = [result for result in results if not isinstance(result, BaseException)]
    assert sorted(result.attempts_left for result in checked) == [0, 1, 2, 3, 4]
    assert [type(result) for result in results if isinstance(result, BaseException)] == [PinLocked]
    state = await pins.pin_state(wallet, world.minji.id)
    assert state.failed_attempts == 5 and state.locked_until is not None
