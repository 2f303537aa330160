"""A new post going out to its readers: one durable fan-out job per published post, worked in batches.

The job walks the creator's followers in user id order (keyset paging), then the live subscribers of the tiers
the post is open to, and records after each batch how far it got, in the batch's own transaction: a job
resumed after a crash starts exactly after the last batch written, so no batch is written twice. Who gets the
whole post and who the teaser is decided when each message is sent, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from subscriptions.content.posts import Post
from subscriptions.ids import UserId


class FanoutPhase(StrEnum):
    FOLLOWERS = "followers"
    SUBSCRIBERS = "subscribers"
    DONE = "done"
    CANCELED = "canceled"  # the creator stopped the delivery


@dataclass(frozen=True)
class FanoutJob:
    post_id: str
    org_id: int
    owner_id: int
    created_at: datetime
    phase: FanoutPhase = FanoutPhase.FOLLOWERS
    # The cursor: the last follower's user id written, or how many of the creator's subscriptions were read.
    after: int = 0
    queued: int = 0  # outbox rows written so far
    broadcast_id: int | None = None  # the delivery's progress record, made with the first batch
    finished_at: datetime | None = None
    version: int = 1

    @classmethod
    def for_post(cls, post: Post, owner_id: UserId, now: datetime) -> FanoutJob:
        return cls(post_id=post.id, org_id=post.org_id, owner_id=owner_id, created_at=now)

    @property
    def is_finished(self) -> bool:
        return self.phase in {FanoutPhase.DONE, FanoutPhase.CANCELED}

    def advanced(self, *, after: int, queued: int, exhausted: bool, has_subscribers: bool,
                 now: datetime) -> FanoutJob:
        """The job after one batch: the cursor moved on, or the next phase once this one ran out."""
        job = replace(self, after=after, queued=self.queued + queued, version=self.version + 1)
        if not exhausted:
            return job
        if self.phase is FanoutPhase.FOLLOWERS and has_subscribers:
            return replace(job, phase=FanoutPhase.SUBSCRIBERS, after=0)
        return replace(job, phase=FanoutPhase.DONE, finished_at=now)

    def canceled(self, now: datetime) -> FanoutJob:
        return replace(self, phase=FanoutPhase.CANCELED, finished_at=now, version=self.version + 1)


class FanoutJobs(Protocol):
    async def add(self, job: FanoutJob) -> bool:
        """False when the post has its job already (a post goes out once)."""
        ...

    async def get(self, post_id: str) -> FanoutJob | None: ...

    async def save(self, job: FanoutJob, *, expected_version: int) -> bool: ...

    async def unfinished(self, *, limit: int) -> list[FanoutJob]:
        """Jobs still to work, the oldest first."""
        ...

    async def broadcasts_filling(self, broadcast_ids: Sequence[int]) -> set[int]:
        """Those of `broadcast_ids` whose job is still writing recipients."""
        ...

    async def follow_states(self, org_id: int, user_ids: Sequence[int]) -> dict[int, bool]:
        """Which of `user_ids` follow the creator, each with whether they muted it."""
        ...

    async def followed(self, user_id: UserId) -> list[tuple[int, str, bool]]:
        """(org id, creator name, muted) of every creator `user_id` follows, by name."""
        ...

    async def follower_page(self, org_id: int, after_user_id: int, *, limit: int) -> tuple[int, int] | None:
        """(last user id, count) of the next `limit` followers above `after_user_id` in id order; None if none.
        Who of them gets the post (not those who muted the creator, nor the creator) the delivery queue picks
        in the database: a page's ids never pass through here."""
        ...

    async def count_audience(self, org_id: int) -> int:
        """Followers who have not muted the creator."""
        ...
