"""The reminder scheduler: turns what is due into outbox rows, once per (kind, subject, period).

A kind is the subscriptions room's `ReminderKind` (what is due, and when a recorded reminder is stale),
registered here with the storage query that finds its subjects and the function that renders its message
(text and action buttons) in the user's language. Each sweep walks a kind's window in batches; each reminder
is recorded in the `reminders` table (unique per kind, subject and period, so restarts, catch-up after a night
down and a second worker never send one twice). Due reminders go to the outbox in the same transaction;
reminders that fall in the user's quiet hours are held and released when the hours end, after a second look
at staleness, mutes and blocks.

A queued reminder's outbox row only points at its reminder. `ReminderMessages` writes the message when the
pump claims the row: the sweep decides thousands of reminders a second while the pump sends some thirty, and
a reminder that went stale in between (renewed early, say) or whose kind the user muted is dropped, not sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.messages import Unsendable
from bot.i18n import Translations, Translator
from handlers.core.outbound import OutboundMessage
from storage.delivery.repositories import NewReminder, OutboxRow, Recipient, RecordedReminder
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.billing_calendar import zone
from subscriptions.clock import Clock
from subscriptions.errors import SubscriptionsError
from subscriptions.reminders import DueWindow, Page, QuietHours, Reminder, ReminderKind, SubjectSource

log = logging.getLogger(__name__)
S = TypeVar("S")
T = TypeVar("T")


# One write records the decisions of this many batches. What a commit costs is mostly the index pages the
# new rows touch, and a reminder's key lands anywhere in the unique index: five times the rows touch hardly
# more pages, so a commit per 5,000 reminders writes about a fifth of what a commit per 1,000 did.
WRITE_BATCHES = 5


class ReminderKindTaken(Exception):
    """Two features registered reminder kinds with the same name."""


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


def parse_clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def _slices(items: Sequence[T], size: int = 100) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
        catalog: ReminderCatalog,
        *,
        default_quiet: QuietHours,
        default_timezone: str,
        stale_after: timedelta,
        batch_size: int,
    ) -> None:
        self._uow = uow
        self._clock = clock
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

        Deciding (the domain) is Python's work; reading and writing are mostly the database's, each on a
        connection of its own. Overlapping them keeps both busy. At most one batch is read ahead, and the
        decisions of `WRITE_BATCHES` batches wait for the write in flight, so memory stays flat however much
        is due.
        """
        now = self._clock.now()
        window = registered.kind.window(now)
        report = SweepReport()
        # Users seen earlier in this sweep: one with many subjects is looked up once, not once per page.
        known: dict[int, Recipient | None] = {}
        decided: list[NewReminder] = []
        writing: asyncio.Task[SweepReport] | None = None
        reading: asyncio.Task[Page[Any]] | None = asyncio.create_task(self._read(registered, window, None))
        try:
            while reading is not None:
                page = await reading
                reading = None if page.cursor is None else asyncio.create_task(
                    self._read(registered, window, page.cursor))
                async with self._uow.reader() as reader:
                    decided += await self._decide_page(reader, registered, page.subjects, now, known)
                if decided and (reading is None or len(decided) >= WRITE_BATCHES * self._batch_size):
                    if writing is not None:
                        report += await writing
                    writing, decided = asyncio.create_task(self._write(decided, now)), []
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
    ) -> list[NewReminder]:
        """One batch, set-based: one query for what is recorded already and one for the users not seen yet,
        then the domain's decisions, in memory.

        Deciding runs in slices of a hundred with a turn of the event loop between them, so a chat this
        process answers meanwhile waits for a slice (a millisecond or two), not for a whole batch.
        """
        source, kind = registered.source, registered.kind
        by_id = {source.subject_id(subject): subject for subject in subjects}
        existing = await uow.delivery.reminders.existing_keys(kind.name, list(by_id))
        found: list[Reminder] = []
        for part in _slices(subjects):
            found += [reminder for subject in part for reminder in kind.reminders_for(subject, now)
                      if (reminder.subject_id, reminder.period_key) not in existing]
            await asyncio.sleep(0)
        if not found:
            return []
        recipients = await self._recipients(uow, {reminder.user_id for reminder in found}, known)
        rows: list[NewReminder] = []
        for part in _slices(found):
            rows += [self._decide(registered, reminder, by_id[reminder.subject_id], recipients, now) for reminder in part]
            await asyncio.sleep(0)
        return rows

    async def _write(self, rows: list[NewReminder], now: datetime) -> SweepReport:
        """Record decided reminders and queue those due now, in one transaction (a reminder a concurrent
        worker recorded first is its to send)."""
        async with self._uow() as uow:
            recorded = await uow.delivery.reminders.record(rows, now=now)
            await uow.commit()
        held = sum(1 for row in rows if row.status == "pending" and row.key in recorded.keys)
        return SweepReport(len(recorded.keys), recorded.queued, held, len(recorded.keys) - recorded.queued - held)

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
        user_id = reminder.user_id
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

    def quiet_until(self, recipient: Recipient, moment: datetime, *, urgent: bool = False) -> datetime:
        """When something due at `moment` may reach `recipient`: `moment`, or the end of their quiet hours (what
        reminders wait for, and new posts too)."""
        timezone = recipient.timezone
        try:
            zone(timezone)
        except SubscriptionsError:
            timezone = self._default_timezone
        return self._quiet_hours(recipient).send_at(moment, timezone, urgent)

    def _quiet_hours(self, recipient: Recipient) -> QuietHours:
        if recipient.quiet_off:
            return QuietHours(time(0, 0), time(0, 0))
        if recipient.quiet_start and recipient.quiet_end:
            return QuietHours(parse_clock(recipient.quiet_start), parse_clock(recipient.quiet_end))
        return self._default_quiet

    def _send_at(self, reminder: Reminder, recipient: Recipient, now: datetime) -> datetime:
        # A reminder found late (the bot was down) is judged by the hour it would go out now, not when it fell due.
        return self.quiet_until(recipient, max(reminder.due_at, now), urgent=reminder.urgent)

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

    async def _release(self, uow: UnitOfWork, held: list[RecordedReminder], now: datetime) -> SweepReport:
        recipients = await uow.delivery.preferences.recipients(h.user_id for h in held)
        decisions: list[tuple[int, str]] = []
        by_kind: dict[str, list[RecordedReminder]] = {}
        for item in held:
            by_kind.setdefault(item.kind, []).append(item)
        for name, items in by_kind.items():
            registered = self.catalog.get(name)
            if registered is None:
                log.warning("held reminders of kind %r, which nothing registers any more: skipped", name)
                decisions += [(item.id, "stale") for item in items]
                continue
            subjects = await registered.source.load(uow, [item.subject_id for item in items])
            for item in items:
                subject, recipient = subjects.get(item.subject_id), recipients.get(item.user_id)
                status = "stale" if subject is None else self._verdict(registered, item.reminder, subject,
                                                                       recipient, now)
                decisions.append((item.id, "queued" if status == "queue" else status))
        # Only reminders this call moved out of "pending" are queued: whoever decided one sends it.
        decided = await uow.delivery.reminders.decide(decisions, now)
        return SweepReport(0, decided.queued, 0, len(decided.ids) - decided.queued)


