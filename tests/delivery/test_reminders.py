"""The reminder scheduler with the generic scheduled-notice kind: once per (kind, subject, period), held in
quiet hours, skipped when muted, stale or blocked, caught up after downtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import register_billing_reminders
from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from bot.delivery.notices import NoticeSource, ScheduledNoticeKind, render_notice
from bot.delivery.reminders import ReminderKindTaken
from handlers.core.outbound import Button
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts import preferences
from subscriptions.accounts.members import TelegramProfile
from subscriptions.clock import FixedClock

# 14:00 in Seoul.
NOON_UTC = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
USER = 555_000_001


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    base = load_config(environ={})
    config = base.replace(database=base.database.__class__(url=database_url))
    async with open_runtime(config, ring=KeyRing.single(new_master_key()), clock=FixedClock(NOON_UTC)) as runtime:
        await runtime.members.member_for(TelegramProfile(USER, "minji", "Minji", None, "ko"))
        yield runtime


def _clock(services: Services) -> FixedClock:
    assert isinstance(services.clock, FixedClock)
    return services.clock


async def _schedule(services: Services, due_at: datetime, *, urgent: bool = False, text: str = "Visit tomorrow") -> int:
    async with services.uow() as uow:
        notice_id = await services.delivery.notices.schedule(
            uow, user_id=USER, topic="visit", text=text, due_at=due_at, expires_at=due_at + timedelta(days=1),
            buttons=[[Button("Manage", callback_data="visit:7")]], urgent=urgent,
        )
        await uow.commit()
    return notice_id


async def _outbox(services: Services) -> list[tuple[str, str, str | None]]:
    async with services.uow() as uow:
        return await uow.outbox.rows_for_chat(USER)


async def _statuses(services: Services) -> dict[tuple[str, str], str]:
    async with services.uow() as uow:
        return await uow.delivery.reminders.statuses("notice")


async def test_a_due_notice_is_queued_once_however_often_and_by_whom_it_is_swept(services: Services) -> None:
    notice = await _schedule(services, NOON_UTC - timedelta(minutes=5))
    first = await services.delivery.scheduler.sweep()
    await services.delivery.scheduler.sweep()
    _clock(services).advance(timedelta(minutes=10))
    # A second scheduler on the same database (a restart, or another worker) finds nothing new.
    from bot.delivery.reminders import ReminderScheduler

    other = ReminderScheduler(services.uow, services.clock, services.delivery.catalog,
                              default_quiet=services.delivery.scheduler._default_quiet, default_timezone="Asia/Seoul",
                              stale_after=timedelta(hours=48), batch_size=1)
    again = await other.sweep()
    assert (first.queued, again.recorded) == (1, 0)
    assert await _outbox(services) == [("reminder", "pending", None)]
    assert await _statuses(services) == {(str(notice), "once"): "queued"}
    async with services.uow() as uow:
        row = (await uow.outbox.claim("t", now=services.clock.now(), limit=5, lease=timedelta(seconds=5)))[0]
    # The row points at its reminder; the message is written when the pump claims it.
    assert row.payload == {"reminder": row.payload["reminder"]} and isinstance(row.payload["reminder"], int)
    assert await services.delivery.reminder_messages.compose([row]) == {row.id: {
        "text": "Visit tomorrow", "reply_markup": {"inline_keyboard": [[{"text": "Manage", "callback_data": "visit:7"}]]}}}


async def test_a_notice_due_in_quiet_hours_waits_until_they_end_in_the_users_time_zone(services: Services) -> None:
    # 23:30 in Seoul: quiet (22:00-08:00 by default).
    late = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    notice = await _schedule(services, late)
    _clock(services).set(late + timedelta(minutes=1))
    report = await services.delivery.scheduler.sweep()
    assert (report.recorded, report.held, report.queued) == (1, 1, 0)
    assert await _outbox(services) == []
    _clock(services).set(datetime(2026, 11, 25, 22, 59, tzinfo=UTC))  # 07:59 in Seoul
    assert (await services.delivery.scheduler.release_held()).queued == 0
    _clock(services).set(datetime(2026, 11, 25, 23, 0, tzinfo=UTC))  # 08:00 in Seoul
    assert (await services.delivery.scheduler.release_held()).queued == 1
    assert await _outbox(services) == [("reminder", "pending", None)]
    assert await _statuses(services) == {(str(notice), "once"): "queued"}


async def test_an_urgent_notice_goes_out_even_in_quiet_hours(services: Services) -> None:
    late = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    await _schedule(services, late, urgent=True)
    _clock(services).set(late)
    assert (await services.delivery.scheduler.sweep()).queued == 1


async def test_a_user_who_muted_the_kind_gets_nothing(services: Services) -> None:
    await preferences.toggle_kind(services.accounts, USER, "notice")
    notice = await _schedule(services, NOON_UTC)
    await services.delivery.scheduler.sweep()
    assert await _outbox(services) == []
    assert await _statuses(services) == {(str(notice), "once"): "muted"}


async def test_a_held_notice_canceled_before_morning_is_skipped_as_stale(services: Services) -> None:
    late = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    notice = await _schedule(services, late)
    _clock(services).set(late)
    await services.delivery.scheduler.sweep()
    assert await services.delivery.notices.cancel(notice)
    _clock(services).set(datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    await services.delivery.scheduler.release_held()
    assert await _outbox(services) == []
    assert await _statuses(services) == {(str(notice), "once"): "stale"}


async def test_a_user_who_blocked_the_bot_is_not_reminded(services: Services) -> None:
    async with services.uow() as uow:
        await uow.users.set_bot_blocked(USER, True)
        await uow.commit()
    notice = await _schedule(services, NOON_UTC)
    await services.delivery.scheduler.sweep()
    assert await _outbox(services) == []
    assert await _statuses(services) == {(str(notice), "once"): "blocked"}


async def test_after_a_night_down_each_due_notice_is_sent_once_and_expired_ones_are_skipped(
    services: Services,
) -> None:
    # Down from 20:00 to 09:00 Seoul time; three notices fell due meanwhile, one of them expired already.
    evening = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    kept = [await _schedule(services, evening + timedelta(hours=hours), text=f"n{hours}") for hours in (1, 5, 9)]
    async with services.uow() as uow:
        expired = await services.delivery.notices.schedule(
            uow, user_id=USER, topic="visit", text="gone", due_at=evening + timedelta(hours=2),
            expires_at=evening + timedelta(hours=3))
        await uow.commit()
    _clock(services).set(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))  # 09:00 in Seoul
    report = await services.delivery.scheduler.sweep()
    await services.delivery.scheduler.sweep()
    assert (report.queued, report.skipped) == (3, 1)
    statuses = await _statuses(services)
    assert [statuses[(str(n), "once")] for n in kept] == ["queued"] * 3
    assert statuses[(str(expired), "once")] == "stale"
    assert len(await _outbox(services)) == 3


async def test_one_catalog_holds_every_kind_with_its_source_and_text_and_refuses_a_name_twice(
    services: Services,
) -> None:
    register_billing_reminders(services)
    catalog = services.delivery.catalog
    assert [kind.name for kind in catalog.kinds()] == ["dunning", "gift_expiring", "notice", "renewal_upcoming",
                                                       "trial_ending"]
    renewal = catalog.get("renewal_upcoming")
    assert renewal is not None and renewal.label == "Renewal reminders" and not renewal.kind.urgent
    assert catalog.get("pass_expiring") is None
    with pytest.raises(ReminderKindTaken):
        catalog.register(ScheduledNoticeKind(name="dunning"), NoticeSource(), render_notice, "Twice")
    catalog.register(ScheduledNoticeKind(name="pass_expiring"), NoticeSource(), render_notice, "Pass reminders")
    found = catalog.get("pass_expiring")
    assert found is not None and found.label == "Pass reminders"
