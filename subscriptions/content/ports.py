"""The contract between content and whatever stores it: small repositories inside one unit of work.

Rules every implementation keeps: `save(x, expected_version=n)` writes only while the stored row is still at
version `n` (the caller has bumped `x.version`) and answers False otherwise; lists are ordered newest or
most popular first and take `offset` and `limit` (callers ask for one more than a page to know whether a
next page exists); nothing is seen by other units of work before `commit()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from subscriptions.accounts.ports import Audit, OrganisationBook, Roles
from subscriptions.billing.ports import UnitOfWork as BillingUnitOfWork
from subscriptions.content.channels import ChannelMember, Membership
from subscriptions.content.creators import Creator, CreatorStatus, Tier
from subscriptions.content.fanout import FanoutJobs
from subscriptions.content.moderation import Report, ReportedPost, ReportStatus
from subscriptions.content.posts import Audience, Post
from subscriptions.content.ranking import Signal
from subscriptions.content.shelves import Conversion, Shelf, ShelfItem, Touch
from subscriptions.events import EventLog
from subscriptions.flows import FlowStore
from subscriptions.ids import UserId


@dataclass(frozen=True)
class PostSummary:
    """A line of a portal list: enough to draw it without loading the post."""

    id: str
    org_id: int
    creator_name: str
    creator_handle: str
    title: str
    audience: Audience
    published_at: datetime | None
    reads: int


class CreatorRepository(Protocol):
    async def add(self, creator: Creator) -> bool:
        """False when the handle is taken (the unique index decides a race)."""
        ...

    async def get(self, org_id: int) -> Creator | None: ...

    async def by_handle(self, handle: str) -> Creator | None: ...

    async def of_owner(self, owner_id: UserId) -> Creator | None: ...

    async def save(self, creator: Creator, *, expected_version: int) -> bool: ...

    async def set_status(self, org_id: int, status: CreatorStatus) -> bool: ...

    async def to_follow(self, *, offset: int, limit: int) -> list[Creator]:
        """Active creators, most followed first."""
        ...


class TierRepository(Protocol):
    async def add(self, tier: Tier) -> None: ...

    async def get(self, tier_id: str) -> Tier | None: ...

    async def of_creator(self, org_id: int) -> list[Tier]:
        """Active tiers in their order."""
        ...

    async def of_plan(self, plan_id: str) -> Tier | None: ...

    async def set_channel(self, tier_id: str, chat_id: int | None) -> None: ...


class PostRepository(Protocol):
    async def add(self, post: Post) -> None: ...

    async def get(self, post_id: str) -> Post | None: ...

    async def save(self, post: Post, *, expected_version: int) -> bool: ...

    async def due(self, now: datetime, *, limit: int) -> list[Post]:
        """Scheduled posts whose time has come, the oldest first."""
        ...

    async def of_creator(self, org_id: int, *, offset: int, limit: int) -> list[Post]:
        """Every post of a creator but deleted ones, newest first (the creator's own /posts)."""
        ...

    async def note_read(self, post_id: str, user_id: UserId, now: datetime) -> bool:
        """Count a reader once per post; True the first time."""
        ...

    async def note_signal(self, post_id: str, signal: Signal, now: datetime) -> None:
        """Add to the post's counter and its fading popularity."""
        ...


class PortalQueries(Protocol):
    """The portal's lists of listed posts (published, not taken down) and full-text search."""

    async def newest(self, *, offset: int, limit: int) -> list[PostSummary]: ...

    async def in_category(self, category: str, *, offset: int, limit: int) -> list[PostSummary]: ...

    async def popular(self, *, offset: int, limit: int) -> list[PostSummary]: ...

    async def by_creator(self, org_id: int, *, offset: int, limit: int) -> list[PostSummary]: ...

    async def by_ids(self, post_ids: Sequence[str]) -> list[PostSummary]:
        """Listed posts among `post_ids`, in the given order (a shelf's)."""
        ...

    async def search(self, words: str, *, offset: int, limit: int) -> list[PostSummary]:
        """Listed posts whose title or body match `words`, best first (Korean and English alike)."""
        ...


class FollowRepository(Protocol):
    async def follow(self, user_id: UserId, org_id: int, now: datetime) -> bool:
        """True if this made a new follow (and counted it on the creator)."""
        ...

    async def unfollow(self, user_id: UserId, org_id: int) -> bool: ...

    async def is_following(self, user_id: UserId, org_id: int) -> bool: ...

    async def following(self, user_id: UserId) -> list[int]: ...

    async def followers_after(self, org_id: int, after_user_id: UserId, *, limit: int) -> list[tuple[int, bool]]:
        """(user id, muted) of followers above `after_user_id`, in id order: fan-out reads them in batches."""
        ...

    async def set_muted(self, user_id: UserId, org_id: int, muted: bool) -> bool: ...


class ReportRepository(Protocol):
    async def add(self, report: Report) -> bool:
        """False when this reader already reported this post."""
        ...

    async def open_posts(self, *, offset: int, limit: int) -> list[ReportedPost]: ...

    async def of_post(self, post_id: str) -> list[Report]: ...

    async def decide(self, post_id: str, status: ReportStatus, *, by: UserId, now: datetime) -> int: ...


class BlockRepository(Protocol):
    async def block(self, org_id: int, user_id: UserId, now: datetime) -> bool: ...

    async def unblock(self, org_id: int, user_id: UserId) -> bool: ...

    async def is_blocked(self, org_id: int, user_id: UserId) -> bool: ...

    async def of_creator(self, org_id: int) -> list[int]: ...


class ChannelMemberRepository(Protocol):
    async def put(self, tier_id: str, user_id: UserId, chat_id: int, status: Membership, now: datetime) -> None: ...

    async def in_chat(self, chat_id: int, user_id: UserId) -> list[ChannelMember]: ...

    async def of_user(self, user_id: UserId, tier_ids: list[str]) -> list[ChannelMember]: ...

    async def set_status(self, tier_id: str, user_id: UserId, status: Membership, now: datetime) -> None: ...



class ShelfRepository(Protocol):
    async def add(self, shelf: Shelf) -> None: ...

    async def get(self, shelf_id: str) -> Shelf | None: ...

    async def save(self, shelf: Shelf, *, expected_version: int) -> bool: ...

    async def of_curator(self, curator_id: UserId) -> list[Shelf]:
        """The curator's live shelves, the latest changed first."""
        ...

    async def items(self, shelf_id: str) -> list[ShelfItem]:
        """A shelf's items in their order."""
        ...

    async def add_item(self, item: ShelfItem) -> bool:
        """False when the post is on the shelf already."""
        ...

    async def save_item(self, item: ShelfItem) -> bool: ...

    async def remove_item(self, shelf_id: str, post_id: str) -> bool: ...

    async def picks(self, *, offset: int, limit: int) -> list[Shelf]:
        """Live picked shelves holding at least one listed post, the latest changed first."""
        ...

    async def count_click(self, shelf_id: str) -> None: ...

    async def holding(self, curator_id: UserId, org_id: int) -> str | None:
        """A live shelf of the curator holding a post of the creator `org_id`, the latest changed."""
        ...


class AttributionRepository(Protocol):
    async def touch(self, touch: Touch) -> None:
        """Remember the touch, replacing the reader's earlier one on the same creator (last touch wins)."""
        ...

    async def touch_of(self, user_id: UserId, org_id: int) -> Touch | None: ...

    async def add_conversion(self, conversion: Conversion) -> bool:
        """False when the subscription or payment was counted already."""
        ...

    async def conversions_by_shelf(self, curator_id: UserId, *, since: datetime | None = None) -> dict[str, int]:
        ...

    async def conversion_times(self, curator_id: UserId, *, since: datetime) -> list[datetime]: ...

    async def sources(self, org_id: int) -> list[tuple[int, str, int]]:
        """(curator, shelf, conversions) that brought the creator subscribers or buyers, the most first."""
        ...


class ContentUnitOfWork(BillingUnitOfWork, Protocol):
    """One transaction over content's repositories and billing's (tiers are billing plans)."""

    @property
    def creators(self) -> CreatorRepository: ...

    @property
    def tiers(self) -> TierRepository: ...

    @property
    def posts(self) -> PostRepository: ...

    @property
    def portal(self) -> PortalQueries: ...

    @property
    def follows(self) -> FollowRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    @property
    def channel_members(self) -> ChannelMemberRepository: ...

    @property
    def blocks(self) -> BlockRepository: ...

    @property
    def shelves(self) -> ShelfRepository: ...

    @property
    def attribution(self) -> AttributionRepository: ...

    @property
    def fanouts(self) -> FanoutJobs: ...

    @property
    def organisations(self) -> OrganisationBook: ...

    @property
    def roles(self) -> Roles: ...

    @property
    def audit(self) -> Audit: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def flows(self) -> FlowStore:
        """Where the chat's flows are kept: becoming a creator, adding a tier, composing a post."""
        ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> ContentUnitOfWork: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
