"""Whom a person follows: their /following, newest follow first, a page at a time."""

from __future__ import annotations

from subscriptions.content import Content
from subscriptions.content.creators import Creator
from subscriptions.ids import UserId


async def followed(content: Content, user_id: UserId, page: int) -> tuple[list[Creator], bool]:
    """One page of the creators `user_id` follows, and whether another page follows."""
    size = content.settings.page_size
    start = max(0, page) * size
    async with content.uow() as uow:
        org_ids = await uow.follows.following(user_id)
        found = [await uow.creators.get(org_id) for org_id in org_ids[start:start + size]]
    return [creator for creator in found if creator is not None], len(org_ids) > start + size
