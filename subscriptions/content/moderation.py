"""Reports and take-downs: readers report a post with a reason; platform admins take it down or dismiss.

A taken-down post leaves the portal, search and shelves at once (it is no longer listed); readers who were
entitled to it see that it was removed. Creators block readers from tipping and writing to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReportReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    SEXUAL = "sexual"
    VIOLENCE = "violence"
    COPYRIGHT = "copyright"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    TAKEN_DOWN = "taken_down"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Report:
    id: str
    post_id: str
    reporter_id: int
    reason: ReportReason
    status: ReportStatus
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = None


@dataclass(frozen=True)
class ReportedPost:
    """A post in the admins' queue: its open reports counted by reason."""

    post_id: str
    title: str
    creator_name: str
    org_id: int
    reasons: dict[ReportReason, int]
    first_reported_at: datetime

    @property
    def count(self) -> int:
        return sum(self.reasons.values())
