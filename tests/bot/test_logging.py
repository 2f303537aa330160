"""Secrets never reach the log, even inside a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import configure_logging

TOKEN = "7100000001:AAHsecretPartOfTheToken"


def test_the_token_is_redacted_from_messages_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", secrets=[TOKEN])
    try:
        log = logging.getLogger("jigap.test")
        log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")
        except ConnectionError:
            log.exception("send failed")
        written = capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
    assert "getUpdates" in written and "sendMessage" in written and "Traceback" in written
    assert TOKEN not in written and "AAHsecret" not in written
    assert written.count("<redacted>") == 2
