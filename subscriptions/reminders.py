"""What is due: reminder kinds, the reminders they yield, staleness, and quiet hours.

Each kind says three things, all pure:
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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.errors import UnknownReminderKind
from subscriptions.gifts import Gift, GiftStatus
from subscriptions.subscription import DunningPolicy, Status, Subscription

S_contra = TypeVar("S_contra", contravariant=True)


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: str
    subject_id: str
    period_key: str
    user_id: str
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


@dataclass(frozen=True, slots=True)
class RenewalUpcoming:
    """"Your pass renews on Dec 25" some days before the term ends (card and Stars alike)."""

    lead: timedelta = timedelta(days=3)
    name: str = "renewal_upcoming"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("subscription", "term_end", now, now + self.lead, (Status.ACTIVE.value,))

    def reminders_for(self, subject: Subscription, now: datetime) -> list[Reminder]:
        due = subject.term.end - self.lead
        if subject.status is not Status.ACTIVE or subject.cancel_at_period_end or require_aware(now) < due:
            return []
        key = str(subject.term.number + 1)
        return [Reminder(self.name, subject.id, key, subject.user_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Subscription, now: datetime) -> bool:
        return (
            subject.status is not Status.ACTIVE
            or subject.cancel_at_period_end
            or subject.term.number + 1 != int(reminder.period_key)
            or require_aware(now) >= subject.term.end
        )


@dataclass(frozen=True, slots=True)
class TrialEnding:
    lead: timedelta = timedelta(days=3)
    name: str = "trial_ending"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("subscription", "term_end", now, now + self.lead, (Status.TRIALING.value,))

    def reminders_for(self, subject: Subscription, now: datetime) -> list[Reminder]:
        due = subject.term.end - self.lead
        if subject.status is not Status.TRIALING or require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, "trial", subject.user_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Subscription, now: datetime) -> bool:
        return subject.status is not Status.TRIALING or require_aware(now) >= subject.term.end


@dataclass(frozen=True, slots=True)
class PaymentDue:
    """A card subscription's renewal invoice is due: its term ends within `lead` and is unpaid."""

    lead: timedelta = timedelta(days=1)
    providers: tuple[str, ...] = ("card",)
    name: str = "payment_due"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        statuses = (Status.ACTIVE.value, Status.TRIALING.value)
        return DueWindow("subscription", "term_end", now, now + self.lead, statuses)

    def reminders_for(self, subject: Subscription, now: datetime) -> list[Reminder]:
        due = subject.term.end - self.lead
        if self.is_closed(subject) or require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, str(subject.term.number + 1), subject.user_id, due, self.urgent)]

    def is_closed(self, subject: Subscription) -> bool:
        live = subject.status in (Status.ACTIVE, Status.TRIALING)
        return not live or subject.cancel_at_period_end or subject.provider not in self.providers

    def is_stale(self, reminder: Reminder, subject: Subscription, now: datetime) -> bool:
        return (
            self.is_closed(subject)
            or subject.term.number + 1 != int(reminder.period_key)
            or require_aware(now) >= subject.term.end
        )


@dataclass(frozen=True, slots=True)
class DunningStep:
    """After a missed payment: reminders at each step of the dunning policy (+1, +3, +7 days)."""

    policy: DunningPolicy = field(default_factory=DunningPolicy)
    name: str = "dunning"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        reach = timedelta(days=max(self.policy.steps_days, default=0) + 1)
        statuses = (Status.PAST_DUE.value, Status.SUSPENDED.value)
        return DueWindow("subscription", "past_due_since", now - reach, now, statuses)

    def _due(self, subject: Subscription) -> list[tuple[int, datetime]]:
        if subject.past_due_since is None:
            return []
        return [(days, subject.past_due_since + timedelta(days=days)) for days in self.policy.steps_days]

    def reminders_for(self, subject: Subscription, now: datetime) -> list[Reminder]:
        now = require_aware(now)
        found = []
        for days, due in self._due(subject):
            if due <= now:
                key = f"{subject.term.number + 1}:{days}"
                found.append(Reminder(self.name, subject.id, key, subject.user_id, due, self.urgent))
        return [r for r in found if not self.is_stale(r, subject, now)]

    def is_stale(self, reminder: Reminder, subject: Subscription, now: datetime) -> bool:
        if subject.status not in (Status.PAST_DUE, Status.SUSPENDED):
            return True
        term_key, _, days = reminder.period_key.partition(":")
        if int(term_key) != subject.term.number + 1:
            return True
        # A later step already due supersedes this one: send only the newest.
        later = [due for step, due in self._due(subject) if step > int(days) and due <= require_aware(now)]
        return bool(later)


@dataclass(frozen=True, slots=True)
class GiftExpiring:
    lead: timedelta = timedelta(days=3)
    name: str = "gift_expiring"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("gift", "expires_at", now, now + self.lead, (GiftStatus.UNCLAIMED.value,))

    def reminders_for(self, subject: Gift, now: datetime) -> list[Reminder]:
        due = subject.expires_at - self.lead
        if subject.status is not GiftStatus.UNCLAIMED or require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, "expiry", subject.buyer_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Gift, now: datetime) -> bool:
        return subject.status is not GiftStatus.UNCLAIMED or require_aware(now) >= subject.expires_at


class ReminderRegistry:
    """Kinds by name; later features register theirs (pass_expiring, rental_term_ending, ...)."""

    def __init__(self, kinds: Iterable[ReminderKind[Any]] = ()) -> None:
        self._kinds: dict[str, ReminderKind[Any]] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: ReminderKind[Any]) -> None:
        self._kinds[kind.name] = kind

    def get(self, name: str) -> ReminderKind[Any]:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownReminderKind(name) from None

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def for_subject(self, subject: str, now: datetime) -> list[ReminderKind[Any]]:
        """Kinds whose window looks at subjects of type `subject` ("subscription", "gift")."""
        return [kind for kind in self._kinds.values() if kind.window(now).subject == subject]


def default_registry(dunning: DunningPolicy | None = None) -> ReminderRegistry:
    return ReminderRegistry(
        [
            RenewalUpcoming(),
            PaymentDue(),
            DunningStep(dunning or DunningPolicy()),
            TrialEnding(),
            GiftExpiring(),
        ]
    )


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
