"""Ports every domain of the subscriptions room shares: the clock (`subscriptions.clock`) and the id source
(`subscriptions.ids.TimeOrderedIds` is the one the bot wires in).

Each domain adds the repositories and the unit of work it needs in `subscriptions/<domain>/ports.py`.
"""

from __future__ import annotations

from typing import Protocol

from subscriptions.clock import Clock

__all__ = ["Clock", "IdSource"]


class IdSource(Protocol):
    def new_id(self) -> str:
        """A fresh unique id for a row (at most 40 URL-safe characters)."""
        ...

    def token(self, nbytes: int = 16) -> str:
        """A fresh unguessable URL-safe secret of `nbytes` random bytes (16 by default: 128 bits, 22
        characters), for gift codes and links."""
        ...
