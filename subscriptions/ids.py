"""The one id source: row ids that sort by creation time, and unguessable tokens for links.

A row id is 20 hex characters: 44 bits of milliseconds since 2024 (good for five centuries) and 36 bits that
start random in each millisecond and count up within it, as UUIDv7's monotonic counter does. Ids made one
after another sort one after another, so new rows are appended at the end of each id index instead of
landing on a random page of a large table, and one process never makes the same id twice. Ids are keys,
not secrets (every press re-checks who owns what); what a link must keep secret (a gift code, an offer or
request link) is a `token`, and stays random.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

ID_EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
ID_COUNTER_BITS = 36
ID_COUNTER_MAX = (1 << ID_COUNTER_BITS) - 1


class TimeOrderedIds:
    """`new_id()` for rows, `token()` for secrets in links (128 bits, 22 URL-safe characters by default)."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._last = (-1, 0)  # (millisecond, counter) of the last id

    def new_id(self) -> str:
        millis = int(self._now() * 1000) - ID_EPOCH_MS
        last_millis, counter = self._last
        if millis <= last_millis and counter < ID_COUNTER_MAX:
            millis, counter = last_millis, counter + 1  # same millisecond, or the clock stepped back
        else:
            counter = secrets.randbits(ID_COUNTER_BITS - 1)  # half the range left to count up in
        self._last = (millis, counter)
        return f"{millis:011x}{counter:09x}"

    def token(self, nbytes: int = 16) -> str:
        # Never with a leading "-": a token is also typed on command lines (`jigap issuer revoke TOKEN`), where
        # it would read as an option. Drawing again costs one in 64 tokens a sixth of a bit.
        token = secrets.token_urlsafe(nbytes)
        while token.startswith("-"):
            token = secrets.token_urlsafe(nbytes)
        return token

# A person everywhere in the house: their Telegram user id (also the id of their private chat with the bot).
UserId = int
