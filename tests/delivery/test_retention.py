"""Clean-up: old delivered and decided rows go, recent and waiting ones stay, and a reminder whose row was
cleaned up is never sent a second time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from bot.app import build_application, register_billing_reminders
from bot.bootstrap import Services, open_runtime
from bot.config import ConfigError, load_config
from bot.delivery.retention import CleanupReport, Retention, RetentionPolicy
from storage.core.tables import events
from storage.delivery.repositories import Finished, NewOutboxRow, NewReminder, Sent
from storage.delivery.tables import outbox, reminders
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts.members import TelegramProfile
from subscriptions.billing.services import BillingSettings
from subscriptions.billing.subscription import DunningPolicy, Status, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.clock import FixedClock
from subscriptions.money import Money
from tests.delivery.conftest import TOKEN

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 14:00 in Seoul: outside quiet hours
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=1)
USER = 555_000_002
MONTH = timedelta(days=30)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    base = load_config(environ={})
    config = base.replace(database=base.database.__class__(url=database_url))
    async with open_runtime(config, ring=KeyRing.single(new_master_key()), clock=FixedClock(NOW)) as runtime:
        await runtime.members.member_for(TelegramProfile(USER, "minji", "Minji", None, "ko"))
        yield runtime


def _clock(services: Services) -> FixedClock:
    assert isinstance(services.clock, FixedClock)
    return services.clock


def _retention(services: Services, *, reminders: timedelta = MONTH, outbox: timedelta = MONTH) -> Retention:
    # Two rows a batch, so every table is trimmed over several transactions.
    policy = RetentionPolicy(outbox=outbox, reminders=reminders, events=MONTH, inbox=MONTH, batch_size=2)
    return Retention(services.uow.background(), services.clock, policy)


async def _enqueue(services: Services, keys: list[str], at: datetime, broadcast_id: int | None = None) -> None:
    async with services.uow() as uow:
        rows = [NewOutboxRow(USER, "notice", {"text": key}, key, broadcast_id=broadcast_id) for key in keys]
        await uow.outbox.enqueue_many(rows, now=at)
        await uow.commit()


async def _deliver(services: Services, at: datetime, *, failed: set[str] = frozenset(),
                   dropped: set[str] = frozenset()) -> None:
    """Claim every waiting row due by `at`; mark the ones named failed or dropped so, the others sent."""
    async with services.uow() as uow:
        claimed = await uow.outbox.claim("worker", now=at, limit=100, lease=timedelta(seconds=30))
        await uow.outbox.mark_finished(
            [Finished(row.id, "failed", "bad request") for row in claimed if row.idempotency_key in failed]
            + [Finished(row.id, "dropped", "blocked") for row in claimed if row.idempotency_key in dropped])
        await uow.outbox.mark_sent(
            [Sent(row.id, at) for row in claimed if row.idempotency_key not in failed | dropped])
        await uow.commit()


async def _broadcast(services: Services, at: datetime, status: str) -> int:
    async with services.uow() as uow:
        broadcast_id = await uow.delivery.broadcasts.add(sender_id=USER, org_id=None, audience="all",
                                                         payload={"text": "hi"}, progress_chat_id=None, now=at)
        if status != "running":
            await uow.delivery.broadcasts.finish(broadcast_id, status, at)
        await uow.commit()
    return broadcast_id


def _reminder(subject_id: str, at: datetime, status: str) -> NewReminder:
    return NewReminder("notice", subject_id, "once", USER, at, at, False, status)


async def _event(services: Services, name: str, at: datetime, status: str) -> None:
    async with services.uow() as uow:
        await uow.connection.execute(insert(events).values(
            kind="ReceiptDue", payload={"name": name}, status=status, attempts=1, created_at=at, available_at=at))
        await uow.commit()


async def _left(services: Services) -> tuple[set[str], set[str], set[str]]:
    """The outbox keys, reminder subjects and event names still stored."""
    async with services.uow() as uow:
        connection = uow.connection
        keys = set((await connection.execute(select(outbox.c.idempotency_key))).scalars())
        subjects = set((await connection.execute(select(reminders.c.subject_id))).scalars())
        names = {payload["name"] for payload in (await connection.execute(select(events.c.payload))).scalars()}
    return keys, subjects, names


async def test_old_delivered_and_decided_rows_go_and_recent_and_waiting_ones_stay(services: Services) -> None:
    running, done = await _broadcast(services, OLD, "running"), await _broadcast(services, OLD, "done")
    await _enqueue(services, ["old-sent", "old-failed", "old-dropped"], OLD)
    await _enqueue(services, ["running-broadcast"], OLD, broadcast_id=running)
    await _enqueue(services, ["done-broadcast"], OLD, broadcast_id=done)
    await _deliver(services, OLD, failed={"old-failed"}, dropped={"old-dropped"})
    await _enqueue(services, ["recent-sent"], RECENT)
    await _deliver(services, RECENT)
    await _enqueue(services, ["old-pending"], OLD)  # never claimed: still waiting for its turn
    async with services.uow() as uow:
        await uow.delivery.reminders.record([
            _reminder("old-queued", OLD, "queued"), _reminder("old-stale", OLD, "stale"),
            _reminder("old-muted", OLD, "muted"), _reminder("old-held", OLD, "pending"),
            _reminder("recent-queued", RECENT, "queued"),
        ], now=OLD)
        await uow.commit()
    for name, at, status in [("old-done", OLD, "done"), ("old-failed", OLD, "failed"), ("old-pending", OLD, "pending"),
                             ("recent-done", RECENT, "done"), ("old-done-2", OLD, "done"),
                             ("old-done-newest", OLD, "done")]:
        await _event(services, name, at, status)

    report = await _retention(services).clean_up()

    keys, subjects, names = await _left(services)
    # Each reminder recorded as queued brought its outbox row, which waits to be sent and so stays.
    assert {key for key in keys if not key.startswith("reminder:")} == {"old-pending", "recent-sent",
                                                                          "running-broadcast"}
    assert len([key for key in keys if key.startswith("reminder:")]) == 2
    assert subjects == {"old-held", "recent-queued"}
    # The newest event stays whatever its age: its id must not be handed out again.
    assert names == {"old-pending", "recent-done", "old-done-newest"}
    assert report == CleanupReport(outbox=4, reminders=3, events=3)
    assert await _retention(services).clean_up() == CleanupReport()


async def test_a_reminder_is_not_sent_again_after_its_row_is_cleaned_up(services: Services) -> None:
    # One dunning step, a day after the missed payment: the subscription stays past due (and so in the
    # dunning kind's window) long after that reminder went out.
    register_billing_reminders(services, BillingSettings(renewal_lead=timedelta(days=3), dunning=DunningPolicy((1,), 30)))
    calendar = BillingCalendar(NOW - MONTH, "Asia/Seoul", Interval(Unit.MONTH))
    period = calendar.period(0)
    subscription = Subscription(
        id="s-overdue", user_id=USER, offer_id="onda-pass", merchant_id="1", plan_id="americano20",
        provider="card", calendar=calendar, term=Term(1, period.start, period.end, "v1", Money(45000, "KRW")),
        status=Status.PAST_DUE, created_at=NOW - MONTH, past_due_since=NOW - timedelta(days=1, hours=1),
    )
    async with services.uow() as uow:
        await uow.billing.subscriptions.add(subscription)
        await uow.billing.flush()
        await uow.commit()
    assert (await services.delivery.scheduler.sweep()).queued == 1
    await _deliver(services, NOW)

    # Kept three days, just over the 48 hours after which the scheduler skips a reminder as stale.
    _clock(services).set(NOW + timedelta(days=4))
    retention = _retention(services, reminders=timedelta(days=3), outbox=timedelta(days=1))
    assert await retention.clean_up() == CleanupReport(outbox=1, reminders=1)
    report = await services.delivery.scheduler.sweep()

    assert (report.recorded, report.queued, report.skipped) == (1, 0, 1)
    async with services.uow() as uow:
        assert await uow.outbox.rows_for_chat(USER) == []
        assert await uow.delivery.reminders.statuses("dunning") == {("s-overdue", "2:1"): "stale"}


def test_reminders_must_be_kept_longer_than_they_take_to_go_stale() -> None:
    with pytest.raises(ConfigError, match="reminder_retention_days"):
        load_config(environ={"JIGAP_DELIVERY__REMINDER_RETENTION_DAYS": "2"})
    assert load_config(environ={"JIGAP_DELIVERY__REMINDER_RETENTION_DAYS": "3"}).delivery.reminder_retention_days == 3


async def test_the_bot_runs_the_clean_up_on_its_clock(services: Services) -> None:
    await _enqueue(services, ["old-sent"], OLD)
    await _deliver(services, OLD)
    application = build_application(services, TOKEN)
    assert application.job_queue is not None
    (job,) = application.job_queue.get_jobs_by_name("delivery-cleanup")

    await job.run(application)

    assert (await _left(services))[0] == set()
