"""The daily digest's subjects: the platform admins (with their time zone), and, when a digest is written, the
figures of the day it reports and its chart (read through the stats service, from the roll-ups)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from storage.core.tables import roles, users
from subscriptions.accounts.access import PLATFORM, Role
from subscriptions.reminders import DueWindow, Page, ReminderKind, SubjectSource
from subscriptions.stats.charts import ChartKind
from subscriptions.stats.digest import DailyDigest, DigestReader
from subscriptions.stats.ranges import ChartRange
from subscriptions.stats.service import Stats


class DigestSource:
    def __init__(self, stats: Stats) -> None:
        self._stats = stats

    def subject_id(self, subject: DigestReader) -> str:
        return str(subject.user_id)

    async def due(self, uow: Any, window: DueWindow, after: object | None, limit: int) -> Page[DigestReader]:
        query = (select(users.c.id, users.c.timezone).join(roles, roles.c.user_id == users.c.id)
                 .where(roles.c.role == Role.PLATFORM_ADMIN.value, roles.c.org_id == PLATFORM))
        if isinstance(after, int):
            query = query.where(users.c.id > after)
        rows = (await uow.connection.execute(query.order_by(users.c.id).limit(limit))).all()
        cursor = rows[-1].id if len(rows) == limit else None
        return Page([DigestReader(int(row.id), row.timezone) for row in rows], cursor)

    async def load(self, uow: Any, subject_ids: Sequence[str]) -> dict[str, DigestReader]:
        ids = [int(subject_id) for subject_id in subject_ids if subject_id.isdigit()]
        if not ids:
            return {}
        rows = await uow.connection.execute(select(users.c.id, users.c.timezone).where(users.c.id.in_(ids)))
        yesterday = self._stats.today() - timedelta(days=1)
        figures = await self._stats.digest(yesterday)
        chart = await self._stats.chart(ChartKind.ACTIVE_USERS, ChartRange.MONTH)
        return {str(row.id): DigestReader(int(row.id), row.timezone, figures, chart) for row in rows}


def reminder_kinds(stats: Stats, hour: int) -> list[tuple[ReminderKind[Any], SubjectSource[Any]]]:
    return [(DailyDigest(hour), DigestSource(stats))]


__all__ = ["DigestSource", "reminder_kinds"]
