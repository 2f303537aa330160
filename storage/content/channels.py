"""Who was let into a paid tier's Telegram channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.content.tables import content_channel_members
from storage.metadata import as_utc
from subscriptions.content.channels import ChannelMember, Membership
from subscriptions.ids import UserId

members = content_channel_members


def _member(row: Any) -> ChannelMember:
    return ChannelMember(row.tier_id, row.user_id, row.chat_id, Membership(row.status), as_utc(row.updated_at))


class SqlChannelMembers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put(self, tier_id: str, user_id: UserId, chat_id: int, status: Membership, now: datetime) -> None:
        dialect = pg_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        statement = dialect(members).values(tier_id=tier_id, user_id=user_id, chat_id=chat_id,
                                            status=status.value, updated_at=now)
        await self._connection.execute(statement.on_conflict_do_update(
            index_elements=["tier_id", "user_id"],
            set_={"chat_id": chat_id, "status": status.value, "updated_at": now}))

    async def in_chat(self, chat_id: int, user_id: UserId) -> list[ChannelMember]:
        query = select(members).where(members.c.chat_id == chat_id, members.c.user_id == user_id)
        return [_member(row) for row in await self._connection.execute(query)]

    async def of_user(self, user_id: UserId, tier_ids: list[str]) -> list[ChannelMember]:
        if not tier_ids:
            return []
        query = select(members).where(members.c.user_id == user_id, members.c.tier_id.in_(tier_ids))
        return [_member(row) for row in await self._connection.execute(query)]

    async def set_status(self, tier_id: str, user_id: UserId, status: Membership, now: datetime) -> None:
        await self._connection.execute(update(members).where(members.c.tier_id == tier_id, members.c.user_id == user_id)
                                       .values(status=status.value, updated_at=now))
