"""The portal's lists, read from the `listed` indexes of `content_posts` joined to each post's creator.

Each list is one index range read: `(listed, published_at)` for the newest, `(listed, category,
published_at)` for a board, `(listed, hot)` for the lately popular. Callers page with offset and limit and
ask for one row more than a page to know whether there is a next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.search import search_posts
from storage.content.tables import content_creators, content_posts
from storage.metadata import as_utc
from subscriptions.content.ports import PostSummary
from subscriptions.content.posts import Audience

posts, creators = content_posts, content_creators


def _of_creator(column: Any) -> Any:
    return select(column).where(creators.c.org_id == posts.c.org_id).scalar_subquery().label(column.name)


SUMMARY_COLUMNS = (posts.c.id, posts.c.org_id, _of_creator(creators.c.name), _of_creator(creators.c.handle),
                   posts.c.title, posts.c.access, posts.c.published_at, posts.c.reads)


def summaries_query() -> Select[Any]:
    """Listed posts of active creators. Only posts are in FROM, so a list reads its index in order and stops at
    the page; each row's creator name and handle are looked up by key. (Joined to creators, SQLite's planner
    scanned the creators and sorted all their posts: 100 ms a page at 20,000 posts.) `listed = true`, not
    `listed` alone, lets the index's first column be matched."""
    # A suspended creator's posts leave every list with their page.
    suspended = select(creators.c.org_id).where(creators.c.status != "active")
    return select(*SUMMARY_COLUMNS).where(posts.c.listed == true(), posts.c.org_id.not_in(suspended))


def summary(row: Any) -> PostSummary:
    return PostSummary(id=row.id, org_id=row.org_id, creator_name=row.name, creator_handle=row.handle,
                       title=row.title, audience=Audience(row.access),
                       published_at=as_utc(row.published_at) if row.published_at else None, reads=row.reads)


class SqlPortal:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _list(self, query: Select[Any]) -> list[PostSummary]:
        return [summary(row) for row in await self._connection.execute(query)]

    async def newest(self, *, offset: int, limit: int) -> list[PostSummary]:
        return await self._list(summaries_query().order_by(posts.c.published_at.desc(), posts.c.id.desc())
                                .offset(offset).limit(limit))

    async def in_category(self, category: str, *, offset: int, limit: int) -> list[PostSummary]:
        return await self._list(summaries_query().where(posts.c.category == category)
                                .order_by(posts.c.published_at.desc(), posts.c.id.desc()).offset(offset).limit(limit))

    async def popular(self, *, offset: int, limit: int) -> list[PostSummary]:
        return await self._list(summaries_query().order_by(posts.c.hot.desc(), posts.c.id.desc())
                                .offset(offset).limit(limit))

    async def by_creator(self, org_id: int, *, offset: int, limit: int) -> list[PostSummary]:
        return await self._list(summaries_query().where(posts.c.org_id == org_id)
                                .order_by(posts.c.published_at.desc(), posts.c.id.desc()).offset(offset).limit(limit))

    async def by_ids(self, post_ids: Sequence[str]) -> list[PostSummary]:
        if not post_ids:
            return []
        found = {item.id: item for item in await self._list(summaries_query().where(posts.c.id.in_(post_ids)))}
        return [found[post_id] for post_id in post_ids if post_id in found]

    async def search(self, words: str, *, offset: int, limit: int) -> list[PostSummary]:
        return await search_posts(self._connection, words, offset=offset, limit=limit)
