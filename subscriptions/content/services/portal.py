"""The portal: boards, rankings and creators to follow, each list ten to a page; search; a creator's page."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from subscriptions.content import Content
from subscriptions.content.creators import CATEGORIES, Creator
from subscriptions.content.errors import UnknownCategory
from subscriptions.content.ports import PostSummary

SEARCH_WORDS_LIMIT = 100


class Listing(StrEnum):
    NEW = "new"
    POPULAR = "popular"
    BOARD = "board"
    CREATOR = "creator"
    SEARCH = "search"


@dataclass(frozen=True)
class Page:
    items: list[PostSummary]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 0


@dataclass(frozen=True)
class Home:
    categories: tuple[str, ...]
    new: list[PostSummary]
    popular: list[PostSummary]
    creators: list[Creator]


HOME_PREVIEW = 3


async def home(content: Content) -> Home:
    async with content.uow() as uow:
        new = await uow.portal.newest(offset=0, limit=HOME_PREVIEW)
        popular = await uow.portal.popular(offset=0, limit=HOME_PREVIEW)
        creators = await uow.creators.to_follow(offset=0, limit=HOME_PREVIEW)
    return Home(CATEGORIES, new, popular, creators)


async def listing(content: Content, kind: Listing, page: int, *, key: str = "") -> Page:
    """One page of a list: `key` is the board's category, the creator's organisation id or the search words."""
    size = content.settings.page_size
    page = max(0, page)
    offset, limit = page * size, size + 1
    async with content.uow() as uow:
        if kind is Listing.NEW:
            found = await uow.portal.newest(offset=offset, limit=limit)
        elif kind is Listing.POPULAR:
            found = await uow.portal.popular(offset=offset, limit=limit)
        elif kind is Listing.BOARD:
            if key not in CATEGORIES:
                raise UnknownCategory(key[:40])
            found = await uow.portal.in_category(key, offset=offset, limit=limit)
        elif kind is Listing.CREATOR:
            found = await uow.portal.by_creator(int(key), offset=offset, limit=limit)
        else:
            words = key.strip()[:SEARCH_WORDS_LIMIT]
            found = await uow.portal.search(words, offset=offset, limit=limit) if words else []
    return Page(found[:size], page, len(found) > size)


async def creators_to_follow(content: Content, page: int) -> tuple[list[Creator], bool]:
    size = content.settings.page_size
    async with content.uow() as uow:
        found = await uow.creators.to_follow(offset=max(0, page) * size, limit=size + 1)
    return found[:size], len(found) > size
