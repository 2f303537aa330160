"""The daily digest: a reminder kind for platform admins, due at the digest hour (09:00) of each admin's own day.

Its period is the admin's local date, so the reminders table records it once a day whatever the number of
workers, ticks or restarts; a digest still unsent when the admin's day is over is stale (yesterday's news).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from subscriptions.billing_calendar import zone
from subscriptions.reminders import DueWindow, Reminder
from subscriptions.stats.service import Chart, DigestFigures

DIGEST = "daily_digest"


@dataclass(frozen=True, slots=True)
class DigestReader:
    """A platform admin, with (once it is being written) the figures of the day before and the chart."""

    user_id: int
    timezone: str
    figures: DigestFigures | None = None
    chart: Chart | None = None


@dataclass(frozen=True)
class DailyDigest:
    hour: int = 9
    name: str = DIGEST
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        """Every platform admin: the source lists them all (a handful), each decides by their own clock."""
        return DueWindow("platform_admin", "digest_hour", now - timedelta(days=1), now, ("platform_admin",))

    def reminders_for(self, subject: DigestReader, now: datetime) -> list[Reminder]:
        local = now.astimezone(zone(subject.timezone))
        due = datetime.combine(local.date(), time(self.hour), tzinfo=zone(subject.timezone))
        if local < due:
            return []
        return [Reminder(self.name, str(subject.user_id), local.date().isoformat(), subject.user_id,
                         due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: DigestReader, now: datetime) -> bool:
        return now.astimezone(zone(subject.timezone)).date() != date.fromisoformat(reminder.period_key)

    def reported_day(self, reminder: Reminder) -> date:
        """The digest of a day reports the day before."""
        return date.fromisoformat(reminder.period_key) - timedelta(days=1)
