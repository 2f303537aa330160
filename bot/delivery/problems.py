"""Logging a lasting problem once: a warning when it starts, a line when it clears, nothing in between.

A database that is away for ten seconds must not write a thousand identical lines while the pump waits.
"""

from __future__ import annotations

import logging


class Problems:
    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._open: set[str] = set()

    def report(self, key: str, message: str) -> None:
        if key in self._open:
            return
        self._open.add(key)
        self._log.warning("%s", message)

    def resolved(self, key: str, message: str) -> None:
        if key not in self._open:
            return
        self._open.discard(key)
        self._log.info("%s", message)

    def is_open(self, key: str) -> bool:
        return key in self._open
