"""Posts' use cases: publish now or at a time, edit, unpublish, delete; open one as a reader, access re-checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from subscriptions.billing.subscription import Subscription
from subscriptions.content import Content
from subscriptions.content.creators import Creator, Tier
from subscriptions.content.errors import InvalidPost, PostNotFound
from subscriptions.content.fanout import FanoutJob
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.posts import (
    Access,
    Audience,
    Document,
    Entity,
    Post,
    PostStatus,
    check_body,
    check_item_price,
    check_schedule,
    check_title,
)
from subscriptions.content.ranking import publication_score
from subscriptions.content.services.creators import owned_creator
from subscriptions.ids import UserId

POST_ITEM = "post"  # how billing knows a post sold alone


@dataclass(frozen=True)
class PostDraft:
    """What the composer gathered."""

    title: str
    body: str
    entities: tuple[Entity, ...] = ()
    photos: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()
    access: Access = Access()


class Why(StrEnum):
    """Why a reader sees a post in full, or not."""

    OPEN = "open"
    OWNER = "owner"
    SUBSCRIBER = "subscriber"
    BOUGHT = "bought"
    MODERATOR = "moderator"  # a platform admin looking at a reported post
    LOCKED = "locked"
    REMOVED = "removed"


@dataclass(frozen=True)
class Reading:
    post: Post
    creator: Creator
    why: Why
    tiers: tuple[Tier, ...]  # the tiers that open it, for "Subscribe from"

    @property
    def full(self) -> bool:
        return self.why in {Why.OPEN, Why.OWNER, Why.SUBSCRIBER, Why.BOUGHT, Why.MODERATOR}


def _checked(draft: PostDraft, tier_ids: set[str]) -> PostDraft:
    access = draft.access
    if access.audience is Audience.TIERS and (not access.tier_ids or not set(access.tier_ids) <= tier_ids):
        raise InvalidPost("tiers")
    if access.audience is Audience.PAID:
        if not access.prices or len({price.currency for price in access.prices}) != len(access.prices):
            raise InvalidPost("price")
        for price in access.prices:
            check_item_price(price)
        if not set(access.tier_ids) <= tier_ids:
            raise InvalidPost("tiers")
    return replace(draft, title=check_title(draft.title), body=check_body(draft.body))


async def publish(content: Content, owner_id: UserId, draft: PostDraft, *, at: datetime | None = None) -> Post:
    """Publish a new post now, or schedule it for `at` (the sweep publishes it then)."""
    now = content.clock.now()
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        draft = _checked(draft, {tier.id for tier in await uow.tiers.of_creator(creator.org_id)})
        post = Post(id=content.ids.new_id(), org_id=creator.org_id, category=creator.category, title=draft.title,
                    body=draft.body, created_at=now, entities=draft.entities, photos=draft.photos,
                    documents=draft.documents, access=draft.access, status=PostStatus.SCHEDULED,
                    publish_at=check_schedule(at, now) if at is not None else now)
        if at is None:
            post = replace(post.published(now), version=1, hot=publication_score(now))
        await uow.posts.add(post)
        if at is None:
            await uow.fanouts.add(FanoutJob.for_post(post, owner_id, now))  # it goes out in the background
        await uow.commit()
    return post


async def publish_due(content: Content, *, limit: int = 100) -> list[Post]:
    """Publish scheduled posts whose time has come; each once, whoever else runs the sweep."""
    now = content.clock.now()
    published = []
    async with content.uow() as uow:
        for post in await uow.posts.due(now, limit=limit):
            fresh = replace(post.published(post.publish_at or now), hot=publication_score(now))
            creator = await uow.creators.get(post.org_id)
            if creator is not None and await uow.posts.save(fresh, expected_version=post.version):
                await uow.fanouts.add(FanoutJob.for_post(fresh, creator.owner_id, now))
                published.append(fresh)
        await uow.commit()
    return published


async def _owned_post(uow: ContentUnitOfWork, owner_id: UserId, post_id: str) -> Post:
    post = await uow.posts.get(post_id)
    if post is None or post.status is PostStatus.DELETED:
        raise PostNotFound(post_id)
    await owned_creator(uow, owner_id, post.org_id)
    return post


async def edit(content: Content, owner_id: UserId, post_id: str, draft: PostDraft) -> Post:
    """Readers see the latest text, marked edited; who may read it and when it went out stay."""
    now = content.clock.now()
    async with content.uow() as uow:
        post = await _owned_post(uow, owner_id, post_id)
        draft = _checked(draft, {tier.id for tier in await uow.tiers.of_creator(post.org_id)})
        changed = replace(post, title=draft.title, body=draft.body, entities=draft.entities, photos=draft.photos,
                          documents=draft.documents, access=draft.access, teaser_photo=None,
                          edited_at=now if post.status is PostStatus.PUBLISHED else None,
                          version=post.version + 1)
        if not await uow.posts.save(changed, expected_version=post.version):
            raise PostNotFound(post_id)
        await uow.commit()
    return changed


async def set_status(content: Content, owner_id: UserId, post_id: str, status: PostStatus) -> Post:
    """Unpublish (back to a draft nobody else sees), publish again, or delete for good."""
    now = content.clock.now()
    async with content.uow() as uow:
        post = await _owned_post(uow, owner_id, post_id)
        if status is PostStatus.PUBLISHED:
            changed = post.published(now)
        else:
            changed = replace(post, status=status, publish_at=None, version=post.version + 1)
        if not await uow.posts.save(changed, expected_version=post.version):
            raise PostNotFound(post_id)
        if status is PostStatus.PUBLISHED and post.published_at is None:
            await uow.fanouts.add(FanoutJob.for_post(changed, owner_id, now))  # first published now: it goes out (once)
        await uow.commit()
    return changed


async def set_teaser_photo(content: Content, post_id: str, file_id: str) -> None:
    """Remember the blurred cover once uploaded, so it is made once per version of the post."""
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        if post is None or post.teaser_photo:
            return
        await uow.posts.save(replace(post, teaser_photo=file_id, version=post.version + 1),
                             expected_version=post.version)
        await uow.commit()


def _opening_tiers(post: Post, tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    if post.access.audience is Audience.EVERYONE:
        return ()
    return tuple(tier for tier in tiers if tier.id in post.access.tier_ids)


def _subscribed(tiers: Sequence[Tier], subscriptions: Sequence[Subscription], now: datetime) -> bool:
    plans = {plan for tier in tiers for plan in (tier.monthly_plan_id, tier.yearly_plan_id) if plan}
    return any(sub.plan_id in plans and sub.has_access(now) for sub in subscriptions)


async def open_post(content: Content, reader_id: UserId, post_id: str) -> Reading:
    """What `reader_id` may see of a post, decided now (a canceled subscription reads to its period's end; a
    refunded purchase no longer opens it)."""
    now = content.clock.now()
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        creator = await uow.creators.get(post.org_id) if post else None
        if post is None or creator is None:
            raise PostNotFound(post_id)
        is_owner = creator.owner_id == reader_id
        if post.status is not PostStatus.PUBLISHED and not (is_owner and post.status is not PostStatus.DELETED):
            raise PostNotFound(post_id)
        tiers = _opening_tiers(post, await uow.tiers.of_creator(post.org_id))
        why = await _why(uow, post, reader_id, is_owner, tiers, now)
        if why is Why.LOCKED and not creator.is_active:
            raise PostNotFound(post_id)
        if why is not Why.REMOVED and why is not Why.OWNER and await uow.posts.note_read(post_id, reader_id, now):
            post = replace(post, reads=post.reads + 1)
        await uow.commit()
    return Reading(post, creator, why, tiers)


async def _why(uow: ContentUnitOfWork, post: Post, reader_id: UserId, is_owner: bool, tiers: Sequence[Tier],
               now: datetime) -> Why:
    if post.taken_down:
        return Why.OWNER if is_owner else Why.REMOVED
    if is_owner:
        return Why.OWNER
    if post.access.audience is Audience.EVERYONE:
        return Why.OPEN
    if post.access.audience is Audience.PAID and await uow.purchases.owned(reader_id, POST_ITEM, [post.id]):
        return Why.BOUGHT
    if tiers and _subscribed(tiers, await uow.subscriptions.for_user(reader_id), now):
        return Why.SUBSCRIBER
    return Why.LOCKED


async def posts_of(content: Content, owner_id: UserId, *, page: int) -> tuple[list[Post], bool]:
    """The creator's own posts with their reads, unlocks and tips, newest first, a page at a time."""
    size = content.settings.page_size
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        found = await uow.posts.of_creator(creator.org_id, offset=page * size, limit=size + 1)
    return found[:size], len(found) > size


async def get_post(content: Content, post_id: str) -> Post:
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
    if post is None or post.status is PostStatus.DELETED:
        raise PostNotFound(post_id)
    return post


async def moderation_view(content: Content, post_id: str) -> Reading:
    """A post whole, as a platform admin deciding a report sees it (the caller checked the permission)."""
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        creator = await uow.creators.get(post.org_id) if post else None
    if post is None or creator is None or post.status is PostStatus.DELETED:
        raise PostNotFound(post_id)
    return Reading(post, creator, Why.MODERATOR, ())
