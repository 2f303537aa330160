"""A bot killed (SIGKILL) right after Telegram delivered a successful_payment credits it once when it starts
again: the update was in the inbox before Telegram was told it arrived (bot.inbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.kill_nine import kill_after_payments, kill_during_pin_entry

TRIES = 3  # bench/kill_nine.py makes ten


@pytest.mark.xdist_group("kill-nine")  # three processes start and stop: keep them off a busy worker's back
async def test_a_payment_delivered_just_before_a_kill_is_credited_once_after_the_restart(
        migrated_sqlite_url: str, tmp_path: Path) -> None:
    outcome = await kill_after_payments(migrated_sqlite_url, TRIES, tmp_path / "bot.log")
    assert len(outcome.charge_ids) == TRIES
    assert outcome.each_credited_once, (outcome.credited, (tmp_path / "bot.log").read_text()[-3000:])


@pytest.mark.xdist_group("kill-nine")
async def test_the_last_pin_key_pressed_before_a_kill_counts_after_the_restart(
        migrated_sqlite_url: str, tmp_path: Path) -> None:
    first, second = await kill_during_pin_entry(migrated_sqlite_url, tmp_path / "bot.log")
    # The sixth key of the first entry counted: the keypad asks for the PIN again, with nothing typed yet;
    # the sixth of the second set the PIN. A lost key would leave five digits stored.
    assert first.stored == "set_confirm:0", first
    assert second.stored == "pin set", second
