"""Creators: anyone's page with a unique handle, a category (the portal's boards), and tiers readers subscribe to.

A creator is an organisation of kind "creator" whose owner holds the `creator` role in it, made by the person
alone (no admin step); platform admins can suspend one. Its tiers are plans of one billing offer: a monthly
plan and, for card tiers, an optional yearly one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.content.errors import InvalidCreatorField, InvalidHandle, UnknownCategory

HANDLE = re.compile(r"[a-z][a-z0-9_]{2,31}")
NAME_LIMIT = 64
DESCRIPTION_LIMIT = 500
BENEFITS_LIMIT = 500
TIER_NAME_LIMIT = 64

# The portal's boards, in the order the home shows them.
CATEGORIES = ("cooking", "language", "study", "money", "tech", "travel", "art", "music", "health", "life")


class CreatorStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Creator:
    org_id: int
    handle: str
    name: str
    category: str
    description: str
    owner_id: int
    status: CreatorStatus
    followers: int
    created_at: datetime
    photo_file_id: str | None = None
    offer_id: str | None = None
    version: int = 1

    @property
    def is_active(self) -> bool:
        return self.status is CreatorStatus.ACTIVE

    @property
    def merchant_id(self) -> str:
        """Billing knows a merchant by its organisation id, as text."""
        return str(self.org_id)


@dataclass(frozen=True)
class Tier:
    id: str
    org_id: int
    name: str
    benefits: str
    monthly_plan_id: str
    position: int
    created_at: datetime
    yearly_plan_id: str | None = None
    channel_chat_id: int | None = None
    status: str = "active"


def normalise_handle(text: str) -> str:
    """A handle as stored: without a leading @ or c_, lower case; refused unless it fits the pattern."""
    handle = text.strip().removeprefix("@").lower()
    if not HANDLE.fullmatch(handle):
        raise InvalidHandle(text[:40])
    return handle


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UnknownCategory(category[:40])
    return category


def clean_field(text: str, limit: int, *, field: str, allow_empty: bool = False) -> str:
    """Trimmed text within `limit` characters (names and descriptions are plain text, shown as typed)."""
    value = " ".join(text.split()) if field in {"name", "tier_name"} else text.strip()
    if (not value and not allow_empty) or len(value) > limit:
        raise InvalidCreatorField(field)
    return value
