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


def test_at_debug_library_lines_are_dropped_and_jigaps_own_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    level = logging.getLogger().level
    configure_logging("DEBUG")
    try:
        logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API endpoint `answerCallbackQuery` wpin:f1:7")
        logging.getLogger("aiosqlite").debug("executing INSERT ... ('135790',)")
        logging.getLogger("httpcore.http11").debug("send_request_body.started")
        logging.getLogger("handlers.wallet.cards").debug("keypad unchanged")
        logging.getLogger("telegram.ext.Updater").warning("network trouble")
        written = capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(level)
    assert "keypad unchanged" in written and "network trouble" in written
    assert "wpin" not in written and "135790" not in written and "send_request_body" not in written
