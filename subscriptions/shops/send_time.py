"""Reading when an owner wants a broadcast sent: "18:00" (today, or tomorrow once passed), "tomorrow 09:00",
"2026-12-24 10:00", in the shop's time zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from subscriptions.shops.errors import InvalidSchedule

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
TOMORROW = ("tomorrow", "내일")


def read_send_time(text: str, *, now: datetime, timezone: str) -> datetime:
    cleaned = " ".join(text.lower().split())
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    dated = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2})[:.](\d{2})", cleaned)
    try:
        if dated:
            year, month, day, hour, minute = (int(part) for part in dated.groups())
            moment = datetime(year, month, day, hour, minute, tzinfo=zone)
        else:
            found = _TIME.search(cleaned)
            rest = cleaned.replace(found.group(0), "").strip() if found else cleaned
            if found is None or rest not in ("", *TOMORROW):
                raise InvalidSchedule(text[:40])
            moment = local_now.replace(hour=int(found.group(1)), minute=int(found.group(2)), second=0,
                                       microsecond=0)
            if rest in TOMORROW or moment <= local_now:
                moment += timedelta(days=1)
    except ValueError:
        raise InvalidSchedule(text[:40]) from None
    return moment.astimezone(ZoneInfo("UTC"))
