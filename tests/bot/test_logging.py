"""Secrets never reach the log, even inside a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

import pytest
from telegram import Update

from bot.config import ConfigError, load_config
from bot.logging_setup import configure_logging
from bot.update_processor import PerChatUpdateProcessor

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


def test_json_lines_carry_the_update_being_handled_and_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", secrets=[TOKEN], json=True)
    log = logging.getLogger("handlers.core.start")
    update = Update.de_json({"update_id": 424242, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "Eve"}, "text": "/start"}}, None)

    async def handle() -> None:
        log.info("answering /start")
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")
        except ConnectionError:
            log.exception("send failed")

    async def handled_then_idle() -> None:
        await PerChatUpdateProcessor(4).do_process_update(update, handle())
        log.warning("between updates")

    try:
        asyncio.run(handled_then_idle())
        written = capsys.readouterr().err
    finally:
        logging.getLogger().handlers.clear()
    lines = [json.loads(line) for line in written.splitlines()]
    assert [(line["level"], line["logger"], line["message"], line.get("update_id")) for line in lines] == [
        ("INFO", "handlers.core.start", "answering /start", 424242),
        ("ERROR", "handlers.core.start", "send failed", 424242),
        ("WARNING", "handlers.core.start", "between updates", None),
    ]
    assert all(datetime.fromisoformat(line["time"]).tzinfo is not None for line in lines)
    assert "Traceback" in lines[1]["exception"] and "<redacted>" in lines[1]["exception"]
    assert TOKEN not in written and "AAHsecret" not in written


def test_the_log_format_is_checked_when_the_configuration_is_read() -> None:
    assert load_config(environ={"JIGAP_LOGGING__FORMAT": "json"}).logging.format == "json"
    with pytest.raises(ConfigError, match="logging.format must be text or json"):
        load_config(environ={"JIGAP_LOGGING__FORMAT": "xml"})
