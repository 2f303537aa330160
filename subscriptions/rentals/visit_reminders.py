"""The visit tomorrow: "Cleaning tomorrow 10:00, technician Park", the evening before (18:00 in the brand's zone,
or at once for a visit moved to tomorrow later than that), once per visit. A pure rule over the visit (see
`subscriptions.reminders`); storage finds the subjects with the names the message shows, the text is the
handlers'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.reminders import DueWindow, Reminder
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.visits import FieldVisit, VisitStatus, local_day

VISIT_TOMORROW = "rental_visit_tomorrow"
EVENING = time(18, 0)
REACH = timedelta(hours=30)  # from 18:00 the day before to the end of the visit's day


@dataclass(frozen=True, slots=True)
class VisitTomorrow:
    timezone: str = "Asia/Seoul"
    name: str = VISIT_TOMORROW
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("rental_visit", "scheduled_at", now, now + REACH, (VisitStatus.SCHEDULED.value,))

    def due_at(self, visit: FieldVisit) -> datetime:
        day_before = local_day(visit.scheduled_at, self.timezone) - timedelta(days=1)
        return require_aware(datetime.combine(day_before, EVENING, tzinfo=zone(self.timezone)))

    def reminders_for(self, subject: FieldVisit, now: datetime) -> list[Reminder]:
        due = self.due_at(subject)
        now = require_aware(now)
        if not subject.is_open or now < due or now >= subject.scheduled_at:
            return []
        return [Reminder(self.name, subject.id, subject.occurrence, subject.customer_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: FieldVisit, now: datetime) -> bool:
        return not subject.is_open or require_aware(now) >= subject.scheduled_at


@dataclass(frozen=True)
class VisitWithNames:
    """A visit with what its reminder shows: the product's name and the technician's."""

    item: FieldVisit
    product: LocalText
    technician: LocalText | None  # None until one is given
    skippable: bool = False  # the plan lets the customer skip it

    @property
    def id(self) -> str:
        return self.item.id
