"""The outbox as stored: idempotent enqueue in the caller's transaction, leased claims, SKIP LOCKED claims."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def _factory(database_url: str, envelope: Envelope) -> UnitOfWorkFactory:
    engine = create_engine(database_url)
    await migrate(engine)
    return UnitOfWorkFactory(engine, envelope)


async def test_enqueueing_twice_with_one_key_stores_one_row(database_url: str, envelope: Envelope) -> None:
    uow = await _factory(database_url, envelope)
    try:
        async with uow() as unit:
            first = await unit.outbox.enqueue(1, "receipt", {"text": "Paid"}, idempotency_key="r:1", now=NOW)
            second = await unit.outbox.enqueue(1, "receipt", {"text": "Paid"}, idempotency_key="r:1", now=NOW)
            await unit.commit()
        async with uow() as unit:
            assert (first, second) == (True, False)
            assert await unit.outbox.counts_by_status() == {"pending": 1}
    finally:
        await uow.engine.dispose()


async def test_a_row_enqueued_in_a_rolled_back_unit_of_work_is_never_sent(database_url: str, envelope: Envelope) -> None:
    uow = await _factory(database_url, envelope)
    try:
        async with uow() as unit:
            await unit.outbox.enqueue(1, "receipt", {"text": "Paid"}, idempotency_key="r:2", now=NOW)
        async with uow() as unit:
            assert await unit.outbox.claim("w", now=NOW, limit=10, lease=LEASE) == []
    finally:
        await uow.engine.dispose()


async def test_a_claim_is_a_lease_and_an_expired_lease_makes_the_row_claimable_again(
    database_url: str, envelope: Envelope
) -> None:
    uow = await _factory(database_url, envelope)
    try:
        async with uow() as unit:
            await unit.outbox.enqueue(5, "notice", {"text": "a"}, idempotency_key="k1", now=NOW, priority=9)
            await unit.outbox.enqueue(6, "notice", {"text": "b"}, idempotency_key="k2", now=NOW, priority=0)
            await unit.outbox.enqueue(7, "notice", {"text": "c"}, idempotency_key="k3", now=NOW,
                                      not_before=NOW + timedelta(hours=1))
            await unit.commit()
        async with uow() as unit:
            claimed = await unit.outbox.claim("w1", now=NOW, limit=10, lease=LEASE)
            await unit.commit()
        assert [row.chat_id for row in claimed] == [6, 5]
        async with uow() as unit:
            assert await unit.outbox.claim("w2", now=NOW + timedelta(seconds=5), limit=10, lease=LEASE) == []
            assert await unit.outbox.reclaim_expired(NOW + timedelta(seconds=5)) == 0
            assert await unit.outbox.reclaim_expired(NOW + timedelta(seconds=31)) == 2
            again = await unit.outbox.claim("w2", now=NOW + timedelta(seconds=31), limit=10, lease=LEASE)
            await unit.commit()
        assert sorted(row.chat_id for row in again) == [5, 6]
    finally:
        await uow.engine.dispose()


async def test_a_claim_takes_no_more_than_its_limit_from_a_long_queue(database_url: str, envelope: Envelope) -> None:
    uow = await _factory(database_url, envelope)
    try:
        async with uow() as unit:
            for index in range(200):
                await unit.outbox.enqueue(index + 1, "broadcast", {"text": "hi"}, idempotency_key=f"b:{index}", now=NOW)
            await unit.commit()
        async with uow() as unit:
            claimed = await unit.outbox.claim("w", now=NOW, limit=20, lease=LEASE)
            await unit.commit()
        async with uow() as unit:
            assert len(claimed) == 20
            assert await unit.outbox.counts_by_status() == {"pending": 180, "sending": 20}
    finally:
        await uow.engine.dispose()


async def test_concurrent_claims_never_hand_out_the_same_row(database_url: str, envelope: Envelope) -> None:
    uow = await _factory(database_url, envelope)
    try:
        async with uow() as unit:
            for index in range(300):
                await unit.outbox.enqueue(index + 1, "broadcast", {"text": "hi"}, idempotency_key=f"b:{index}", now=NOW)
            await unit.commit()

        async def claimer(name: str) -> list[int]:
            taken: list[int] = []
            while True:
                async with uow() as unit:
                    rows = await unit.outbox.claim(name, now=NOW, limit=7, lease=LEASE)
                    await unit.commit()
                if not rows:
                    return taken
                taken += [row.id for row in rows]

        results = await asyncio.gather(*(claimer(f"w{n}") for n in range(4)))
        every = [row_id for taken in results for row_id in taken]
        assert len(every) == 300 and len(set(every)) == 300
    finally:
        await uow.engine.dispose()
