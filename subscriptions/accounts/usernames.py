"""Who a @username names.

Telegram lets a username move from one account to another; the bot learns of it only when someone writes
with the name. Storage keeps each name on one row, the one it was seen on last. A name seen there long ago
may have moved since to someone who never wrote to the bot, so it is not acted on: the one asking is told
whose it was and when, and uses the id if that is still the person they mean.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# How long a username seen on an account is taken to still be theirs.
TRUSTED_FOR = timedelta(days=30)


def is_stale(last_seen_at: datetime, now: datetime) -> bool:
    """Whether a name last seen at `last_seen_at` may since have moved to another account."""
    return now - last_seen_at > TRUSTED_FOR
