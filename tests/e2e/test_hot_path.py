"""An update whose user is known and unchanged is answered without waiting for a database write."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, update

from storage.core.tables import users
from tests.harness import Jigap


async def test_a_returning_user_is_answered_while_a_background_transaction_holds_the_writer(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "en")
    await minji.send("/start")
    long_ago = jigap.services.clock.now() - timedelta(days=3)
    async with jigap.services.uow() as uow:
        await uow.connection.execute(update(users).where(users.c.id == minji.id).values(last_seen_at=long_ago))
        await uow.commit()
    # A broadcast's pump transaction (say) holds SQLite's only writer slot while Minji comes back.
    async with jigap.services.uow.background()() as busy:
        await busy.users.note_seen(minji.id, long_ago)
        reply = await minji.send("/help", timeout=3)
        assert "/start" in reply.text
        await busy.commit()
    await jigap.services.members.seen_noted()
    async with jigap.services.uow.reader() as reader:
        seen = await reader.users.get(minji.id)
    assert seen is not None and seen.last_seen_at > long_ago


async def test_a_plain_message_costs_one_database_read_member_roles_and_open_flow_together(jigap: Jigap) -> None:
    minji = await jigap.user("Minji", "en")
    await minji.send("/start")
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    engine = jigap.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        reply = await minji.send("hello", timeout=3)
        await minji.send("/help", timeout=3)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "menu" in reply.text.lower()
    assert statements == ["SELECT", "SELECT"], statements  # one read per update, nothing written
