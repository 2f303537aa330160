"""Billing's reminder kinds: a renewal coming, a trial ending, dunning after a missed payment, and a gift
nobody has claimed yet. Pure rules over the domain's aggregates (see `subscriptions.reminders` for what a
kind says)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from subscriptions.billing.gifts import Gift, GiftStatus
from subscriptions.billing.subscription import DunningPolicy, Status, Subscription
from subscriptions.billing_calendar import require_aware
from subscriptions.money import Money
from subscriptions.reminders import DueWindow, Reminder


@dataclass(frozen=True, slots=True)
class RenewalUpcoming:
    """"Your pass renews on Dec 25" some days before the term ends (card and Stars alike); none before the
    last term of a fixed term ends, as nothing follows it."""

    lead: timedelta = timedelta(days=3)
    name: str = "renewal_upcoming"
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("subscription", "term_end", now, now + self.lead, (Status.ACTIVE.value,))

    def reminders_for(self, subject: Subscription, now: datetime) -> list[Reminder]:
        due = subject.term.end - self.lead
        if (subject.status is not Status.ACTIVE or subject.cancel_at_period_end or subject.in_last_term
                or require_aware(now) < due):
            return []
        key = str(subject.term.number + 1)
        return [Reminder(self.name, subject.id, key, subject.user_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Subscription, now: datetime) -> bool:
        return (
            subject.status is not Status.ACTIVE
            or subject.cancel_at_period_end
            or subject.in_last_term
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


# --- with the names their messages show -----------------------------------------------------------------

T = TypeVar("T", Subscription, Gift)


@dataclass(frozen=True)
class Billed(Generic[T]):
    """A subscription or gift with the names its reminder shows."""

    item: T
    title: str
    price: Money | None

    @property
    def id(self) -> str:
        return self.item.id
