"""SQL implementations of content's write-side ports (`subscriptions.content.ports`); the portal's lists and
search are in `storage.content.portal`.

A post's rich parts live in its JSON document (`PostDocument`); the columns beside it are what lists select,
sort and page on. Saves are optimistic: `UPDATE ... WHERE id = :id AND version = :expected`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.search import index_creator, index_post
from storage.content.tables import (
    content_creators,
    content_follows,
    content_posts,
    content_reads,
    content_tiers,
)
from storage.documents import decode
from storage.json_text import to_json_text
from storage.metadata import as_utc
from subscriptions.content.creators import Creator, CreatorStatus, Tier
from subscriptions.content.posts import Access, Document, Entity, Post, PostStatus
from subscriptions.content.ranking import Signal, add_score
from subscriptions.ids import UserId

SIGNAL_COLUMN = {Signal.READ: "reads", Signal.UNLOCK: "unlocks", Signal.TIP: "tips"}


@dataclass(frozen=True)
class PostDocument:
    """What a post holds beyond its columns."""

    entities: tuple[Entity, ...] = ()
    photos: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()
    access: Access = Access()
    teaser_photo: str | None = None


def _insert_ignoring(connection: AsyncConnection, table: Any) -> Any:
    dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing()


# --- creators and tiers ----------------------------------------------------------------------------------


def _creator(row: Any) -> Creator:
    return Creator(org_id=row.org_id, handle=row.handle, name=row.name, category=row.category,
                   description=row.description, owner_id=row.owner_id, status=CreatorStatus(row.status),
                   followers=row.followers, created_at=as_utc(row.created_at), photo_file_id=row.photo_file_id,
                   offer_id=row.offer_id, version=row.version)


def _creator_values(creator: Creator) -> dict[str, Any]:
    return {"org_id": creator.org_id, "handle": creator.handle, "name": creator.name,
            "category": creator.category, "description": creator.description,
            "photo_file_id": creator.photo_file_id, "owner_id": creator.owner_id,
            "status": creator.status.value, "followers": creator.followers, "offer_id": creator.offer_id,
            "created_at": creator.created_at, "version": creator.version}


class SqlCreators:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, creator: Creator) -> bool:
        async with self._connection.begin_nested():
            try:
                await self._connection.execute(insert(content_creators).values(**_creator_values(creator)))
            except IntegrityError:
                return False
        return True

    async def _one(self, *where: Any) -> Creator | None:
        row = (await self._connection.execute(select(content_creators).where(*where))).first()
        return _creator(row) if row else None

    async def get(self, org_id: int) -> Creator | None:
        return await self._one(content_creators.c.org_id == org_id)

    async def by_handle(self, handle: str) -> Creator | None:
        return await self._one(content_creators.c.handle == handle.lower())

    async def of_owner(self, owner_id: UserId) -> Creator | None:
        return await self._one(content_creators.c.owner_id == owner_id)

    async def save(self, creator: Creator, *, expected_version: int) -> bool:
        values = _creator_values(creator)
        del values["followers"]  # counted by follows, never overwritten from a stale copy
        result = await self._connection.execute(
            update(content_creators)
            .where(content_creators.c.org_id == creator.org_id, content_creators.c.version == expected_version)
            .values(**values))
        return result.rowcount == 1

    async def set_status(self, org_id: int, status: CreatorStatus) -> bool:
        result = await self._connection.execute(
            update(content_creators).where(content_creators.c.org_id == org_id, content_creators.c.status != status)
            .values(status=status.value, version=content_creators.c.version + 1))
        if result.rowcount != 1:
            return False
        await index_creator(self._connection, org_id, active=status is CreatorStatus.ACTIVE)
        return True

    async def to_follow(self, *, offset: int, limit: int) -> list[Creator]:
        query = (select(content_creators).where(content_creators.c.status == CreatorStatus.ACTIVE.value)
                 .order_by(content_creators.c.followers.desc(), content_creators.c.org_id)
                 .offset(offset).limit(limit))
        return [_creator(row) for row in await self._connection.execute(query)]


def _tier(row: Any) -> Tier:
    return Tier(id=row.id, org_id=row.org_id, name=row.name, benefits=row.benefits,
                monthly_plan_id=row.monthly_plan_id, position=row.position, created_at=as_utc(row.created_at),
                yearly_plan_id=row.yearly_plan_id, channel_chat_id=row.channel_chat_id, status=row.status)


class SqlTiers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, tier: Tier) -> None:
        await self._connection.execute(insert(content_tiers).values(
            id=tier.id, org_id=tier.org_id, name=tier.name, benefits=tier.benefits,
            monthly_plan_id=tier.monthly_plan_id, yearly_plan_id=tier.yearly_plan_id, position=tier.position,
            channel_chat_id=tier.channel_chat_id, status=tier.status, created_at=tier.created_at))

    async def get(self, tier_id: str) -> Tier | None:
        row = (await self._connection.execute(select(content_tiers).where(content_tiers.c.id == tier_id))).first()
        return _tier(row) if row else None

    async def of_creator(self, org_id: int) -> list[Tier]:
        query = (select(content_tiers).where(content_tiers.c.org_id == org_id, content_tiers.c.status == "active")
                 .order_by(content_tiers.c.position))
        return [_tier(row) for row in await self._connection.execute(query)]

    async def of_plan(self, plan_id: str) -> Tier | None:
        """The tier a billing plan belongs to (as its monthly or its yearly plan)."""
        query = select(content_tiers).where(
            (content_tiers.c.monthly_plan_id == plan_id) | (content_tiers.c.yearly_plan_id == plan_id))
        row = (await self._connection.execute(query.limit(1))).first()
        return _tier(row) if row else None

    async def set_channel(self, tier_id: str, chat_id: int | None) -> None:
        await self._connection.execute(
            update(content_tiers).where(content_tiers.c.id == tier_id).values(channel_chat_id=chat_id))


# --- posts -------------------------------------------------------------------------------------------------


def _post(row: Any) -> Post:
    document = decode(PostDocument, row.document)
    return Post(
        id=row.id, org_id=row.org_id, category=row.category, title=row.title, body=row.body,
        created_at=as_utc(row.created_at), entities=document.entities, photos=document.photos,
        documents=document.documents, access=document.access, status=PostStatus(row.status),
        taken_down=row.taken_down, publish_at=as_utc(row.publish_at) if row.publish_at else None,
        published_at=as_utc(row.published_at) if row.published_at else None,
        edited_at=as_utc(row.edited_at) if row.edited_at else None, teaser_photo=document.teaser_photo,
        reads=row.reads, unlocks=row.unlocks, tips=row.tips, hot=row.hot, version=row.version)


def _post_values(post: Post) -> dict[str, Any]:
    document = PostDocument(post.entities, post.photos, post.documents, post.access, post.teaser_photo)
    return {"id": post.id, "org_id": post.org_id, "category": post.category, "title": post.title,
            "body": post.body, "document": to_json_text(document), "access": post.access.audience.value,
            "status": post.status.value, "taken_down": post.taken_down, "listed": post.is_listed,
            "publish_at": post.publish_at, "published_at": post.published_at, "edited_at": post.edited_at,
            "created_at": post.created_at, "hot": post.hot, "version": post.version}


class SqlPosts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, post: Post) -> None:
        await self._connection.execute(insert(content_posts).values(
            **_post_values(post), reads=post.reads, unlocks=post.unlocks, tips=post.tips))
        await index_post(self._connection, post.id, post.title, post.body, post.published_at, listed=post.is_listed)

    async def get(self, post_id: str) -> Post | None:
        row = (await self._connection.execute(select(content_posts).where(content_posts.c.id == post_id))).first()
        return _post(row) if row else None

    async def save(self, post: Post, *, expected_version: int) -> bool:
        values = _post_values(post)
        del values["hot"]  # popularity moves with reads, unlocks and tips, never from a stale copy
        result = await self._connection.execute(
            update(content_posts)
            .where(content_posts.c.id == post.id, content_posts.c.version == expected_version).values(**values))
        if result.rowcount != 1:
            return False
        # An edit, a take-down or an unpublish is what search finds from the next query on.
        await index_post(self._connection, post.id, post.title, post.body, post.published_at, listed=post.is_listed)
        return True

    async def due(self, now: datetime, *, limit: int) -> list[Post]:
        query = (select(content_posts)
                 .where(content_posts.c.status == PostStatus.SCHEDULED.value, content_posts.c.publish_at <= now)
                 .order_by(content_posts.c.publish_at).limit(limit))
        return [_post(row) for row in await self._connection.execute(query)]

    async def of_creator(self, org_id: int, *, offset: int, limit: int) -> list[Post]:
        query = (select(content_posts)
                 .where(content_posts.c.org_id == org_id, content_posts.c.status != PostStatus.DELETED.value)
                 .order_by(content_posts.c.created_at.desc(), content_posts.c.id.desc()).offset(offset).limit(limit))
        return [_post(row) for row in await self._connection.execute(query)]

    async def note_read(self, post_id: str, user_id: UserId, now: datetime) -> bool:
        result = await self._connection.execute(
            _insert_ignoring(self._connection, content_reads).values(post_id=post_id, user_id=user_id,
                                                                    first_read_at=now))
        if result.rowcount != 1:
            return False
        await self.note_signal(post_id, Signal.READ, now)
        return True

    async def note_signal(self, post_id: str, signal: Signal, now: datetime) -> None:
        row = (await self._connection.execute(
            select(content_posts.c.hot).where(content_posts.c.id == post_id))).first()
        if row is None:
            return
        column = content_posts.c[SIGNAL_COLUMN[signal]]
        await self._connection.execute(
            update(content_posts).where(content_posts.c.id == post_id)
            .values({column: column + 1, content_posts.c.hot: add_score(row.hot, signal, now)}))


# --- follows ------------------------------------------------------------------------------------------------


class SqlFollows:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def follow(self, user_id: UserId, org_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            _insert_ignoring(self._connection, content_follows).values(user_id=user_id, org_id=org_id,
                                                                      muted=False, created_at=now))
        if result.rowcount != 1:
            return False
        await self._count(org_id, +1)
        return True

    async def unfollow(self, user_id: UserId, org_id: int) -> bool:
        result = await self._connection.execute(delete(content_follows).where(
            content_follows.c.user_id == user_id, content_follows.c.org_id == org_id))
        if result.rowcount != 1:
            return False
        await self._count(org_id, -1)
        return True

    async def _count(self, org_id: int, by: int) -> None:
        await self._connection.execute(update(content_creators).where(content_creators.c.org_id == org_id)
                                       .values(followers=content_creators.c.followers + by))

    async def is_following(self, user_id: UserId, org_id: int) -> bool:
        row = (await self._connection.execute(select(func.count()).select_from(content_follows).where(
            content_follows.c.user_id == user_id, content_follows.c.org_id == org_id))).scalar_one()
        return bool(row)

    async def following(self, user_id: UserId) -> list[int]:
        query = (select(content_follows.c.org_id).where(content_follows.c.user_id == user_id)
                 .order_by(content_follows.c.created_at.desc()))
        return list((await self._connection.execute(query)).scalars())

    async def followers_after(self, org_id: int, after_user_id: UserId, *, limit: int) -> list[tuple[int, bool]]:
        query = (select(content_follows.c.user_id, content_follows.c.muted)
                 .where(and_(content_follows.c.org_id == org_id, content_follows.c.user_id > after_user_id))
                 .order_by(content_follows.c.user_id).limit(limit))
        return [(row.user_id, row.muted) for row in await self._connection.execute(query)]

    async def set_muted(self, user_id: UserId, org_id: int, muted: bool) -> bool:
        result = await self._connection.execute(update(content_follows).where(
            content_follows.c.user_id == user_id, content_follows.c.org_id == org_id).values(muted=muted))
        return result.rowcount == 1
