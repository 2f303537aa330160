"""The wallet PIN: Argon2id hashes, five wrong tries lock for fifteen minutes, change and reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallet.errors import PinAlreadySet, PinFormatInvalid, PinLocked, PinNotSet
from wallet.pin import PinPolicy, PinState, change_pin, check_pin, reset_pin, set_first_pin

CHEAP = PinPolicy(time_cost=1, memory_cost_kib=1024)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_pin_is_stored_as_an_argon2id_hash_never_in_clear() -> None:
    state = set_first_pin(PinState(), "204816", policy=CHEAP)
    assert state.pin_hash is not None and state.pin_hash.startswith("$argon2id$")
    assert "204816" not in state.pin_hash


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "١٢٣٤٥٦", "111111", "123456", "987654"])
def test_pins_that_are_not_six_digits_or_too_easy_are_refused(pin: str) -> None:
    with pytest.raises(PinFormatInvalid):
        set_first_pin(PinState(), pin, policy=CHEAP)


def test_the_right_pin_is_accepted_and_clears_earlier_misses() -> None:
    state = set_first_pin(PinState(), "204816", policy=CHEAP)
    state = check_pin(state, "000001", now=NOW, policy=CHEAP).state
    checked = check_pin(state, "204816", now=NOW, policy=CHEAP)
    assert checked.accepted and checked.state.failed_attempts == 0


def test_five_wrong_pins_lock_presenting_for_fifteen_minutes() -> None:
    state = set_first_pin(PinState(), "204816", policy=CHEAP)
    lefts = []
    for _ in range(5):
        checked = check_pin(state, "999990", now=NOW, policy=CHEAP)
        state = checked.state
        lefts.append(checked.attempts_left)
    assert lefts == [4, 3, 2, 1, 0]
    assert state.locked_until == NOW + timedelta(minutes=15)
    with pytest.raises(PinLocked) as caught:
        check_pin(state, "204816", now=NOW + timedelta(minutes=14, seconds=59), policy=CHEAP)
    assert caught.value.until == NOW + timedelta(minutes=15)
    after = check_pin(state, "204816", now=NOW + timedelta(minutes=15), policy=CHEAP)
    assert after.accepted and after.state.locked_until is None


def test_after_a_lock_runs_out_the_holder_gets_five_fresh_tries() -> None:
    state = PinState(
        pin_hash=set_first_pin(PinState(), "204816", policy=CHEAP).pin_hash,
        failed_attempts=5,
        locked_until=NOW,
    )
    checked = check_pin(state, "999990", now=NOW, policy=CHEAP)
    assert not checked.accepted and checked.attempts_left == 4


def test_change_needs_the_old_pin_and_counts_a_wrong_one() -> None:
    state = set_first_pin(PinState(), "204816", policy=CHEAP)
    wrong = change_pin(state, "999990", "731902", now=NOW, policy=CHEAP)
    assert not wrong.accepted and wrong.state.failed_attempts == 1
    changed = change_pin(wrong.state, "204816", "731902", now=NOW, policy=CHEAP)
    assert changed.accepted
    assert check_pin(changed.state, "731902", now=NOW, policy=CHEAP).accepted
    assert not check_pin(changed.state, "204816", now=NOW, policy=CHEAP).accepted


def test_reset_sets_a_new_pin_and_lifts_the_lock() -> None:
    locked = PinState(
        pin_hash=set_first_pin(PinState(), "204816", policy=CHEAP).pin_hash,
        failed_attempts=5,
        locked_until=NOW + timedelta(minutes=10),
    )
    state = reset_pin(locked, "731902", policy=CHEAP)
    assert check_pin(state, "731902", now=NOW, policy=CHEAP).accepted


def test_setting_a_first_pin_twice_or_checking_before_one_exists_are_named_errors() -> None:
    state = set_first_pin(PinState(), "204816", policy=CHEAP)
    with pytest.raises(PinAlreadySet):
        set_first_pin(state, "731902", policy=CHEAP)
    with pytest.raises(PinNotSet):
        check_pin(PinState(), "204816", now=NOW, policy=CHEAP)
