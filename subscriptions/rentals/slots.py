"""Installation slots: a brand's calendar per region, each slot with a capacity (how many installations its
technicians can do then). An application holds a place for 15 minutes while the applicant reads and signs
the contract; signing confirms it; an expired hold is free again and cannot be confirmed. Each slot names the
technician who goes (the customer is told the day before). For a service
(cleaning) the same calendar is the technicians' capacity: a service is rentable where a place is free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from subscriptions.billing_calendar import require_aware, zone

HOLD_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    brand_id: int
    region: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    technician: str = ""  # who installs (a name the customer is told); empty when the brand has not said


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    slot: Slot
    free: int


@dataclass(frozen=True, slots=True)
class SlotHold:
    slot_id: str
    application_id: str
    held_until: datetime
    confirmed: bool = False

    def is_live(self, now: datetime) -> bool:
        return self.confirmed or require_aware(now) < self.held_until


def week_of_slots(ids: list[str], brand_id: int, region: str, first_day: datetime, timezone: str,
                  hours: tuple[int, ...] = (10, 14, 17), capacity: int = 2,
                  length: timedelta = timedelta(hours=2), technicians: tuple[str, ...] = ()) -> list[Slot]:
    """Seven days of slots from `first_day`'s local date at `hours` local time (ids taken in order), the
    `technicians` taking them in turn."""
    local: ZoneInfo = zone(timezone)
    start_day = require_aware(first_day).astimezone(local).date()
    starts = [datetime.combine(start_day + timedelta(days=day), time(hour), tzinfo=local)
              for day in range(7) for hour in hours]
    return [Slot(slot_id, brand_id, region, require_aware(start), require_aware(start + length), capacity,
                 technicians[index % len(technicians)] if technicians else "")
            for index, (slot_id, start) in enumerate(zip(ids, starts, strict=False))]
