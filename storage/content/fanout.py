"""Fan-out jobs as stored (`subscriptions.content.fanout.FanoutJobs`), and the follow lookups deliveries make."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import content_creators, content_fanouts, content_follows
from storage.metadata import as_utc
from subscriptions.content.fanout import FanoutJob, FanoutPhase
from subscriptions.ids import UserId

WORKING = (FanoutPhase.FOLLOWERS.value, FanoutPhase.SUBSCRIBERS.value)
CHUNK = 900


def _job(row: Any) -> FanoutJob:
    return FanoutJob(post_id=row.post_id, org_id=row.org_id, owner_id=row.owner_id, created_at=as_utc(row.created_at),
                     phase=FanoutPhase(row.phase), after=row.position, queued=row.queued,
                     broadcast_id=row.broadcast_id,
                     finished_at=as_utc(row.finished_at) if row.finished_at else None, version=row.version)


def _values(job: FanoutJob) -> dict[str, Any]:
    return {"post_id": job.post_id, "org_id": job.org_id, "owner_id": job.owner_id, "phase": job.phase.value,
            "position": job.after, "queued": job.queued, "broadcast_id": job.broadcast_id,
            "created_at": job.created_at, "finished_at": job.finished_at, "version": job.version}


class SqlFanout:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, job: FanoutJob) -> bool:
        dialect = pg_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        result = await self._connection.execute(
            dialect(content_fanouts).values(**_values(job)).on_conflict_do_nothing())
        return result.rowcount == 1

    async def get(self, post_id: str) -> FanoutJob | None:
        row = (await self._connection.execute(
            select(content_fanouts).where(content_fanouts.c.post_id == post_id))).first()
        return _job(row) if row else None

    async def save(self, job: FanoutJob, *, expected_version: int) -> bool:
        result = await self._connection.execute(
            update(content_fanouts)
            .where(content_fanouts.c.post_id == job.post_id, content_fanouts.c.version == expected_version)
            .values(**_values(job)))
        return result.rowcount == 1

    async def unfinished(self, *, limit: int) -> list[FanoutJob]:
        query = (select(content_fanouts).where(content_fanouts.c.phase.in_(WORKING))
                 .order_by(content_fanouts.c.created_at, content_fanouts.c.post_id).limit(limit))
        return [_job(row) for row in await self._connection.execute(query)]

    async def broadcasts_filling(self, broadcast_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        ids = sorted(set(broadcast_ids))
        for start in range(0, len(ids), CHUNK):
            query = select(content_fanouts.c.broadcast_id).where(
                content_fanouts.c.broadcast_id.in_(ids[start:start + CHUNK]), content_fanouts.c.phase.in_(WORKING))
            found.update(int(row.broadcast_id) for row in await self._connection.execute(query))
        return found

    async def follow_states(self, org_id: int, user_ids: Sequence[int]) -> dict[int, bool]:
        found: dict[int, bool] = {}
        ids = sorted(set(user_ids))
        for start in range(0, len(ids), CHUNK):
            query = select(content_follows.c.user_id, content_follows.c.muted).where(
                content_follows.c.org_id == org_id, content_follows.c.user_id.in_(ids[start:start + CHUNK]))
            found.update({int(row.user_id): bool(row.muted) for row in await self._connection.execute(query)})
        return found

    async def followed(self, user_id: UserId) -> list[tuple[int, str, bool]]:
        query = (select(content_follows.c.org_id, content_creators.c.name, content_follows.c.muted)
                 .select_from(content_follows.join(content_creators,
                                                   content_creators.c.org_id == content_follows.c.org_id))
                 .where(content_follows.c.user_id == user_id)
                 .order_by(content_creators.c.name, content_follows.c.org_id))
        return [(int(row.org_id), row.name, bool(row.muted)) for row in await self._connection.execute(query)]

    async def follower_page(self, org_id: int, after_user_id: int, *, limit: int) -> tuple[int, int] | None:
        """The last user id and the number of the next `limit` followers above `after_user_id` (keyset paging
        on the (org_id, user_id) index alone), or None when there are none."""
        page = (select(content_follows.c.user_id)
                .where(content_follows.c.org_id == org_id, content_follows.c.user_id > after_user_id)
                .order_by(content_follows.c.user_id).limit(limit).subquery())
        row = (await self._connection.execute(select(func.max(page.c.user_id), func.count()))).one()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def audience_between(self, org_id: int, after_user_id: int, last_user_id: int, *, owner_id: int) -> Select[Any]:
        """The followers in (after, last] who get a new post: not those who muted the creator, nor the creator."""
        return select(content_follows.c.user_id).where(
            content_follows.c.org_id == org_id, content_follows.c.user_id > after_user_id,
            content_follows.c.user_id <= last_user_id, content_follows.c.muted.is_(False),
            content_follows.c.user_id != owner_id)

    async def count_audience(self, org_id: int) -> int:
        query = select(func.count()).select_from(content_follows).where(
            content_follows.c.org_id == org_id, content_follows.c.muted.is_(False))
        return int((await self._connection.execute(query)).scalar_one())
