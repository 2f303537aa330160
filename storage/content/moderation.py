"""Reports of posts and the readers creators blocked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import content_blocks, content_creators, content_posts, content_reports
from storage.metadata import as_utc
from subscriptions.content.moderation import Report, ReportedPost, ReportReason, ReportStatus
from subscriptions.ids import UserId

reports = content_reports


def _report(row: Any) -> Report:
    return Report(id=row.id, post_id=row.post_id, reporter_id=row.reporter_id, reason=ReportReason(row.reason),
                  status=ReportStatus(row.status), created_at=as_utc(row.created_at),
                  decided_at=as_utc(row.decided_at) if row.decided_at else None, decided_by=row.decided_by)


class SqlReports:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, report: Report) -> bool:
        """False when this reader already reported this post (one report each)."""
        async with self._connection.begin_nested():
            try:
                await self._connection.execute(insert(reports).values(
                    id=report.id, post_id=report.post_id, reporter_id=report.reporter_id,
                    reason=report.reason.value, status=report.status.value, created_at=report.created_at))
            except IntegrityError:
                return False
        return True

    async def open_posts(self, *, offset: int, limit: int) -> list[ReportedPost]:
        """Posts with open reports, the longest waiting first."""
        first = func.min(reports.c.created_at).label("first_at")
        queued = (select(reports.c.post_id, first).where(reports.c.status == ReportStatus.OPEN.value)
                  .group_by(reports.c.post_id).order_by(first, reports.c.post_id).offset(offset).limit(limit)
                  .subquery())
        rows = list(await self._connection.execute(
            select(queued.c.post_id, queued.c.first_at, content_posts.c.title, content_posts.c.org_id,
                   content_creators.c.name)
            .join(content_posts, content_posts.c.id == queued.c.post_id)
            .join(content_creators, content_creators.c.org_id == content_posts.c.org_id)
            .order_by(queued.c.first_at, queued.c.post_id)))
        reasons = await self._reasons([row.post_id for row in rows])
        return [ReportedPost(row.post_id, row.title, row.name, row.org_id, reasons.get(row.post_id, {}),
                             as_utc(row.first_at)) for row in rows]

    async def _reasons(self, post_ids: list[str]) -> dict[str, dict[ReportReason, int]]:
        if not post_ids:
            return {}
        found: dict[str, dict[ReportReason, int]] = {}
        query = (select(reports.c.post_id, reports.c.reason, func.count().label("n"))
                 .where(reports.c.post_id.in_(post_ids), reports.c.status == ReportStatus.OPEN.value)
                 .group_by(reports.c.post_id, reports.c.reason))
        for row in await self._connection.execute(query):
            found.setdefault(row.post_id, {})[ReportReason(row.reason)] = row.n
        return found

    async def of_post(self, post_id: str) -> list[Report]:
        query = select(reports).where(reports.c.post_id == post_id).order_by(reports.c.created_at)
        return [_report(row) for row in await self._connection.execute(query)]

    async def decide(self, post_id: str, status: ReportStatus, *, by: UserId, now: datetime) -> int:
        """Close the post's open reports with `status`; how many there were."""
        result = await self._connection.execute(
            update(reports).where(reports.c.post_id == post_id, reports.c.status == ReportStatus.OPEN.value)
            .values(status=status.value, decided_at=now, decided_by=by))
        return int(result.rowcount or 0)


class SqlBlocks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def block(self, org_id: int, user_id: UserId, now: datetime) -> bool:
        if await self.is_blocked(org_id, user_id):
            return False
        await self._connection.execute(insert(content_blocks).values(org_id=org_id, user_id=user_id,
                                                                     created_at=now))
        return True

    async def unblock(self, org_id: int, user_id: UserId) -> bool:
        result = await self._connection.execute(delete(content_blocks).where(
            content_blocks.c.org_id == org_id, content_blocks.c.user_id == user_id))
        return result.rowcount == 1

    async def is_blocked(self, org_id: int, user_id: UserId) -> bool:
        count = (await self._connection.execute(select(func.count()).select_from(content_blocks).where(
            content_blocks.c.org_id == org_id, content_blocks.c.user_id == user_id))).scalar_one()
        return bool(count)

    async def of_creator(self, org_id: int) -> list[int]:
        query = (select(content_blocks.c.user_id).where(content_blocks.c.org_id == org_id)
                 .order_by(content_blocks.c.created_at))
        return list((await self._connection.execute(query)).scalars())
