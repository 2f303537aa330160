"""Posts: a title, a body with Telegram's formatting entities, photos and documents, and who may read it.

Text lengths are counted as Telegram counts entity offsets, in UTF-16 code units. A body longer than one
message is read in pages of at most `PAGE_LIMIT` units, cut at a paragraph, line or word boundary, with the
entities cut and shifted to each page. User text is never parsed as markup: formatting travels as entities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from subscriptions.content.errors import InvalidPost, InvalidSchedule
from subscriptions.money import STARS, Money

TITLE_LIMIT = 200
BODY_LIMIT = 40_000  # ten pages
PAGE_LIMIT = 4096  # Telegram's limit on a message's text
CAPTION_LIMIT = 1024  # and on a photo's caption
PHOTO_LIMIT = 10  # a media group holds at most ten
DOCUMENT_LIMIT = 5
TEASER_LIMIT = 300
SCHEDULE_HORIZON = timedelta(days=365)
STARS_ITEM_RANGE = (1, 10_000)
DOCUMENT_TYPES = frozenset({"application/pdf", "application/zip", "application/epub+zip", "text/plain",
                            "audio/mpeg", "audio/mp4", "image/png", "image/jpeg"})
# Entity kinds we keep; anything else (a bot command, a mention Telegram adds) is plain text in a post.
KEPT_ENTITIES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
                           "text_link", "url", "blockquote", "expandable_blockquote", "custom_emoji"})


class Audience(StrEnum):
    EVERYONE = "everyone"
    TIERS = "tiers"  # subscribers of the chosen tiers
    PAID = "paid"  # sold alone (and open to the chosen tiers too, if any)


class PostStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    DELETED = "deleted"


@dataclass(frozen=True)
class Entity:
    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        return cls(str(data["type"]), int(data["offset"]), int(data["length"]), data.get("url"),
                   data.get("language"), data.get("custom_emoji_id"))


@dataclass(frozen=True)
class Document:
    file_id: str
    file_name: str
    mime_type: str


@dataclass(frozen=True)
class Access:
    """Who reads a post in full. A paid post has a price in KRW, in Stars, or both."""

    audience: Audience = Audience.EVERYONE
    tier_ids: tuple[str, ...] = ()
    prices: tuple[Money, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.audience is Audience.EVERYONE

    def price_in(self, currency: str) -> Money | None:
        return next((price for price in self.prices if price.currency == currency), None)


@dataclass(frozen=True)
class Post:
    id: str
    org_id: int
    category: str
    title: str
    body: str
    created_at: datetime
    entities: tuple[Entity, ...] = ()
    photos: tuple[str, ...] = ()  # Telegram file ids, largest size
    documents: tuple[Document, ...] = ()
    access: Access = field(default_factory=Access)
    status: PostStatus = PostStatus.DRAFT
    taken_down: bool = False
    publish_at: datetime | None = None
    published_at: datetime | None = None
    edited_at: datetime | None = None
    teaser_photo: str | None = None  # the blurred cover, uploaded once
    reads: int = 0
    unlocks: int = 0
    tips: int = 0
    hot: float = 0.0
    version: int = 1

    @property
    def is_listed(self) -> bool:
        return self.status is PostStatus.PUBLISHED and not self.taken_down

    @property
    def is_editable(self) -> bool:
        return self.status not in {PostStatus.DELETED}

    def teaser(self) -> tuple[str, tuple[Entity, ...]]:
        """The first paragraph, at most `TEASER_LIMIT` units, with its entities."""
        end = self.body.find("\n\n")
        paragraph = self.body if end < 0 else self.body[:end]
        text = cut_units(paragraph, TEASER_LIMIT)
        if len(text) < len(paragraph):
            text = text.rstrip() + "…"
        return text, clip_entities(self.entities, 0, utf16_len(text))

    def published(self, now: datetime) -> Post:
        return replace(self, status=PostStatus.PUBLISHED, published_at=self.published_at or now,
                       publish_at=None, version=self.version + 1)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_units(text: str, units: int) -> str:
    """The longest prefix of `text` of at most `units` UTF-16 units (never half a surrogate pair)."""
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return text[:index]
    return text


def clip_entities(entities: Sequence[Entity], start: int, end: int) -> tuple[Entity, ...]:
    """The entities inside [start, end) in UTF-16 units, cut at the edges and shifted to start at 0."""
    out = []
    for entity in entities:
        low, high = max(entity.offset, start), min(entity.offset + entity.length, end)
        if high > low:
            out.append(replace(entity, offset=low - start, length=high - low))
    return tuple(out)


def shift_entities(entities: Sequence[Entity], by: int) -> tuple[Entity, ...]:
    return tuple(replace(entity, offset=entity.offset + by) for entity in entities)


def _break_at(text: str, units: int) -> int:
    """Where to end a page of at most `units` units: after a paragraph, else a line, else a space."""
    head = cut_units(text, units)
    if len(head) == len(text):
        return len(text)
    for mark in ("\n\n", "\n", " "):
        at = head.rfind(mark)
        if at > len(head) // 2:
            return at + len(mark)
    return len(head)


def pages(text: str, entities: Sequence[Entity], limit: int = PAGE_LIMIT) -> list[tuple[str, tuple[Entity, ...]]]:
    """`text` in pages of at most `limit` UTF-16 units, each with its own entities."""
    out: list[tuple[str, tuple[Entity, ...]]] = []
    rest, offset = text, 0
    while rest:
        end = _break_at(rest, limit)
        page = rest[:end]
        size = utf16_len(page)
        out.append((page.rstrip("\n"), clip_entities(entities, offset, offset + utf16_len(page.rstrip("\n")))))
        rest, offset = rest[end:], offset + size
    return out or [("", ())]


def kept_entities(raw: Sequence[Mapping[str, Any]], text: str) -> tuple[Entity, ...]:
    """The formatting entities of a message worth keeping, inside the text's bounds."""
    size = utf16_len(text)
    out = []
    for data in raw:
        entity = Entity.from_dict(data)
        if entity.type in KEPT_ENTITIES and entity.length > 0 and 0 <= entity.offset < size:
            out.append(replace(entity, length=min(entity.length, size - entity.offset)))
    return tuple(out)


def check_title(title: str) -> str:
    value = " ".join(title.split())
    if not value or len(value) > TITLE_LIMIT:
        raise InvalidPost("title")
    return value


def check_body(body: str) -> str:
    if not body.strip() or utf16_len(body) > BODY_LIMIT:
        raise InvalidPost("body")
    return body


def check_document(document: Document, count: int) -> Document:
    if count >= DOCUMENT_LIMIT:
        raise InvalidPost("documents")
    if document.mime_type not in DOCUMENT_TYPES:
        raise InvalidPost("file_type")
    return document


def check_photo_count(count: int) -> None:
    if count >= PHOTO_LIMIT:
        raise InvalidPost("photos")


def check_item_price(price: Money) -> Money:
    """A post sold alone: Stars 1-10,000 (Telegram's range for one item), any positive amount otherwise."""
    if not price.is_positive:
        raise InvalidPost("price")
    if price.currency == STARS and not STARS_ITEM_RANGE[0] <= price.amount_minor <= STARS_ITEM_RANGE[1]:
        raise InvalidPost("price")
    return price


def check_schedule(at: datetime, now: datetime) -> datetime:
    if at <= now or at - now > SCHEDULE_HORIZON:
        raise InvalidSchedule(at.isoformat())
    return at
