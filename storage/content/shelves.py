"""Curators' shelves, their items, and attribution: the last shelf touch per reader and creator, and conversions.

The picks list reads `(status, picked, updated_at)` and keeps a shelf only while one of its posts is listed (an
EXISTS over the shelf's items and the posts' primary key), so a shelf whose posts were all taken down or
unpublished leaves the picks without anyone rewriting it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import (
    content_conversions,
    content_posts,
    content_shelf_items,
    content_shelves,
    content_touches,
)
from storage.metadata import as_utc
from subscriptions.content.shelves import Conversion, Shelf, ShelfItem, ShelfStatus, Touch
from subscriptions.ids import UserId

shelves, items, touches, conversions = content_shelves, content_shelf_items, content_touches, content_conversions


def _insert_ignoring(connection: AsyncConnection, table: Any) -> Any:
    dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing()


def _shelf(row: Any) -> Shelf:
    return Shelf(id=row.id, curator_id=row.curator_id, title=row.title, note=row.note,
                 created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
                 status=ShelfStatus(row.status), picked=row.picked, clicks=row.clicks, version=row.version)


def _item(row: Any) -> ShelfItem:
    return ShelfItem(shelf_id=row.shelf_id, post_id=row.post_id, note=row.note, position=row.position,
                     added_at=as_utc(row.added_at))


def _has_listed_post() -> Any:
    return exists().where(items.c.shelf_id == shelves.c.id, content_posts.c.id == items.c.post_id,
                          content_posts.c.listed)


class SqlShelves:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, shelf: Shelf) -> None:
        await self._connection.execute(insert(shelves).values(
            id=shelf.id, curator_id=shelf.curator_id, title=shelf.title, note=shelf.note, status=shelf.status.value,
            picked=shelf.picked, clicks=shelf.clicks, created_at=shelf.created_at, updated_at=shelf.updated_at,
            version=shelf.version))

    async def get(self, shelf_id: str) -> Shelf | None:
        row = (await self._connection.execute(select(shelves).where(shelves.c.id == shelf_id))).first()
        return _shelf(row) if row else None

    async def save(self, shelf: Shelf, *, expected_version: int) -> bool:
        # Clicks are counted in place, never written back from a copy.
        result = await self._connection.execute(
            update(shelves).where(shelves.c.id == shelf.id, shelves.c.version == expected_version)
            .values(title=shelf.title, note=shelf.note, status=shelf.status.value, picked=shelf.picked,
                    updated_at=shelf.updated_at, version=shelf.version))
        return result.rowcount == 1

    async def of_curator(self, curator_id: UserId) -> list[Shelf]:
        query = (select(shelves).where(shelves.c.curator_id == curator_id,
                                       shelves.c.status == ShelfStatus.ACTIVE.value)
                 .order_by(shelves.c.updated_at.desc(), shelves.c.id.desc()))
        return [_shelf(row) for row in await self._connection.execute(query)]

    async def items(self, shelf_id: str) -> list[ShelfItem]:
        query = select(items).where(items.c.shelf_id == shelf_id).order_by(items.c.position, items.c.added_at)
        return [_item(row) for row in await self._connection.execute(query)]

    async def add_item(self, item: ShelfItem) -> bool:
        result = await self._connection.execute(_insert_ignoring(self._connection, items).values(
            shelf_id=item.shelf_id, post_id=item.post_id, note=item.note, position=item.position,
            added_at=item.added_at))
        return result.rowcount == 1

    async def save_item(self, item: ShelfItem) -> bool:
        result = await self._connection.execute(
            update(items).where(items.c.shelf_id == item.shelf_id, items.c.post_id == item.post_id)
            .values(note=item.note, position=item.position))
        return result.rowcount == 1

    async def remove_item(self, shelf_id: str, post_id: str) -> bool:
        result = await self._connection.execute(
            delete(items).where(items.c.shelf_id == shelf_id, items.c.post_id == post_id))
        return result.rowcount == 1

    async def picks(self, *, offset: int, limit: int) -> list[Shelf]:
        query = (select(shelves).where(shelves.c.status == ShelfStatus.ACTIVE.value, shelves.c.picked,
                                       _has_listed_post())
                 .order_by(shelves.c.updated_at.desc(), shelves.c.id.desc()).offset(offset).limit(limit))
        return [_shelf(row) for row in await self._connection.execute(query)]

    async def count_click(self, shelf_id: str) -> None:
        await self._connection.execute(
            update(shelves).where(shelves.c.id == shelf_id).values(clicks=shelves.c.clicks + 1))

    async def holding(self, curator_id: UserId, org_id: int) -> str | None:
        query = (select(shelves.c.id)
                 .join(items, items.c.shelf_id == shelves.c.id)
                 .join(content_posts, content_posts.c.id == items.c.post_id)
                 .where(shelves.c.curator_id == curator_id, shelves.c.status == ShelfStatus.ACTIVE.value,
                        content_posts.c.org_id == org_id)
                 .order_by(shelves.c.updated_at.desc()).limit(1))
        return (await self._connection.execute(query)).scalar_one_or_none()


def _touch(row: Any) -> Touch:
    return Touch(user_id=row.user_id, org_id=row.org_id, shelf_id=row.shelf_id, curator_id=row.curator_id,
                 touched_at=as_utc(row.touched_at))


class SqlAttribution:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def touch(self, touch: Touch) -> None:
        dialect = pg_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        values = {"shelf_id": touch.shelf_id, "curator_id": touch.curator_id, "touched_at": touch.touched_at}
        statement = dialect(touches).values(user_id=touch.user_id, org_id=touch.org_id, **values)
        await self._connection.execute(statement.on_conflict_do_update(
            index_elements=[touches.c.user_id, touches.c.org_id], set_=values))

    async def touch_of(self, user_id: UserId, org_id: int) -> Touch | None:
        row = (await self._connection.execute(select(touches).where(
            touches.c.user_id == user_id, touches.c.org_id == org_id))).first()
        return _touch(row) if row else None

    async def add_conversion(self, conversion: Conversion) -> bool:
        # The unique (kind, reference) decides a race: an event handed out twice counts once.
        result = await self._connection.execute(_insert_ignoring(self._connection, conversions).values(
            id=conversion.id, curator_id=conversion.curator_id, shelf_id=conversion.shelf_id,
            org_id=conversion.org_id, user_id=conversion.user_id, kind=conversion.kind.value,
            reference=conversion.reference, at=conversion.at))
        return result.rowcount == 1

    async def conversions_by_shelf(self, curator_id: UserId, *, since: datetime | None = None) -> dict[str, int]:
        where = [conversions.c.curator_id == curator_id]
        if since is not None:
            where.append(conversions.c.at >= since)
        query = (select(conversions.c.shelf_id, func.count().label("n")).where(and_(*where))
                 .group_by(conversions.c.shelf_id))
        return {row.shelf_id: int(row.n) for row in await self._connection.execute(query)}

    async def conversion_times(self, curator_id: UserId, *, since: datetime) -> list[datetime]:
        query = (select(conversions.c.at).where(conversions.c.curator_id == curator_id, conversions.c.at >= since)
                 .order_by(conversions.c.at))
        return [as_utc(at) for at in (await self._connection.execute(query)).scalars()]

    async def sources(self, org_id: int) -> list[tuple[int, str, int]]:
        count = func.count().label("n")
        query = (select(conversions.c.curator_id, conversions.c.shelf_id, count)
                 .where(conversions.c.org_id == org_id)
                 .group_by(conversions.c.curator_id, conversions.c.shelf_id)
                 .order_by(count.desc(), conversions.c.shelf_id))
        return [(int(row.curator_id), str(row.shelf_id), int(row.n)) for row in await self._connection.execute(query)]