NOT_RECORDED = "its reminder is no longer recorded"
NOT_REGISTERED = "its reminder kind is no longer registered"
SUBJECT_GONE = "what it reminds of is gone"
NO_LONGER_DUE = "no longer due"
MUTED_SINCE = "the user muted this kind since it was queued"


class ReminderMessages:
    """What a queued reminder says, written when the pump claims its outbox row (`pump.Composer`).

    The row holds only `{"reminder": id}`. The message is rendered from the subject as it is at that moment,
    in the user's language of that moment; a reminder that went stale since it was queued, whose subject is
    gone or whose kind the user has muted since, is dropped with the reason. A subject that cannot be read
    or a message that cannot be rendered fails its own row, logged with the detail; the others still go.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, translations: Translations,
                 catalog: ReminderCatalog) -> None:
        self._uow = uow
        self._clock = clock
        self._translations = translations
        self._catalog = catalog

    async def compose(self, rows: Sequence[OutboxRow]) -> dict[int, dict[str, Any] | Unsendable]:
        """For each reminder row among `rows`: the payload to send, or why it is dropped or failed instead."""
        references = {row.id: row.payload["reminder"] for row in rows
                      if row.kind == "reminder" and isinstance(row.payload.get("reminder"), int)}
        if not references:
            return {}
        now = self._clock.now()
        async with self._uow.reader() as uow:
            recorded = await uow.delivery.reminders.by_ids(references.values())
            recipients = await uow.delivery.preferences.recipients({item.user_id for item in recorded.values()})
            subjects = await self._subjects(uow, list(recorded.values()))
        composed: dict[int, dict[str, Any] | Unsendable] = {}
        for row_id, reminder_id in references.items():
            item = recorded.get(reminder_id)
            if item is None:
                composed[row_id] = Unsendable("dropped", NOT_RECORDED)
                continue
            subject = subjects.get((item.kind, item.subject_id))
            composed[row_id] = subject if isinstance(subject, Unsendable) else self._compose(
                item, subject, recipients.get(item.user_id), now)
        return composed

    async def _subjects(self, uow: UnitOfWork, items: list[RecordedReminder]) -> dict[tuple[str, str], Any]:
        """The subjects of `items`, one query per kind; a kind whose subjects cannot be read fails its rows."""
        by_kind: dict[str, set[str]] = {}
        for item in items:
            by_kind.setdefault(item.kind, set()).add(item.subject_id)
        found: dict[tuple[str, str], Any] = {}
        for name, subject_ids in by_kind.items():
            registered = self._catalog.get(name)
            if registered is None:
                continue
            try:
                loaded = await registered.source.load(uow, sorted(subject_ids))
            except (SQLAlchemyError, OSError):
                raise
            except Exception as error:  # a stored subject the code cannot read: fail these rows, not the pump
                log.exception("subjects of %s reminders could not be read", name)
                loaded = dict.fromkeys(subject_ids, Unsendable("failed", f"could not read its subject: {error!r}"))
            found.update({(name, subject_id): subject for subject_id, subject in loaded.items()})
        return found

    def _compose(self, item: RecordedReminder, subject: Any, recipient: Recipient | None, now: datetime
                 ) -> dict[str, Any] | Unsendable:
        registered = self._catalog.get(item.kind)
        if registered is None:
            return Unsendable("dropped", NOT_REGISTERED)
        if subject is None:
            return Unsendable("dropped", SUBJECT_GONE)
        reminder = item.reminder
        try:
            if registered.kind.is_stale(reminder, subject, now):
                return Unsendable("dropped", NO_LONGER_DUE)
            if recipient is not None and registered.name in recipient.muted_kinds:
                return Unsendable("dropped", MUTED_SINCE)
            language = self._translations.pick(recipient.language if recipient else None,
                                               recipient.telegram_language if recipient else None)
            return registered.render(reminder, subject, self._translations.get(language)).payload()
        except Exception as error:  # a bug in one kind's rendering fails its row, not everything the pump sends
            log.exception("reminder %s (%s) could not be written", item.id, item.kind)
            return Unsendable("failed", f"could not write the message: {error!r}")
