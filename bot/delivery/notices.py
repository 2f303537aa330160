"""Scheduled notices: the generic reminder kind any feature can use without a table of its own.

A feature calls `NoticeService.schedule(...)` with the user, a text already in the user's language, optional
buttons, when it is due and when it stops making sense ("your visit is tomorrow at 10:00", "your pass
expires on Friday"); the scheduler sends it once, outside quiet hours unless urgent, and skips it when it was
canceled or has expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.reminders import Page
from bot.i18n import Translator
from handlers.core.outbound import Button, OutboundMessage, button_rows
from storage.delivery.repositories import Notice
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from subscriptions.clock import Clock
from subscriptions.reminders import DueWindow, Reminder

NOTICE_KIND = "notice"


class NoticeError(Exception):
    """A notice that cannot be scheduled (expires before it is due, naive times)."""


@dataclass(frozen=True, slots=True)
class ScheduledNoticeKind:
    """Due at the notice's `due_at`; stale once canceled or past `expires_at`."""

    reach: timedelta = timedelta(hours=48)
    name: str = NOTICE_KIND
    urgent: bool = False

    def window(self, now: datetime) -> DueWindow:
        return DueWindow("notice", "due_at", now - self.reach, now, ("scheduled",))

    def reminders_for(self, subject: Notice, now: datetime) -> list[Reminder]:
        if subject.status != "scheduled" or now < subject.due_at:
            return []
        return [Reminder(self.name, str(subject.id), "once", subject.user_id, subject.due_at, subject.urgent)]

    def is_stale(self, reminder: Reminder, subject: Notice, now: datetime) -> bool:
        return subject.status != "scheduled" or now >= subject.expires_at


class NoticeSource:
    """The `scheduled_notices` table as the kind's subjects, walked by (due_at, id)."""

    def subject_id(self, subject: Notice) -> str:
        return str(subject.id)

    async def due(self, uow: UnitOfWork, window: DueWindow, after: object | None, limit: int) -> Page[Notice]:
        cursor = after if isinstance(after, tuple) else None
        notices = await uow.delivery.notices.due(
            not_before=window.not_before, not_after=window.not_after, statuses=window.statuses, after=cursor,
            limit=limit,
        )
        last = notices[-1] if len(notices) == limit else None
        return Page(notices, (last.due_at, last.id) if last else None)

    async def load(self, uow: UnitOfWork, subject_ids: Sequence[str]) -> dict[str, Notice]:
        found = await uow.delivery.notices.load([int(i) for i in subject_ids if i.isdigit()])
        return {str(key): value for key, value in found.items()}


def render_notice(reminder: Reminder, notice: Notice, tr: Translator) -> OutboundMessage:
    """The notice's own text and buttons: the feature wrote them in the user's language."""
    return OutboundMessage(notice.text, button_rows(notice.buttons))


class NoticeService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def schedule(
        self, uow: UnitOfWork, *, user_id: int, topic: str, text: str, due_at: datetime, expires_at: datetime,
        buttons: Sequence[Sequence[Button]] = (), urgent: bool = False,
    ) -> int:
        """Schedule a notice inside the caller's unit of work (so it is kept only if the caller commits)."""
        if due_at.tzinfo is None or expires_at.tzinfo is None:
            raise NoticeError("due_at and expires_at must be timezone-aware")
        if expires_at <= due_at:
            raise NoticeError("a notice must expire after it is due")
        rows = [[button.as_json() for button in row] for row in buttons] or None
        return await uow.delivery.notices.add(
            user_id=user_id, topic=topic, text=text, due_at=due_at, expires_at=expires_at, now=self._clock.now(),
            buttons=rows, urgent=urgent,
        )

    async def cancel(self, notice_id: int) -> bool:
        async with self._uow() as uow:
            done = await uow.delivery.notices.cancel(notice_id)
            await uow.commit()
        return done
