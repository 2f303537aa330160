"""A shop: its page (name, category, address, opening hours, phone, photo), its staff and its channel.

Opening hours are kept as one list of weekly intervals read from what the owner types, so "open now" is a
lookup in the shop's own time zone rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from subscriptions.shops.errors import InvalidOpeningHours, InvalidShopField, UnknownShopCategory

NAME_LIMIT = 64
ADDRESS_LIMIT = 200
PHONE_LIMIT = 24
HOURS_LIMIT = 200
CATEGORIES = ("cafe", "bakery", "restaurant", "bar", "beauty", "fitness", "bookstore", "other")
STAFF_LINK_LIFETIME = timedelta(hours=24)


class ShopStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Interval:
    """Open on `weekday` (0 Monday) from `opens` to `closes` minutes after midnight; `closes` may pass 24:00."""

    weekday: int
    opens: int
    closes: int


@dataclass(frozen=True)
class OpeningHours:
    intervals: tuple[Interval, ...]
    text: str  # as the owner wrote it, shown on the page

    def is_open(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        today, yesterday = local.weekday(), (local.weekday() - 1) % 7
        for interval in self.intervals:
            if interval.weekday == today and interval.opens <= minute < interval.closes:
                return True
            if interval.weekday == yesterday and minute + 24 * 60 < interval.closes:  # open past midnight
                return True
        return False


DAYS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6,
}
EVERY_DAY = ("daily", "every day", "everyday", "매일", "월-일", "mon-sun")
_TIMES = re.compile(r"(\d{1,2})[:.](\d{2})\s*[-~–]\s*(\d{1,2})[:.](\d{2})")


def parse_hours(text: str) -> OpeningHours:
    """"Mon-Fri 08:00-20:00, Sat-Sun 10:00-18:00", "매일 08:00-22:00", "08:00-20:00" (every day), "월-금 7:30-19:00"."""
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > HOURS_LIMIT:
        raise InvalidOpeningHours(text[:40])
    intervals: list[Interval] = []
    for part in re.split(r"[,;/\n]", cleaned):
        if part.strip():
            intervals += _segment(part.strip())
    if not intervals:
        raise InvalidOpeningHours(text[:40])
    return OpeningHours(tuple(intervals), cleaned)


def _segment(part: str) -> list[Interval]:
    found = _TIMES.search(part)
    if found is None:
        raise InvalidOpeningHours(part[:40])
    opens = _minutes(found.group(1), found.group(2))
    closes = _minutes(found.group(3), found.group(4))
    if closes <= opens:
        closes += 24 * 60  # closes after midnight
    if closes - opens > 24 * 60 or opens >= 24 * 60:
        raise InvalidOpeningHours(part[:40])
    days = _days(part[:found.start()].strip().lower())
    return [Interval(day, opens, closes) for day in days]


def _minutes(hours: str, minutes: str) -> int:
    hour, minute = int(hours), int(minutes)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise InvalidOpeningHours(f"{hours}:{minutes}")
    return hour * 60 + minute


def _days(words: str) -> list[int]:
    words = words.rstrip(":").strip()
    if not words or words in EVERY_DAY:
        return list(range(7))
    days: list[int] = []
    for piece in re.split(r"\s+|&|·", words):
        if not piece:
            continue
        first, _, last = piece.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        days += [(start + step) % 7 for step in range((end - start) % 7 + 1)]
    return days


def _day(word: str) -> int:
    word = word.strip().removesuffix("요일")
    key = word[:3] if word.isascii() else word[:1]
    if key not in DAYS:
        raise InvalidOpeningHours(word[:12])
    return DAYS[key]


@dataclass(frozen=True)
class Channel:
    """The shop's Telegram channel, linked by its owner where the bot may post."""

    chat_id: int
    title: str
    username: str | None = None


@dataclass(frozen=True)
class Shop:
    org_id: int  # the shop organisation (kind "shop")
    name: str
    category: str
    address: str
    hours: OpeningHours
    phone: str
    owner_id: int
    timezone: str
    created_at: datetime
    photo_file_id: str | None = None
    channel: Channel | None = None
    followers: int = 0
    status: ShopStatus = ShopStatus.ACTIVE
    broadcasts_suspended: bool = False
    gift_card_refund_days: int = 7  # an untouched gift card is refunded within this many days; 0: never
    version: int = 1

    @property
    def merchant_id(self) -> str:
        return str(self.org_id)

    @property
    def is_active(self) -> bool:
        return self.status is ShopStatus.ACTIVE

    def is_open(self, local: datetime) -> bool:
        return self.hours.is_open(local)


@dataclass(frozen=True)
class StaffInvite:
    code: str
    org_id: int
    created_by: int
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


def clean_field(text: str, limit: int, *, field: str, allow_empty: bool = False) -> str:
    cleaned = " ".join(text.split())
    if (not cleaned and not allow_empty) or len(cleaned) > limit:
        raise InvalidShopField(field)
    return cleaned


def clean_phone(text: str) -> str:
    cleaned = clean_field(text, PHONE_LIMIT, field="phone")
    if not re.fullmatch(r"\+?[0-9][0-9 ()-]{5,22}", cleaned):
        raise InvalidShopField("phone")
    return cleaned


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UnknownShopCategory(category[:24])
    return category


def local_time(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)
