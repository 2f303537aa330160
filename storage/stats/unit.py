"""Stats' part of the unit of work: the roll-ups' repository, built on first use."""

from __future__ import annotations

from storage.core.unit import UnitPart
from storage.stats.repositories import SqlStats


class StatsPart(UnitPart):
    @property
    def stats(self) -> SqlStats:
        return SqlStats(self.connection)
