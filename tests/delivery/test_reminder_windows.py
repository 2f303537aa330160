"""Billing's reminder kinds walk their windows a batch at a time: every due subscription is reminded once,
whatever the batch size and however many share a term end, and nothing outside a window is."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import register_billing_reminders
from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from storage.delivery.repositories import NewReminder
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts.members import TelegramProfile
from subscriptions.billing.services import BillingSettings
from subscriptions.billing.subscription import DunningPolicy, Status, Subscription, Term, TermKind
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.clock import FixedClock
from subscriptions.money import Money

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 14:00 in Seoul: outside quiet hours
USER = 555_000_003


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    base = load_config(environ={})
    config = base.replace(database=base.database.__class__(url=database_url),
                          scheduler=dataclasses.replace(base.scheduler, batch_size=2))
    async with open_runtime(config, ring=KeyRing.single(new_master_key()), clock=FixedClock(NOW)) as runtime:
        await runtime.members.member_for(TelegramProfile(USER, "minji", "Minji", None, "ko"))
        register_billing_reminders(runtime, BillingSettings(renewal_lead=timedelta(days=3), dunning=DunningPolicy()))
        yield runtime


def _subscription(key: str, status: Status, ends: datetime, past_due_since: datetime | None = None) -> Subscription:
    calendar = BillingCalendar(ends - timedelta(days=30), "Asia/Seoul", Interval(Unit.MONTH))
    kind = TermKind.TRIAL if status is Status.TRIALING else TermKind.PAID
    term = Term(1, ends - timedelta(days=30), ends, "v1", Money(45000, "KRW"), kind)
    return Subscription(id=key, user_id=USER, offer_id="onda-pass", merchant_id="1", plan_id="americano20",
                        provider="card", calendar=calendar, term=term, status=status, created_at=ends - timedelta(days=30),
                        past_due_since=past_due_since)


async def test_each_kind_walks_its_window_in_batches_and_reminds_every_due_subscription_once(
    services: Services,
) -> None:
    soon = NOW + timedelta(days=2)  # renews in two days: its reminder fell due a day ago
    subscriptions = [
        # Five active ones share one term end, so batches of two split them; ids out of order on purpose.
        *(_subscription(key, Status.ACTIVE, soon) for key in ("a4", "a1", "a5", "a3", "a2")),
        _subscription("a6", Status.ACTIVE, soon + timedelta(hours=5)),
        _subscription("later", Status.ACTIVE, NOW + timedelta(days=9)),  # outside the window
        *(_subscription(key, Status.TRIALING, soon + timedelta(minutes=n)) for n, key in enumerate(("t2", "t1", "t3"))),
        *(_subscription(key, Status.PAST_DUE, NOW + timedelta(days=20), NOW - timedelta(days=1, hours=1))
          for key in ("p3", "p1", "p2")),
    ]
    async with services.uow() as uow:
        for subscription in subscriptions:
            await uow.billing.subscriptions.add(subscription)
        await uow.billing.flush()
        await uow.commit()

    report = await services.delivery.scheduler.sweep()
    again = await services.delivery.scheduler.sweep()

    async with services.uow() as uow:
        renewals = await uow.delivery.reminders.statuses("renewal_upcoming")
        trials = await uow.delivery.reminders.statuses("trial_ending")
        dunning = await uow.delivery.reminders.statuses("dunning")
        queued = len(await uow.outbox.rows_for_chat(USER))
    assert renewals == {(f"a{n}", "2"): "queued" for n in range(1, 7)}
    assert trials == {(f"t{n}", "trial"): "queued" for n in range(1, 4)}
    assert dunning == {(f"p{n}", "2:1"): "queued" for n in range(1, 4)}
    assert (report.recorded, report.queued, queued) == (12, 12, 12)
    assert again.recorded == 0


async def test_recording_reminders_returns_and_queues_only_those_this_call_recorded(services: Services) -> None:
    def row(subject_id: str) -> NewReminder:
        return NewReminder("notice", subject_id, "once", USER, NOW, NOW, False, "queued")

    async with services.uow() as uow:
        first = await uow.delivery.reminders.record([row("1"), row("2")], now=NOW)
        await uow.commit()
    async with services.uow() as uow:  # as a second worker that swept the same subjects a moment later
        second = await uow.delivery.reminders.record([row("2"), row("3"), row("1"), row("4")], now=NOW)
        await uow.commit()

    assert first.keys == {("notice", "1", "once"), ("notice", "2", "once")}
    assert second.keys == {("notice", "3", "once"), ("notice", "4", "once")}
    assert (first.queued, second.queued) == (2, 2)
    async with services.uow() as uow:
        rows = await uow.outbox.claim("t", now=NOW, limit=10, lease=timedelta(seconds=5))
        recorded = await uow.delivery.reminders.by_ids(row.payload["reminder"] for row in rows)
    # One outbox row per reminder, each pointing at its own reminder and keyed by it.
    assert sorted(item.subject_id for item in recorded.values()) == ["1", "2", "3", "4"]
    assert sorted(row.idempotency_key for row in rows) == [f"reminder:{item_id:012d}" for item_id in sorted(recorded)]
    assert {row.chat_id for row in rows} == {USER}
