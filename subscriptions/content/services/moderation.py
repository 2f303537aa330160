"""Moderation's use cases: report a post, the admins' queue, take down, restore, dismiss; creators' blocks.

The caller has checked the permission (a platform admin's `content.moderate`); each decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from subscriptions.content import Content
from subscriptions.content.errors import InvalidReport, PostNotFound
from subscriptions.content.moderation import Report, ReportedPost, ReportReason, ReportStatus
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.posts import Post, PostStatus
from subscriptions.content.services.creators import owned_creator
from subscriptions.ids import UserId


@dataclass(frozen=True)
class Decision:
    post: Post
    reports_closed: int
    changed: bool


async def report(content: Content, reporter_id: UserId, post_id: str, reason: str) -> bool:
    """Report a published post; True if this made a new report (a reader reports a post once)."""
    try:
        why = ReportReason(reason)
    except ValueError:
        raise InvalidReport(reason[:20]) from None
    now = content.clock.now()
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        if post is None or post.status is not PostStatus.PUBLISHED:
            raise PostNotFound(post_id)
        added = await uow.reports.add(Report(content.ids.new_id(), post_id, reporter_id, why, ReportStatus.OPEN,
                                             now))
        await uow.commit()
    return added


async def queue(content: Content, page: int) -> tuple[list[ReportedPost], bool]:
    size = content.settings.page_size
    async with content.uow() as uow:
        found = await uow.reports.open_posts(offset=max(0, page) * size, limit=size + 1)
    return found[:size], len(found) > size


async def _decide(uow: ContentUnitOfWork, content: Content, admin_id: UserId, post_id: str, *,
                  taken_down: bool, status: ReportStatus | None, action: str) -> Decision:
    now = content.clock.now()
    post = await uow.posts.get(post_id)
    if post is None or post.status is PostStatus.DELETED:
        raise PostNotFound(post_id)
    changed = post.taken_down != taken_down
    if changed:
        saved = replace(post, taken_down=taken_down, version=post.version + 1)
        if not await uow.posts.save(saved, expected_version=post.version):
            raise PostNotFound(post_id)
        post = saved
    closed = await uow.reports.decide(post_id, status, by=admin_id, now=now) if status else 0
    await uow.audit.record(actor_id=admin_id, action=action, outcome="ok", org_id=post.org_id, target=post_id,
                           detail={"changed": changed, "reports_closed": closed}, now=now)
    await uow.commit()
    return Decision(post, closed, changed)


async def take_down(content: Content, admin_id: UserId, post_id: str) -> Decision:
    async with content.uow() as uow:
        return await _decide(uow, content, admin_id, post_id, taken_down=True, status=ReportStatus.TAKEN_DOWN,
                             action="content.take_down")


async def restore(content: Content, admin_id: UserId, post_id: str) -> Decision:
    async with content.uow() as uow:
        return await _decide(uow, content, admin_id, post_id, taken_down=False, status=None,
                             action="content.restore")


async def dismiss(content: Content, admin_id: UserId, post_id: str) -> Decision:
    async with content.uow() as uow:
        return await _decide(uow, content, admin_id, post_id, taken_down=False, status=ReportStatus.DISMISSED,
                             action="content.dismiss_reports")


async def block_reader(content: Content, owner_id: UserId, reader_id: UserId) -> bool:
    """The creator stops `reader_id` from tipping and writing to them."""
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        added = await uow.blocks.block(creator.org_id, reader_id, content.clock.now())
        await uow.commit()
    return added


async def unblock_reader(content: Content, owner_id: UserId, reader_id: UserId) -> bool:
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        removed = await uow.blocks.unblock(creator.org_id, reader_id)
        await uow.commit()
    return removed


async def blocked_readers(content: Content, owner_id: UserId) -> list[int]:
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
        return await uow.blocks.of_creator(creator.org_id)


async def is_blocked(content: Content, org_id: int, reader_id: UserId) -> bool:
    async with content.uow() as uow:
        return await uow.blocks.is_blocked(org_id, reader_id)
