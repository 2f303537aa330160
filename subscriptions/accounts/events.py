"""What accounts record happened, for the domains that care (billing bills in the user's time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TimezoneChanged:
    """A user chose another time zone in /settings: reminders follow at once, billing from the next term."""

    user_id: int
    timezone: str
    at: datetime
