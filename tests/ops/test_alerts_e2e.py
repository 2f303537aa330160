"""Alerts through the sandbox: the outbox falls behind (the pump stopped, the clock moved on), every platform
admin hears it once, in their language, and hears when it is back to normal; nobody else hears anything, and
a second worker checking the same database sends nothing more."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.alert_rules import AlertKind
from bot.alerts import Alerts
from bot.bootstrap import Services
from storage.delivery.tables import outbox
from storage.ops.tables import ops_alerts
from tests.harness import BOT_TOKEN
from tests.ops.conftest import Running


async def leading_again(services: Services) -> None:
    """Wait for the restarted pump to lead again: on PostgreSQL the lock it let go is taken at its next check."""
    for _ in range(100):
        if await services.delivery.lead():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the restarted pump did not take the leader lock again")


async def test_a_lagging_outbox_alerts_each_admin_once_in_their_language_then_says_it_recovered(
        running: Running) -> None:
    jigap = running.jigap
    services = jigap.services
    admin = await jigap.started_user("Admin", "en")
    jiho = await jigap.started_user("Jiho", "ko")
    for person in (admin, jiho):
        await jigap.make_platform_admin(person)
    eve = await jigap.started_user("Eve", "en")
    minji = await jigap.started_user("Minji", "ko")
    eve_before = len(await eve.chat())

    await services.delivery.stop()  # nothing leaves: the outbox falls behind as the clock moves on
    await services.delivery.enqueue(minji.id, "notice", {"text": "기다린 메시지"}, idempotency_key="ops-lag-1")
    jigap.advance(minutes=11)
    assert await services.alerts.check() == {AlertKind.OUTBOX_LAG: True}
    assert await services.alerts.check() == {}  # still behind, but told already
    assert await Alerts(services).check() == {}  # another worker on the same database sends nothing either

    services.delivery.start(BOT_TOKEN)
    await leading_again(services)
    await jigap.deliver()
    told = await admin.next_message()
    assert told.text == "⚠️ The outbox is falling behind: the oldest message due has waited 11 min. Waiting: 1."
    assert (await jiho.next_message()).text == "⚠️ 발송 대기열이 밀리고 있어요: 가장 오래된 메시지가 11분째 기다리고 있어요. 대기 중: 1건."
    assert (await minji.next_message()).text == "기다린 메시지"

    assert await services.alerts.check() == {AlertKind.OUTBOX_LAG: False}
    assert await services.alerts.check() == {}
    await jigap.deliver()
    assert (await admin.next_message()).text == "✅ Back to normal: the outbox is keeping up again."
    assert (await jiho.next_message()).text == "✅ 정상으로 돌아왔어요: 발송 대기열이 다시 제때 나가고 있어요."

    assert len(await eve.chat()) == eve_before  # not an admin: told nothing
    async with services.uow() as uow:
        state = (await uow.connection.execute(select(ops_alerts))).one()
        alerts = (await uow.connection.execute(
            select(outbox.c.chat_id, outbox.c.status).where(outbox.c.kind == "alert").order_by(outbox.c.id))).all()
    assert (state.kind, state.firing) == ("outbox_lag", False)
    assert sorted(alerts) == sorted([(admin.id, "sent"), (jiho.id, "sent")] * 2)


async def test_without_a_problem_nobody_is_told_anything(running: Running) -> None:
    jigap = running.jigap
    admin = await jigap.started_user("Admin", "en")
    await jigap.make_platform_admin(admin)
    jigap.advance(minutes=30)
    assert await jigap.services.alerts.check() == {}
    async with jigap.services.uow() as uow:
        assert (await uow.connection.execute(select(ops_alerts))).all() == []
