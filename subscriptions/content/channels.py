"""A paid tier's Telegram channel: subscribers get a one-person invite link; when the subscription ends they are
removed (banned, then unbanned at once so they may come back when they subscribe again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

INVITE_LIFETIME = timedelta(minutes=15)


class Membership(StrEnum):
    INVITED = "invited"
    MEMBER = "member"
    REMOVING = "removing"  # banned, waiting for Telegram to say so before the unban
    REMOVED = "removed"


@dataclass(frozen=True)
class ChannelMember:
    tier_id: str
    user_id: int
    chat_id: int
    status: Membership
    updated_at: datetime


@dataclass(frozen=True)
class ChannelRights:
    """What the bot saw with getChatMember before linking a channel."""

    is_channel: bool
    bot_may_invite_and_remove: bool
    owner_administers: bool
