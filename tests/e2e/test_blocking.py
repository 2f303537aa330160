"""A user who blocks the bot is marked unreachable as soon as Telegram says so (`my_chat_member`), what waits
for them is dropped, and unblocking makes them reachable again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.delivery.repositories import PRIORITY_NORMAL
from tests.harness import Jigap


async def _blocked(jigap: Jigap, user_id: int) -> bool:
    async with jigap.services.uow() as uow:
        user = await uow.users.get(user_id)
    assert user is not None
    return user.is_bot_blocked


async def _settles(jigap: Jigap, user_id: int, blocked: bool) -> None:
    """The update has no reply to wait for: watch the stored row instead (five seconds at most)."""
    for _ in range(250):
        if await _blocked(jigap, user_id) == blocked:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"user {user_id} is still {'not ' if blocked else ''}marked blocked")


async def test_blocking_the_bot_marks_the_user_at_once_and_drops_what_waits_for_them(jigap: Jigap) -> None:
    hana = await jigap.user("Hana")
    await hana.send("/start")
    later = jigap.services.clock.now() + timedelta(hours=1)
    async with jigap.services.uow() as uow:
        await uow.outbox.enqueue(hana.id, "notice", {"text": "Your pass renews tomorrow"}, idempotency_key="later:1",
                                 now=jigap.services.clock.now(), priority=PRIORITY_NORMAL, not_before=later)
        await uow.commit()

    await hana.block()
    await _settles(jigap, hana.id, blocked=True)
    async with jigap.services.uow() as uow:
        rows = await uow.outbox.rows_for_chat(hana.id)
    assert rows == [("notice", "dropped", "blocked by the user")]

    await hana.unblock()
    await _settles(jigap, hana.id, blocked=False)
    reply = await hana.send("/start")
    assert "Hana" in reply.text

