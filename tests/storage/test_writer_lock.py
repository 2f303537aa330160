"""SQLite's one writer: interactive transactions go before background ones that are waiting."""

from __future__ import annotations

import asyncio

from storage.unit_of_work import WriterLock


async def test_a_waiting_chat_transaction_goes_before_waiting_background_ones() -> None:
    lock = WriterLock()
    order: list[str] = []

    async def work(name: str, background: bool) -> None:
        await lock.acquire(background=background)
        order.append(name)
        await asyncio.sleep(0.01)
        lock.release()

    await lock.acquire(background=True)  # a background transaction is running
    tasks = [asyncio.create_task(work(f"bulk{i}", True)) for i in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(work("chat", False)))
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["chat", "bulk0", "bulk1", "bulk2"]


async def test_a_cancelled_waiter_does_not_keep_the_lock() -> None:
    lock = WriterLock()
    await lock.acquire(background=False)
    waiter = asyncio.create_task(lock.acquire(background=True))
    await asyncio.sleep(0)
    lock.release()  # hands the lock to the waiter ...
    waiter.cancel()  # ... which is cancelled before it runs, so it must pass the lock on
    await asyncio.gather(waiter, return_exceptions=True)
    await asyncio.wait_for(lock.acquire(background=False), timeout=1)
    lock.release()
