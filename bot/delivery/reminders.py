"""The reminder scheduler: turns what is due into outbox rows, once per (kind, subject, period).

A kind is the subscriptions room's `ReminderKind` (what is due, and when a recorded reminder is stale),
registered here with the storage query that finds its subjects and the function that renders its message
(text and action buttons) in the user's language. Each sweep walks a kind's window in batches; each reminder
is recorded in the `reminders` table (unique per kind, subject and period, so restarts, catch-up after a night
down and a second worker never send one twice). Due reminders go to the outbox in the same transaction;
reminders that fall in the user's quiet hours are held and released when the hours end, after a second look
at staleness, mutes and blocks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Generic, Protocol, TypeVar

from bot.clock import Clock
from bot.delivery.messages import OutboundMessage
from bot.i18n import Translations, Translator
from storage.repositories.delivery import (
    PRIORITY_NORMAL,
    PRIORITY_URGENT,
    HeldReminder,
    NewOutboxRow,
    NewReminder,
    Recipient,
)
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.billing_calendar import zone
from subscriptions.errors import SubscriptionsError
from subscriptions.reminders import DueWindow, QuietHours, Reminder, ReminderKind

log = logging.getLogger(__name__)
S = TypeVar("S")


class ReminderKindTaken(Exception):
    """Two features registered reminder kinds with the same name."""


@dataclass(frozen=True)
class Page(Generic[S]):
    """One batch of subjects and the cursor after it (None: that was the last batch)."""

    subjects: list[S]
    cursor: object | None


class SubjectSource(Protocol[S]):
    """Where a kind's subjects are stored: a batched query over the kind's window, and a lookup by id."""

    def subject_id(self, subject: S) -> str: ...

    async def due(self, uow: UnitOfWork, window: DueWindow, after: object | None, limit: int) -> Page[S]: ...

    async def load(self, uow: UnitOfWork, subject_ids: Sequence[str]) -> dict[str, S]: ...


Render = Callable[[Reminder, S, Translator], OutboundMessage]


@dataclass(frozen=True)
class RegisteredKind(Generic[S]):
    kind: ReminderKind[S]
    source: SubjectSource[S]
    render: Render[S]
    label: str  # English msgid shown in /settings, e.g. N_("Renewal reminders")

    @property
    def name(self) -> str:
        return self.kind.name


@dataclass(frozen=True)
class SweepReport:
    recorded: int = 0
    queued: int = 0
    held: int = 0
    skipped: int = 0

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(self.recorded + other.recorded, self.queued + other.queued, self.held + other.held,
                           self.skipped + other.skipped)


@dataclass(frozen=True)
class Batch:
    """A batch's decisions, ready to write: its reminders' rows, and the message of each one to queue now."""

    rows: list[NewReminder]
    messages: dict[tuple[str, str, str], NewOutboxRow]


def reminder_key(kind: str, subject_id: str, period_key: str) -> str:
    return f"reminder:{kind}:{subject_id}:{period_key}"


def parse_clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


class ReminderCatalog:
    """Registered kinds by name. Later features add theirs: `catalog.register(kind, source, render, label)`."""

    def __init__(self) -> None:
        self._kinds: dict[str, RegisteredKind[Any]] = {}

    def register(self, kind: ReminderKind[S], source: SubjectSource[S], render: Render[S], label: str) -> None:
        if kind.name in self._kinds:
            raise ReminderKindTaken(kind.name)
        self._kinds[kind.name] = RegisteredKind(kind, source, render, label)

    def get(self, name: str) -> RegisteredKind[Any] | None:
        return self._kinds.get(name)

    def kinds(self) -> list[RegisteredKind[Any]]:
        return [self._kinds[name] for name in sorted(self._kinds)]


class ReminderScheduler:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        translations: Translations,
        catalog: ReminderCatalog,
        *,
        default_quiet: QuietHours,
        default_timezone: str,
        stale_after: timedelta,
        batch_size: int,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._translations = translations
        self.catalog = catalog
        self._default_quiet = default_quiet
        self._default_timezone = default_timezone
        self._stale_after = stale_after
        self._batch_size = batch_size

    async def sweep(self) -> SweepReport:
        """Record every reminder that is due in every kind's window; queue those outside quiet hours."""
        report = SweepReport()
        for registered in self.catalog.kinds():
            report += await self.sweep_kind(registered)
        report += await self.release_held()
        return report

    async def sweep_kind(self, registered: RegisteredKind[Any]) -> SweepReport:
        """Walk the kind's window a batch at a time: decide a batch while the next is read and the last written.

        Deciding (the domain, rendering) is Python's work; reading and writing are mostly the database's, each
        on a connection of its own. Overlapping them keeps both busy; at most one batch is read ahead and one
        being written, so memory stays flat however much is due.
        """
        now = self._clock.now()
        window = registered.kind.window(now)
        report = SweepReport()
        # Users seen earlier in this sweep: one with many subjects is looked up once, not once per page.
        known: dict[int, Recipient | None] = {}
        writing: asyncio.Task[SweepReport] | None = None
        reading: asyncio.Task[Page[Any]] | None = asyncio.create_task(self._read(registered, window, None))
        try:
            while reading is not None:
                page = await reading
                reading = None if page.cursor is None else asyncio.create_task(
                    self._read(registered, window, page.cursor))
                async with self._uow.reader() as reader:
                    batch = await self._decide_page(reader, registered, page.subjects, now, known)
                if writing is not None:
                    report += await writing
                writing = asyncio.create_task(self._write(batch, now)) if batch.rows else None
            if writing is not None:
                report += await writing
                writing = None
            return report
        finally:
            for task in (reading, writing):
                if task is not None:  # a step failed or the sweep was cancelled: the batch in flight still lands
                    await asyncio.wait([task])
                    if not task.cancelled() and task.exception() is not None:
                        log.warning("a reminder batch was not swept: %r", task.exception())

    async def _read(self, registered: RegisteredKind[Any], window: DueWindow, cursor: object | None) -> Page[Any]:
        """The batch of subjects after `cursor`, read outside any write transaction (SQLite readers never wait)."""
        async with self._uow.reader() as reader:
            return await registered.source.due(reader, window, cursor, self._batch_size)

    async def _decide_page(
        self, uow: UnitOfWork, registered: RegisteredKind[Any], subjects: list[Any], now: datetime,
        known: dict[int, Recipient | None],
    ) -> Batch:
        """One batch, set-based: one query for what is recorded already and one for the users not seen yet,
        then the domain's decisions and each queued reminder's message, in memory."""
        source, kind = registered.source, registered.kind
        by_id = {source.subject_id(subject): subject for subject in subjects}
        existing = await uow.delivery.reminders.existing_keys(kind.name, list(by_id))
        found = [
            reminder
            for subject in subjects
            for reminder in kind.reminders_for(subject, now)
            if (reminder.subject_id, reminder.period_key) not in existing
        ]
        batch = Batch([], {})
        if not found:
            return batch
        recipients = await self._recipients(uow, {int(reminder.user_id) for reminder in found}, known)
        for reminder in found:
            subject = by_id[reminder.subject_id]
            row = self._decide(registered, reminder, subject, recipients, now)
            batch.rows.append(row)
            if row.status == "queued" and (recipient := recipients[row.user_id]) is not None:
                batch.messages[row.key] = self._outbox_row(registered, reminder, subject, recipient)
        return batch

    async def _write(self, batch: Batch, now: datetime) -> SweepReport:
        """Record a batch's reminders in one statement, then queue the messages of those this call recorded
        (one a concurrent worker recorded first is its to send), in one transaction."""
        async with self._uow() as uow:
            recorded = await uow.delivery.reminders.record(batch.rows, now=now)
            messages = [message for key, message in batch.messages.items() if key in recorded]
            queued = await uow.outbox.enqueue_many(messages, now=now)
            await uow.commit()
        held = sum(1 for row in batch.rows if row.status == "pending" and row.key in recorded)
        return SweepReport(len(recorded), queued, held, len(recorded) - queued - held)

    async def _recipients(self, uow: UnitOfWork, user_ids: set[int], known: dict[int, Recipient | None]
                          ) -> dict[int, Recipient | None]:
        """Recipients of a batch; users seen earlier in this sweep are looked up once, not once per batch."""
        wanted = user_ids - known.keys()
        if wanted:
            fetched = await uow.delivery.preferences.recipients(wanted)
            known.update({user_id: fetched.get(user_id) for user_id in wanted})
        return {user_id: known[user_id] for user_id in user_ids}

    def _decide(self, registered: RegisteredKind[Any], reminder: Reminder, subject: Any,
                recipients: dict[int, Recipient | None], now: datetime) -> NewReminder:
        """The reminder's row: queued (send now), pending (held for quiet hours) or why it is skipped."""
        user_id = int(reminder.user_id)
        recipient = recipients[user_id]
        status = self._verdict(registered, reminder, subject, recipient, now)
        send_at = reminder.due_at
        if status == "queue" and recipient is not None:
            send_at = self._send_at(reminder, recipient, now)
            status = "queued" if send_at <= now else "pending"
        return NewReminder(registered.name, reminder.subject_id, reminder.period_key, user_id, reminder.due_at,
                           send_at, reminder.urgent, status)

    def _verdict(self, registered: RegisteredKind[Any], reminder: Reminder, subject: Any,
                 recipient: Recipient | None, now: datetime) -> str:
        if recipient is None or recipient.blocked:
            return "blocked"
        if registered.name in recipient.muted_kinds:
            return "muted"
        if now - reminder.due_at > self._stale_after or registered.kind.is_stale(reminder, subject, now):
            return "stale"
        return "queue"

    def _quiet_hours(self, recipient: Recipient) -> QuietHours:
        if recipient.quiet_off:
            return QuietHours(time(0, 0), time(0, 0))
        if recipient.quiet_start and recipient.quiet_end:
            return QuietHours(parse_clock(recipient.quiet_start), parse_clock(recipient.quiet_end))
        return self._default_quiet

    def _send_at(self, reminder: Reminder, recipient: Recipient, now: datetime) -> datetime:
        # A reminder found late (the bot was down) is judged by the hour it would go out now, not when it fell due.
        moment = max(reminder.due_at, now)
        timezone = recipient.timezone
        try:
            zone(timezone)
        except SubscriptionsError:
            timezone = self._default_timezone
        return self._quiet_hours(recipient).send_at(moment, timezone, reminder.urgent)

    def _outbox_row(self, registered: RegisteredKind[Any], reminder: Reminder, subject: Any,
                    recipient: Recipient) -> NewOutboxRow:
        language = self._translations.pick(recipient.language, recipient.telegram_language)
        message = registered.render(reminder, subject, self._translations.get(language))
        return NewOutboxRow(
            chat_id=recipient.user_id, kind="reminder", payload=message.payload(),
            idempotency_key=reminder_key(reminder.kind, reminder.subject_id, reminder.period_key),
            priority=PRIORITY_URGENT if reminder.urgent else PRIORITY_NORMAL,
        )

    async def release_held(self) -> SweepReport:
        """Reminders held for quiet hours whose time has come: look again, then queue or skip them."""
        report = SweepReport()
        while True:
            now = self._clock.now()
            async with self._uow() as uow:
                held = await uow.delivery.reminders.held_until(now, limit=self._batch_size)
                if not held:
                    return report
                report += await self._release(uow, held, now)
                await uow.commit()

    async def _release(self, uow: UnitOfWork, held: list[HeldReminder], now: datetime) -> SweepReport:
        recipients = await uow.delivery.preferences.recipients(h.user_id for h in held)
        decisions: list[tuple[HeldReminder, str]] = []
        queueing: list[tuple[HeldReminder, NewOutboxRow]] = []
        by_kind: dict[str, list[HeldReminder]] = {}
        for item in held:
            by_kind.setdefault(item.kind, []).append(item)
        for name, items in by_kind.items():
            registered = self.catalog.get(name)
            if registered is None:
                log.warning("held reminders of kind %r, which nothing registers any more: skipped", name)
                decisions += [(item, "stale") for item in items]
                continue
            subjects = await registered.source.load(uow, [item.subject_id for item in items])
            for item in items:
                reminder = Reminder(item.kind, item.subject_id, item.period_key, str(item.user_id), item.due_at,
                                    item.urgent)
                subject, recipient = subjects.get(item.subject_id), recipients.get(item.user_id)
                status = "stale" if subject is None else self._verdict(registered, reminder, subject, recipient, now)
                if status == "queue" and recipient is not None:
                    queueing.append((item, self._outbox_row(registered, reminder, subject, recipient)))
                    status = "queued"
                decisions.append((item, status))
        decided = await uow.delivery.reminders.decide([(item.id, status) for item, status in decisions], now)
        # Only reminders this call moved out of "pending" are queued: whoever decided one sends it.
        rows = [row for item, row in queueing if item.id in decided]
        added = await uow.outbox.enqueue_many(rows, now=now)
        return SweepReport(0, added, 0, len(decided) - added)
