"""An update whose user is known and unchanged is answered without waiting for a database write."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.core.tables import users
from tests.e2e.harness import Jigap


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
