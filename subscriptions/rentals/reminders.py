"""Rentals' reminder kinds: the installation tomorrow (its time and technician), an application left waiting
for the customer, and the term ending in 30 days (what happens then, by the plan). Pure rules over the domain's aggregates (see `subscriptions.reminders`); the rent's payment
reminders are billing's, the rent being a billing subscription.

Storage finds the subjects (`storage.rentals.reminders`), each with the product's name its message shows
(`Named`); the texts are the handlers'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from subscriptions.billing_calendar import require_aware
from subscriptions.reminders import DueWindow, Reminder
from subscriptions.rentals.applications import APPLICATION_LIFETIME, Application, ApplicationStatus, Step
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract, ContractStatus
from subscriptions.rentals.termination import term_end

INSTALLATION_TOMORROW = "rental_installation_tomorrow"
APPLICATION_WAITING = "rental_application_waiting"
# Steps where the application waits on the brand (a referral in its queue) or on nobody: no reminder.
NOT_THE_CUSTOMERS = frozenset({Step.REVIEW, Step.CONFIRMED})


@dataclass(frozen=True, slots=True)
class InstallationTomorrow:
    """"Installation tomorrow at 14:00, technician Park" a day before the booked slot, once per booked time (a
    rescheduled installation is reminded of again, the old reminder is stale)."""

    lead: timedelta = timedelta(days=1)
    name: str = INSTALLATION_TOMORROW
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("rental_contract", "installation_at", now, now + self.lead,
                         (ContractStatus.ACTIVE.value,))

    def reminders_for(self, subject: Contract, now: datetime) -> list[Reminder]:
        due = subject.installation_at - self.lead
        # A service has no unit: its first visit is reminded of as a visit (`visit_reminders`), with its buttons.
        if not subject.is_active or subject.installed_at is not None or subject.unit_id is None \
                or require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, subject.installation_at.isoformat(), subject.applicant_id, due,
                         self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Contract, now: datetime) -> bool:
        return (not subject.is_active or subject.installed_at is not None
                or reminder.period_key != subject.installation_at.isoformat()
                or require_aware(now) >= subject.installation_at)


@dataclass(frozen=True, slots=True)
class ApplicationWaiting:
    """An open application the customer has not touched for `idle` (a day), before it expires: once per idle
    stretch (a step taken later starts another)."""

    idle: timedelta = timedelta(hours=24)
    lifetime: timedelta = APPLICATION_LIFETIME
    name: str = APPLICATION_WAITING
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("rental_application", "updated_at", now - self.lifetime, now - self.idle,
                         (ApplicationStatus.OPEN.value,))

    def _touched(self, subject: Application) -> datetime:
        return subject.updated_at or subject.created_at

    def reminders_for(self, subject: Application, now: datetime) -> list[Reminder]:
        due = self._touched(subject) + self.idle
        if not subject.is_open(now) or subject.step in NOT_THE_CUSTOMERS or require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, self._touched(subject).isoformat(), subject.applicant_id, due,
                         self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Application, now: datetime) -> bool:
        return (not subject.is_open(now) or subject.step in NOT_THE_CUSTOMERS
                or reminder.period_key != self._touched(subject).isoformat())


T = TypeVar("T", Contract, Application)


@dataclass(frozen=True)
class Named(Generic[T]):
    """A contract or application with the product's name its reminder shows."""

    item: T
    product: LocalText

    @property
    def id(self) -> str:
        return self.item.id


TERM_ENDING = "rental_term_ending"


@dataclass(frozen=True, slots=True)
class TermEnding:
    """"Your term ends on Nov 27: the purifier becomes yours" 30 days before an installed contract's term ends,
    once per term end (a month-to-month contract is told once, before its fixed term runs out)."""

    lead: timedelta = timedelta(days=30)
    name: str = TERM_ENDING
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        now = require_aware(now)
        return DueWindow("rental_term_end", "ends_at", now, now + self.lead, (ContractStatus.ACTIVE.value,))

    def reminders_for(self, subject: Contract, now: datetime) -> list[Reminder]:
        if subject.status is not ContractStatus.ACTIVE or subject.installed_at is None:
            return []
        ends = term_end(subject)
        due = ends - self.lead
        if require_aware(now) < due:
            return []
        return [Reminder(self.name, subject.id, ends.isoformat(), subject.applicant_id, due, self.urgent)]

    def is_stale(self, reminder: Reminder, subject: Contract, now: datetime) -> bool:
        return (subject.status is not ContractStatus.ACTIVE or subject.installed_at is None
                or reminder.period_key != term_end(subject).isoformat() or require_aware(now) >= term_end(subject))
