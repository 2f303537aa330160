"""Time in the wallet: every moment is timezone-aware, and "now" is always passed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from wallet.errors import NaiveDatetime

Clock = Callable[[], datetime]


def ensure_aware(moment: datetime) -> datetime:
    """Return `moment`, refusing naive datetimes (they would compare wrongly or crash later)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime("the wallet needs timezone-aware datetimes")
    return moment
