"""New posts reaching their readers: the fan-out job's batches, what each delivery shows when it is sent, and
the per-creator mute.

`work_batch` is one transaction: find the next page of followers by keyset (or read the next subscriptions),
hand who gets the post to the delivery queue (outbox rows, written by whoever implements `DeliveryQueue`; a
followers' page is copied inside the database), and move the job's cursor past them. `readings_for` is asked when the rows are sent: a post taken down or unpublished
meanwhile, a follower who muted or unfollowed since, gets nothing; the rest get the post as they may read it
at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from subscriptions.billing.subscription import Subscription
from subscriptions.content import Content
from subscriptions.content.creators import Tier
from subscriptions.content.errors import CreatorNotFound
from subscriptions.content.fanout import FanoutJob, FanoutPhase
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.posts import Audience, Post
from subscriptions.content.services.posts import Reading, Why
from subscriptions.ids import UserId


class DeliveryQueue(Protocol):
    """Where a fan-out's recipients go: the delivery outbox, inside the batch's own transaction."""

    async def start(self, uow: ContentUnitOfWork, job: FanoutJob, expected: int) -> int:
        """Make the delivery's progress record for about `expected` recipients; returns its id."""
        ...

    async def is_canceled(self, uow: ContentUnitOfWork, job: FanoutJob) -> bool: ...

    async def queue(self, uow: ContentUnitOfWork, job: FanoutJob, recipients: Sequence[int]) -> int:
        """Queue the post for `recipients`; returns how many were new (someone queued before is not again)."""
        ...

    async def queue_followers(self, uow: ContentUnitOfWork, job: FanoutJob, after: int, last: int) -> int:
        """Queue the post for the creator's followers with user ids in (after, last] but those who muted it and
        the creator; returns how many were new."""
        ...

    async def finish(self, uow: ContentUnitOfWork, job: FanoutJob) -> None:
        """Every recipient is queued: the progress record learns the exact total."""
        ...


@dataclass(frozen=True)
class FollowedCreator:
    org_id: int
    name: str
    muted: bool


async def unfinished(content: Content, *, limit: int = 20) -> list[FanoutJob]:
    async with content.uow() as uow:
        return await uow.fanouts.unfinished(limit=limit)


def _plans(tiers: Sequence[Tier]) -> set[str]:
    return {plan for tier in tiers for plan in (tier.monthly_plan_id, tier.yearly_plan_id) if plan}


def _opening(post: Post, tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    if post.access.audience is Audience.EVERYONE:
        return ()
    return tuple(tier for tier in tiers if tier.id in post.access.tier_ids)


async def _subscribers(uow: ContentUnitOfWork, job: FanoutJob, plans: set[str], size: int, now: datetime
                       ) -> tuple[list[int], int]:
    """Live subscribers of `plans` in the next page of the creator's subscriptions (oldest first, so new ones
    join at the end and the offset stays true), without those who muted the creator."""
    page = await uow.subscriptions.for_merchant(str(job.org_id), size, job.after)
    live = sorted({sub.user_id for sub in page if sub.plan_id in plans and sub.has_access(now)} - {job.owner_id})
    muted = {user_id for user_id, is_muted in (await uow.fanouts.follow_states(job.org_id, live)).items() if is_muted}
    return [user_id for user_id in live if user_id not in muted], len(page)


async def work_batch(content: Content, post_id: str, deliveries: DeliveryQueue) -> FanoutJob | None:
    """Write the next batch of a post's fan-out and move its cursor, in one transaction. Returns the job as it
    now stands (None if there is none, or another worker moved it first: nothing was written then)."""
    now = content.clock.now()
    size = content.settings.fanout_batch_size
    async with content.uow() as uow:
        job = await uow.fanouts.get(post_id)
        if job is None or job.is_finished:
            return job
        before = job.version
        post = await uow.posts.get(post_id)
        if post is None or not post.is_listed:
            job = job.canceled(now)  # unpublished or taken down before it went out: nobody gets it
        elif job.broadcast_id is not None and await deliveries.is_canceled(uow, job):
            job = job.canceled(now)
        else:
            if job.broadcast_id is None:
                expected = await uow.fanouts.count_audience(job.org_id)
                job = replace(job, broadcast_id=await deliveries.start(uow, job, expected))
            job = await _next_batch(uow, job, post, size, deliveries, now)
        if job.is_finished and job.broadcast_id is not None:
            await deliveries.finish(uow, job)
        if not await uow.fanouts.save(job, expected_version=before):
            return None
        await uow.commit()
    return job


async def _next_batch(uow: ContentUnitOfWork, job: FanoutJob, post: Post, size: int, deliveries: DeliveryQueue,
                      now: datetime) -> FanoutJob:
    plans = _plans(_opening(post, await uow.tiers.of_creator(job.org_id)))
    if job.phase is FanoutPhase.FOLLOWERS:
        page = await uow.fanouts.follower_page(job.org_id, job.after, limit=size)
        last, read = page if page is not None else (job.after, 0)
        queued = await deliveries.queue_followers(uow, job, job.after, last) if read else 0
        after = last
    else:
        recipients, read = await _subscribers(uow, job, plans, size, now)
        queued = await deliveries.queue(uow, job, recipients) if recipients else 0
        after = job.after + read
    return job.advanced(after=after, queued=queued, exhausted=read < size, has_subscribers=bool(plans), now=now)


def _subscribed(plans: set[str], subscriptions: Sequence[Subscription], now: datetime) -> bool:
    return any(sub.plan_id in plans and sub.has_access(now) for sub in subscriptions)


async def readings_for(content: Content, post_id: str, reader_ids: Sequence[int]) -> dict[int, Reading | None]:
    """What each reader is shown of a delivered post now (None: nothing any more). Not counted as a read."""
    now = content.clock.now()
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        creator = await uow.creators.get(post.org_id) if post else None
        if post is None or creator is None or not post.is_listed or not creator.is_active:
            return dict.fromkeys(reader_ids)
        tiers = _opening(post, await uow.tiers.of_creator(post.org_id))
        plans = _plans(tiers)
        follows = await uow.fanouts.follow_states(post.org_id, reader_ids)
        found: dict[int, Reading | None] = {}
        for reader_id in reader_ids:
            subscribed = bool(plans) and _subscribed(plans, await uow.subscriptions.for_user(reader_id), now)
            muted = follows.get(reader_id)
            if muted or (muted is None and not subscribed) or reader_id == creator.owner_id:
                found[reader_id] = None  # muted, or neither following nor entitled any more
                continue
            why = Why.OPEN if post.access.is_open else Why.SUBSCRIBER if subscribed else Why.LOCKED
            found[reader_id] = Reading(post, creator, why, tiers)
    return found


async def followed_creators(content: Content, user_id: UserId) -> list[FollowedCreator]:
    async with content.uow() as uow:
        return [FollowedCreator(org_id, name, muted) for org_id, name, muted in await uow.fanouts.followed(user_id)]


async def set_muted(content: Content, user_id: UserId, org_id: int, muted: bool) -> FollowedCreator:
    """Mute or unmute a creator one follows (new posts stop, or come again); refused if one does not follow it."""
    async with content.uow() as uow:
        creator = await uow.creators.get(org_id)
        if creator is None or not await uow.follows.set_muted(user_id, org_id, muted):
            raise CreatorNotFound(str(org_id))
        await uow.commit()
    return FollowedCreator(org_id, creator.name, muted)
