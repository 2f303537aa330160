"""When a creator wants a post out, as they type it in their own zone: "07:00" (the next 07:00), "today 18:30",
"tomorrow 07:00" ("오늘", "내일" too) or "2026-12-03 07:00". Read here, answered as an aware UTC moment.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from subscriptions.content.errors import ContentError
from subscriptions.numbers import whole_number

DEFAULT_ZONE = "Asia/Seoul"
_CLOCK = r"([0-9]{1,2}):([0-9]{2})"
_RELATIVE = re.compile(rf"(today|tomorrow|오늘|내일)?\s*{_CLOCK}")
_DATED = re.compile(rf"([0-9]{{4}})-([0-9]{{1,2}})-([0-9]{{1,2}})\s+{_CLOCK}")
_DAYS_AHEAD = {"today": 0, "오늘": 0, "tomorrow": 1, "내일": 1}


class UnreadableTime(ContentError):
    """Not a time we read: the creator is shown the forms that work."""

    code = "unreadable_time"


def zone_of(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _clock(hour_text: str, minute_text: str, typed: str) -> time:
    hour, minute = whole_number(hour_text, highest=23), whole_number(minute_text, highest=59)
    if hour is None or minute is None:
        raise UnreadableTime(typed[:40])
    return time(hour, minute)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # fold=0: in a repeated hour of a zone that changes its clocks, the first of the two.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def parse_publish_time(text: str, timezone: str | None, now: datetime) -> datetime:
    """The moment `text` names in `timezone`, in UTC. A bare clock time is the next one to come; whether the
    moment is in the future at all is the schedule's check (`posts.check_schedule`), not this one's."""
    typed = " ".join(text.strip().lower().split())
    zone = zone_of(timezone)
    today = now.astimezone(zone).date()
    dated = _DATED.fullmatch(typed)
    if dated:
        year, month, day = (whole_number(part) for part in dated.groups()[:3])
        try:
            found = date(year or 0, month or 0, day or 0)
        except ValueError:
            raise UnreadableTime(typed[:40]) from None
        return _at(found, _clock(dated.group(4), dated.group(5), typed), zone)
    relative = _RELATIVE.fullmatch(typed)
    if relative is None:
        raise UnreadableTime(typed[:40])
    word, clock = relative.group(1), _clock(relative.group(2), relative.group(3), typed)
    if word is not None:
        return _at(today + timedelta(days=_DAYS_AHEAD[word]), clock, zone)
    moment = _at(today, clock, zone)
    return moment if moment > now else _at(today + timedelta(days=1), clock, zone)
