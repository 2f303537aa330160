"""Giving part of a pass (5 of my 20 Americanos) by a single-use link.

Nothing moves when the link is made (the giver may still use those uses); claiming it moves the uses from the
giver's pass to a new pass of the recipient in one transaction, refused if the giver's balance no longer
covers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TRANSFER_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Transfer:
    code: str
    pass_id: str
    giver_id: int
    uses: int
    created_at: datetime
    expires_at: datetime
    claimed_by: int | None = None
    claimed_at: datetime | None = None
    canceled: bool = False

    def open(self, now: datetime) -> bool:
        return self.claimed_by is None and not self.canceled and now < self.expires_at
