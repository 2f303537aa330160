"""The hot path: an update costs one read for the member, their roles and their open flow, besides storing the
update itself in the inbox; storing it goes ahead of background work waiting for SQLite's one writer, and a
reply that only reads does not wait for it at all."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, select, update

from storage.core.tables import inbox, users
from tests.harness import Jigap

BACKGROUND_TRANSACTIONS = 10


async def test_a_returning_user_is_answered_before_the_background_work_queued_for_the_writer(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "en")
    await minji.send("/start")
    long_ago = jigap.services.clock.now() - timedelta(days=3)
    async with jigap.services.uow() as uow:
        await uow.connection.execute(update(users).where(users.c.id == minji.id).values(last_seen_at=long_ago))
        await uow.commit()
    finished: list[int] = []

    async def busy(index: int) -> None:  # a broadcast's pump transactions (say), each holding the writer a while
        async with jigap.services.uow.background()() as work:
            await work.users.note_seen(minji.id, long_ago)
            await asyncio.sleep(0.2)
            await work.commit()
        finished.append(index)

    background = [asyncio.create_task(busy(index)) for index in range(BACKGROUND_TRANSACTIONS)]
    await asyncio.sleep(0.05)  # the first holds the writer, the others queue behind it
    reply = await minji.send("/help", timeout=5)
    assert "/start" in reply.text
    assert len(finished) < BACKGROUND_TRANSACTIONS // 2, finished  # the chat went ahead of the queue
    await asyncio.gather(*background)
    await jigap.services.members.seen_noted()
    async with jigap.services.uow.reader() as reader:
        seen = await reader.users.get(minji.id)
    assert seen is not None and seen.last_seen_at > long_ago


async def test_a_plain_message_costs_one_database_read_member_roles_and_open_flow_together(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "en")
    await minji.send("/start")
    # Her first update of the day is noted as active behind its reply, once; the messages counted below are not.
    await jigap.services.stats.active_noted()
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = jigap.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        reply = await minji.send("hello", timeout=3)
        await minji.send("/help", timeout=3)
        await jigap.services.inbox.stop()  # the batched "done" marks land now
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "menu" in reply.text.lower()
    # The delivery pump's claims (it polls the outbox now and then, whatever the chat does) are not the update's.
    verbs = [statement.split(None, 1)[0].upper() for statement in statements
             if " inbox" not in statement and " outbox" not in statement and not statement.startswith("BEGIN")]
    assert verbs == ["SELECT", "SELECT"], statements  # one read per update for the member; nothing else
    stored = [statement.split(None, 1)[0].upper() for statement in statements if " inbox" in statement]
    assert stored.count("INSERT") == 2 and set(stored) <= {"INSERT", "UPDATE"}, stored


async def _inbox_rows(jigap: Jigap, chat_id: int) -> dict[int, str]:
    async with jigap.services.uow.reader() as reader:
        rows = (await reader.connection.execute(
            select(inbox.c.update_id, inbox.c.status).where(inbox.c.chat_id == chat_id))).all()
    return {row.update_id: row.status for row in rows}


async def test_a_reply_that_only_reads_goes_out_while_its_update_waits_for_the_writer(jigap: Jigap) -> None:
    minji = await jigap.started_user("Minji", "en")
    await jigap.services.inbox.stop()  # /start's row is marked done: what follows is /help's alone
    before = await _inbox_rows(jigap, minji.id)
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_the_writer() -> None:  # a broadcast's batch, say, that takes its time
        async with jigap.services.uow.background()() as work:
            await work.users.note_seen(minji.id, jigap.services.clock.now())
            held.set()
            await release.wait()
            await work.commit()

    holder = asyncio.create_task(hold_the_writer())
    await held.wait()
    try:
        reply = await minji.send("/help", timeout=5)
        assert "/start" in reply.text
        assert await _inbox_rows(jigap, minji.id) == before  # its row waits behind the writer
    finally:
        release.set()
        await holder
    await jigap.services.inbox.before_next_poll()
    await jigap.services.inbox.stop()
    after = await _inbox_rows(jigap, minji.id)
    assert len(after) == len(before) + 1 and set(after.values()) == {"done"}, after
