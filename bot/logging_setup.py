"""Logging for the process: readable lines or one JSON object per line (`[logging] format`), and secrets
removed before anything is written.

While an update is handled, `UPDATE_ID` names it (bot.update_processor sets it); every line logged meanwhile,
in the handler or in what it awaits, carries that id, so a log collector finds all lines of one update.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

import orjson

UPDATE_ID: ContextVar[int | None] = ContextVar("jigap_update_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret from the whole text, tracebacks included (the bot
    token appears in every Bot API URL, and network errors quote URLs)."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        return self.redacted(super().format(record))

    def redacted(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the update being handled (if
    any) and the traceback (if any). Secrets are removed from the finished line, so no field can carry one."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is not None:
            entry["update_id"] = update_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return self.redacted(orjson.dumps(entry).decode())


class UpdateIdFilter(logging.Filter):
    """Stamps each record with the id of the update being handled in its task, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = UPDATE_ID.get()
        return True


# jigap's own packages: their debug lines are written with care (ids and steps, never PINs or claims).
OWN_LOGGERS = ("jigap", "bot", "handlers", "wallet", "storage", "subscriptions", "__main__")


class LibraryDebugFilter(logging.Filter):
    """Drops the debug lines of libraries. At DEBUG, python-telegram-bot logs every update it processes and
    every Bot API call with its parameters and answer (a keypad press's callback data names the PIN digit, an
    issuer's message holds the claims they typed), httpx and httpcore log requests, and aiosqlite logs every
    statement with its parameters. None of that belongs in a log, at any level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return record.name.split(".", 1)[0] in OWN_LOGGERS


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment of writing (a test runner swaps it per test)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """The stream is always the current sys.stderr."""


def configure_logging(level: str = "INFO", secrets: Iterable[str] = (), *, json: bool = False) -> None:
    """The root logger writes to stderr, as text lines or (`json`) JSON lines, with `secrets` removed."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter(secrets) if json else RedactingFormatter(TEXT_FORMAT, secrets))
    handler.addFilter(LibraryDebugFilter())
    handler.addFilter(UpdateIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Bot API URLs carry the token; one line per poll is noise anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic announces every plugin and migration context at INFO; jigap reports what migrated itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
