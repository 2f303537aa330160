"""Updates of one chat run in order; updates of different chats run side by side."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.update_processor import PerChatUpdateProcessor


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_one_chat_in_order_while_another_chat_is_not_held_up() -> None:
    processor = PerChatUpdateProcessor(concurrent_updates=8)
    log: list[str] = []
    slow_started = asyncio.Event()

    async def slow(name: str) -> None:
        log.append(f"start {name}")
        slow_started.set()
        await asyncio.sleep(0.2)
        log.append(f"end {name}")

    async def quick(name: str) -> None:
        log.append(f"run {name}")

    async with processor:
        tasks = [asyncio.create_task(processor.process_update(update_in(1, 1), slow("a1")))]
        await slow_started.wait()
        tasks.append(asyncio.create_task(processor.process_update(update_in(1, 2), quick("a2"))))
        tasks.append(asyncio.create_task(processor.process_update(update_in(2, 3), quick("b1"))))
        await asyncio.gather(*tasks)
    # b1 ran while a1 was still sleeping; a2 waited for a1.
    assert log == ["start a1", "run b1", "end a1", "run a2"]
    assert processor._chat_locks == {}  # idle chats are forgotten
