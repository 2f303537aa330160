"""Logging for the process: readable lines, and secrets removed before anything is written."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret from the whole text, tracebacks included (the bot
    token appears in every Bot API URL, and network errors quote URLs)."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


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


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = StderrHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    handler.addFilter(LibraryDebugFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Bot API URLs carry the token; one line per poll is noise anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic announces every plugin and migration context at INFO; jigap reports what migrated itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
