"""Callback data: the one place where button payloads are made and read.

Telegram allows 64 bytes. Payloads are `<prefix>:<part>:<part>`; they are user input like any other
(a client can send anything), so parsing never trusts them and handlers re-check ownership on every press.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"


class CallbackDataTooLong(Exception):
    """A button payload would exceed Telegram's 64-byte limit: a programming error, caught by tests."""


@dataclass(frozen=True)
class CallbackData:
    prefix: str
    parts: tuple[str, ...]

    def part(self, index: int) -> str | None:
        return self.parts[index] if index < len(self.parts) else None


def make(prefix: str, *parts: str | int) -> str:
    text = SEPARATOR.join([prefix, *(str(part) for part in parts)])
    if len(text.encode()) > MAX_BYTES:
        raise CallbackDataTooLong(text)
    return text


def parse(data: str | None) -> CallbackData | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    prefix, *parts = data.split(SEPARATOR)
    if not prefix:
        return None
    return CallbackData(prefix, tuple(parts))


def pattern(prefix: str) -> str:
    """A CallbackQueryHandler pattern for one prefix."""
    return f"^{prefix}(:|$)"
