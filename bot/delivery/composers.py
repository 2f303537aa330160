"""The pump's composers by row kind: reminders write theirs, new posts theirs, each for its own rows.

A feature whose outbox rows hold only a reference registers the composer that writes their message when they are
claimed (`composers.register("post", ...)`); rows of a kind nobody registered are sent as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.delivery.messages import Deferred, Unsendable
from bot.delivery.pump import Composer
from storage.delivery.repositories import OutboxRow


class ComposerTaken(Exception):
    """Two features registered a composer for the same kind of outbox row."""


class Composers:
    def __init__(self) -> None:
        self._by_kind: dict[str, Composer] = {}

    def register(self, kind: str, composer: Composer) -> None:
        if kind in self._by_kind:
            raise ComposerTaken(kind)
        self._by_kind[kind] = composer

    def __contains__(self, kind: str) -> bool:
        return kind in self._by_kind

    async def compose(self, rows: Sequence[OutboxRow]) -> Mapping[int, dict[str, Any] | Unsendable | Deferred]:
        by_kind: dict[str, list[OutboxRow]] = {}
        for row in rows:
            if row.kind in self._by_kind:
                by_kind.setdefault(row.kind, []).append(row)
        composed: dict[int, dict[str, Any] | Unsendable | Deferred] = {}
        for kind, mine in by_kind.items():
            composed.update(await self._by_kind[kind].compose(mine))
        return composed
