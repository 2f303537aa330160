"""At every log level, DEBUG included, the log holds no PIN (not one keypad press) and no claim an issuer typed."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logging_setup import configure_logging
from tests.harness import Jigap
from tests.wallet_e2e.helpers import PIN, licence_in_wallet, show_qr

SECRETS = ("11-24-123456-78", "2001-04-09", "김민지", "1종 보통")


def _forms(secret: str) -> set[str]:
    """A value as a log line could carry it: as typed, and JSON-escaped as in a request body."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}


async def test_a_debug_log_of_issuing_and_presenting_holds_no_pin_and_no_claim(
        world: Jigap, capsys: pytest.CaptureFixture[str]) -> None:
    level = logging.getLogger().level
    configure_logging("DEBUG")
    try:
        await licence_in_wallet(world)
        qr = await show_qr(world)
        assert qr.photo
        logging.getLogger("jigap.test").debug("the log is written at DEBUG")
        written = capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(level)
    assert "the log is written at DEBUG" in written
    assert PIN not in written
    assert "wpin" not in written  # the data of a keypad press names the digit pressed
    for secret in SECRETS:
        for form in _forms(secret):
            assert form not in written, (form, [line for line in written.splitlines() if form in line][:3])
