"""What is due: reminder kinds, the reminders they yield, staleness, and quiet hours.

Each domain's kinds (billing's renewal, trial, dunning and gift kinds in `subscriptions.billing.reminders`)
say three things, all pure:
- `window(now)`: which subjects to look at, as a range on one of the subject's instants (storage
  runs that as a batched query, e.g. "active subscriptions whose term ends within three days");
- `reminders_for(subject, now)`: the reminders due by `now`, each keyed uniquely by
  (kind, subject id, period key) so a reminder is recorded once however often the clock ticks;
- `is_stale(reminder, subject, now)`: whether a recorded reminder no longer makes sense (the
  subscription was renewed, the gift claimed, a later dunning step superseded it).

Non-urgent reminders wait out the user's quiet hours (default 22:00-08:00 local time).
A bot that was down overnight catches up: windows reach back to what is still relevant, and
stale reminders are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Generic, Protocol, TypeVar

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.ids import UserId

S_contra = TypeVar("S_contra", contravariant=True)
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: str
    subject_id: str
    period_key: str
    user_id: UserId
    due_at: datetime
    urgent: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_id, self.period_key)


@dataclass(frozen=True, slots=True)
class DueWindow:
    """Subjects of type `subject` whose `instant` lies in [not_before, not_after] and status in `statuses`."""

    subject: str  # "subscription", "gift", ...
    instant: str  # the subject's field the range applies to: "term_end", "past_due_since", "expires_at"
    not_before: datetime
    not_after: datetime
    statuses: tuple[str, ...]


class ReminderKind(Protocol[S_contra]):
    @property
    def name(self) -> str: ...

    @property
    def urgent(self) -> bool: ...

    def window(self, now: datetime) -> DueWindow: ...

    def reminders_for(self, subject: S_contra, now: datetime) -> list[Reminder]: ...

    def is_stale(self, reminder: Reminder, subject: S_contra, now: datetime) -> bool: ...


S_co = TypeVar("S_co", covariant=True)


class Carrying(Protocol[S_co]):
    """A subject with what its reminder shows beside it (a title, a product's name); `item` is the kind's own."""

    @property
    def item(self) -> S_co: ...


@dataclass(frozen=True)
class OverCarried(Generic[S]):
    """A reminder kind whose subjects arrive carrying extra words for the text: the kind's rules, unchanged, applied
    to each subject's `item`."""

    kind: ReminderKind[S]

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def urgent(self) -> bool:
        return self.kind.urgent

    def window(self, now: datetime) -> DueWindow:
        return self.kind.window(now)

    def reminders_for(self, subject: Carrying[S], now: datetime) -> list[Reminder]:
        return self.kind.reminders_for(subject.item, now)

    def is_stale(self, reminder: Reminder, subject: Carrying[S], now: datetime) -> bool:
        return self.kind.is_stale(reminder, subject.item, now)


@dataclass(frozen=True)
class Page(Generic[S]):
    """One batch of a kind's subjects and the cursor after it (None: that was the last batch)."""

    subjects: list[S]
    cursor: object | None


class SubjectSource(Protocol[S]):
    """Where a kind's subjects are stored (storage implements one per kind): a batched query over the kind's
    window, walked by a cursor, and a lookup by id. `uow` is storage's unit of work."""

    def subject_id(self, subject: S) -> str: ...

    async def due(self, uow: Any, window: DueWindow, after: object | None, limit: int) -> Page[S]: ...

    async def load(self, uow: Any, subject_ids: Sequence[str]) -> dict[str, S]: ...


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours [start, end) during which non-urgent messages wait; the span may cross midnight."""

    start: time = time(22, 0)
    end: time = time(8, 0)

    def is_quiet(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def send_at(self, due: datetime, timezone: str, urgent: bool = False) -> datetime:
        """When a message due at `due` may go out to a user in `timezone` (UTC instant)."""
        due = require_aware(due)
        local = due.astimezone(zone(timezone))
        if urgent or not self.is_quiet(local.time().replace(tzinfo=None)):
            return due
        day = local.date() if local.time().replace(tzinfo=None) < self.end else local.date() + timedelta(days=1)
        opening = datetime.combine(day, self.end, tzinfo=zone(timezone))
        return require_aware(opening)
