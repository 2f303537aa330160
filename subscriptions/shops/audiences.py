"""Who a shop's broadcast goes to, and where: followers' private chats, the shop's channel, or both.

Every audience is of followers (people who chose to hear from the shop) who have not blocked the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

LAPSED_WITHIN = timedelta(days=60)
REDEEMED_WITHIN = timedelta(days=30)


class Audience(StrEnum):
    FOLLOWERS = "all"
    PASS_HOLDERS = "holders"
    LAPSED = "lapsed"  # a pass ended in the last 60 days and none is active
    RECENT = "recent"  # redeemed in the last 30 days


class Target(StrEnum):
    FOLLOWERS = "followers"
    CHANNEL = "channel"
    BOTH = "both"

    @property
    def followers(self) -> bool:
        return self is not Target.CHANNEL

    @property
    def channel(self) -> bool:
        return self is not Target.FOLLOWERS


@dataclass(frozen=True)
class AudienceWindow:
    """The moments an audience is measured against."""

    now: datetime

    @property
    def lapsed_since(self) -> datetime:
        return self.now - LAPSED_WITHIN

    @property
    def redeemed_since(self) -> datetime:
        return self.now - REDEEMED_WITHIN


@dataclass(frozen=True)
class ShopBroadcast:
    """A shop's message waiting for its time (or sent): who it is for and where it goes."""

    id: str
    org_id: int
    sender_id: int
    text: str
    audience: Audience
    target: Target
    send_at: datetime
    created_at: datetime
    pass_product_id: str | None = None  # a button under it that opens this pass
    status: str = "scheduled"  # waiting (for a platform admin) | scheduled | sent | canceled | rejected
    broadcast_id: int | None = None  # delivery's broadcast, once sent to followers
    progress_chat_id: int | None = None
    decided_by: int | None = None  # the platform admin who approved or rejected it
    decided_at: datetime | None = None
    rejection_reason: str | None = None
    fill_after: int | None = None  # while followers' rows are still being written: the last follower written


WAITING = "waiting"  # for a platform admin's approval: not sent, not released at its time
SCHEDULED = "scheduled"
REJECTED = "rejected"


def needs_approval(target: Target, audience_size: int, threshold: int) -> bool:
    """A broadcast to more followers than the threshold waits for the platform (a channel post alone does not)."""
    return target.followers and audience_size > threshold
