"""Curators' shelves and the attribution that pays them.

Anyone curates shelves: collections of posts by any creators, each item with its own note. A shelf is public (its
`shelf_<id>` link, the portal's picks) and only its curator changes it. A reader who opens a post from a shelf
leaves a touch on the post's creator: the last shelf that brought them there. A subscription or purchase within
the attribution window after the touch credits that shelf's curator, never the reader themself nor the creator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.content.errors import InvalidShelf

TITLE_LIMIT = 100
NOTE_LIMIT = 500
ITEM_NOTE_LIMIT = 300
ITEM_LIMIT = 100  # posts on one shelf
SHELF_LIMIT = 50  # live shelves of one curator
ID_BYTES = 12  # a shelf's id: 96 random bits, 16 characters that fit a deep link and a button
CHART_WEEKS = 12
RECENT = timedelta(days=30)


class ShelfStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


class ConversionKind(StrEnum):
    SUBSCRIPTION = "subscription"
    PURCHASE = "purchase"
    TIP = "tip"


@dataclass(frozen=True)
class Shelf:
    id: str
    curator_id: int
    title: str
    note: str
    created_at: datetime
    updated_at: datetime
    status: ShelfStatus = ShelfStatus.ACTIVE
    picked: bool = True  # among the portal's curators' picks
    clicks: int = 0
    version: int = 1

    @property
    def is_active(self) -> bool:
        return self.status is ShelfStatus.ACTIVE


@dataclass(frozen=True)
class ShelfItem:
    shelf_id: str
    post_id: str
    note: str
    position: int
    added_at: datetime


@dataclass(frozen=True)
class Touch:
    """The last shelf that brought `user_id` to the creator `org_id`."""

    user_id: int
    org_id: int
    shelf_id: str
    curator_id: int
    touched_at: datetime

    def credits(self, now: datetime, window: timedelta, *, creator_owner_id: int) -> bool:
        """Whether a subscription or purchase at `now` earns the curator: within the window, and never the
        curator's own (their own subscription, or a shelf of their own creator page's posts)."""
        if self.curator_id in {self.user_id, creator_owner_id}:
            return False
        return self.touched_at <= now <= self.touched_at + window


@dataclass(frozen=True)
class Conversion:
    id: str
    curator_id: int
    shelf_id: str
    org_id: int
    user_id: int
    kind: ConversionKind
    reference: str  # the subscription or payment it credited
    at: datetime


def clean_text(text: str, limit: int, *, field: str, allow_empty: bool = False) -> str:
    """A title on one line, a note as typed; refused when empty (unless allowed) or too long."""
    value = " ".join(text.split()) if field == "title" else text.strip()
    if (not value and not allow_empty) or len(value) > limit:
        raise InvalidShelf(field)
    return value


def check_title(text: str) -> str:
    return clean_text(text, TITLE_LIMIT, field="title")


def check_note(text: str) -> str:
    return clean_text(text, NOTE_LIMIT, field="note", allow_empty=True)


def check_item_note(text: str) -> str:
    return clean_text(text, ITEM_NOTE_LIMIT, field="item_note", allow_empty=True)


def moved(items: Sequence[ShelfItem], post_id: str, by: int) -> list[ShelfItem]:
    """The items with `post_id` moved `by` places (-1 up, +1 down), numbered again from 0; the same order when
    it is already at that end."""
    order = [item.post_id for item in items]
    if post_id not in order:
        raise InvalidShelf("item")
    at = order.index(post_id)
    to = min(max(at + by, 0), len(order) - 1)
    order.insert(to, order.pop(at))
    by_post = {item.post_id: item for item in items}
    return [ShelfItem(item.shelf_id, item.post_id, item.note, index, item.added_at)
            for index, item in enumerate(by_post[post] for post in order)]


@dataclass(frozen=True)
class Week:
    start: datetime
    conversions: int
    earned: dict[str, int]  # minor units per currency


def weekly(now: datetime, conversions: Iterable[datetime], earnings: Iterable[tuple[datetime, str, int]],
           weeks: int = CHART_WEEKS) -> list[Week]:
    """Conversions and earnings in the `weeks` seven-day spans that end now, the oldest first."""
    first = now - timedelta(days=7 * weeks)

    def index(at: datetime) -> int | None:
        if at < first or at > now:
            return None
        return min(int((at - first) / timedelta(days=7)), weeks - 1)

    counts = [0] * weeks
    earned: list[dict[str, int]] = [{} for _ in range(weeks)]
    for at in conversions:
        found = index(at)
        if found is not None:
            counts[found] += 1
    for at, currency, amount in earnings:
        found = index(at)
        if found is not None:
            earned[found][currency] = earned[found].get(currency, 0) + amount
    return [Week(first + timedelta(days=7 * number), counts[number], earned[number]) for number in range(weeks)]
