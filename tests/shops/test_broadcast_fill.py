"""A shop's broadcast writes its followers' rows a batch at a time, each batch its own transaction: a worker that dies
between two batches leaves a fill the scheduler's tick finishes, with one row per follower; a broadcast canceled
half-way stops being written. A shop the platform suspends sends nothing more: what is left of a broadcast is
dropped, and a scheduled one waits until the shop is restored. On both backends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.delivery import shop_broadcasts as sending
from bot.scheduler import shops_tick
from storage.core.tables import users
from storage.delivery.tables import outbox
from subscriptions.shops.audiences import WAITING, Audience, ShopBroadcast, Target
from subscriptions.shops.services import approvals, broadcasts
from tests.harness import Jigap
from tests.shops.steps import open_cafe_onda

FOLLOWERS = 4 * sending.FILL_BATCH + sending.FILL_BATCH // 2  # four whole batches and a part, above approval
FIRST_FOLLOWER = 900_000_000


class WorkerDied(ConnectionError):
    """What the fill meets when its worker's database connection goes away between two batches."""


async def _cafe_with_followers(world: Jigap) -> tuple[int, int]:
    """Cafe Onda with FOLLOWERS more followers who started the bot; (owner's id, the shop's org id)."""
    onda = await open_cafe_onda(world, language="en")
    now = world.services.clock.now()
    followers = list(range(FIRST_FOLLOWER, FIRST_FOLLOWER + FOLLOWERS))
    async with world.services.uow() as uow:
        await uow.connection.execute(insert(users), [
            {"id": user_id, "timezone": "Asia/Seoul", "telegram_language": "en", "is_bot_blocked": False,
             "is_banned": False, "created_at": now, "last_seen_at": now} for user_id in followers])
        await uow.shop_follows.add_many(onda.shop.org_id, followers, now)
        await uow.commit()
    return onda.sora.id, onda.shop.org_id


async def _planned(world: Jigap, owner_id: int, org_id: int) -> ShopBroadcast:
    """Planned to all the followers, and (so many of them) approved by a platform admin."""
    planned = await broadcasts.plan(world.services.shops, owner_id, org_id, text="Pumpkin latte from 18:00",
                                    audience=Audience.FOLLOWERS, target=Target.FOLLOWERS)
    assert planned.status == WAITING
    admin = await world.started_user("Admin", "en")
    await world.make_platform_admin(admin)
    return await approvals.approve(world.services.shops, admin.id, planned.id)


async def _rows(world: Jigap, delivery_id: int) -> tuple[int, int]:
    """(rows, distinct chats) of delivery's broadcast in the outbox."""
    async with world.services.uow.reader() as reader:
        found = (await reader.connection.execute(
            select(func.count(), func.count(outbox.c.chat_id.distinct())).where(outbox.c.broadcast_id == delivery_id)
        )).one()
    return int(found[0]), int(found[1])


async def _stored(world: Jigap, broadcast_id: str) -> ShopBroadcast:
    async with world.services.uow.reader() as reader:
        found = await reader.shop_broadcasts.get(broadcast_id)
    assert found is not None
    return found


def _dying_after(batches: int, fill_batch: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
    done = 0

    async def batch(broadcast_id: str) -> bool:
        nonlocal done
        if done == batches:
            raise WorkerDied("the worker stopped between two batches")
        done += 1
        return await fill_batch(broadcast_id)

    return batch


async def test_a_fill_left_half_way_is_finished_by_the_tick_with_one_row_per_follower(
        world: Jigap, monkeypatch: pytest.MonkeyPatch) -> None:
    owner_id, org_id = await _cafe_with_followers(world)
    planned = await _planned(world, owner_id, org_id)
    broadcaster = world.services.shop_broadcasts
    monkeypatch.setattr(broadcaster, "_fill_batch", _dying_after(2, broadcaster._fill_batch))
    with pytest.raises(WorkerDied):
        await broadcaster.send(planned.id)

    half = await _stored(world, planned.id)
    assert half.status == "sent" and half.broadcast_id is not None
    assert half.fill_after == FIRST_FOLLOWER + 2 * sending.FILL_BATCH - 1
    assert await _rows(world, half.broadcast_id) == (2 * sending.FILL_BATCH, 2 * sending.FILL_BATCH)
    async with world.services.uow.reader() as reader:
        assert await reader.shop_broadcasts.still_filling([half.broadcast_id]) == {half.broadcast_id}
        record = await reader.delivery.broadcasts.get(half.broadcast_id)
    assert record is not None and record.status == "running" and record.total == FOLLOWERS

    monkeypatch.undo()
    await shops_tick(world.services)
    whole = await _stored(world, planned.id)
    assert whole.fill_after is None
    assert await _rows(world, half.broadcast_id) == (FOLLOWERS, FOLLOWERS)
    async with world.services.uow.reader() as reader:
        assert await reader.shop_broadcasts.still_filling([half.broadcast_id]) == set()
        record = await reader.delivery.broadcasts.get(half.broadcast_id)
    assert record is not None and record.total == FOLLOWERS
    await shops_tick(world.services)  # nothing left to write: no row twice
    assert await _rows(world, half.broadcast_id) == (FOLLOWERS, FOLLOWERS)


async def test_a_broadcast_canceled_half_way_is_written_no_further(
        world: Jigap, monkeypatch: pytest.MonkeyPatch) -> None:
    owner_id, org_id = await _cafe_with_followers(world)
    planned = await _planned(world, owner_id, org_id)
    broadcaster = world.services.shop_broadcasts
    monkeypatch.setattr(broadcaster, "_fill_batch", _dying_after(1, broadcaster._fill_batch))
    with pytest.raises(WorkerDied):
        await broadcaster.send(planned.id)
    monkeypatch.undo()
    delivery_id = (await _stored(world, planned.id)).broadcast_id
    assert delivery_id is not None

    await world.services.delivery.broadcasts.cancel(delivery_id, by=owner_id, may_cancel_any=False)
    await shops_tick(world.services)
    assert (await _stored(world, planned.id)).fill_after is None
    async with world.services.uow.reader() as reader:
        pending = (await reader.connection.execute(select(func.count()).where(
            outbox.c.broadcast_id == delivery_id, outbox.c.status == "pending"))).scalar_one()
    assert pending == 0
    assert (await _rows(world, delivery_id))[0] == sending.FILL_BATCH


async def test_what_is_left_of_a_suspended_shops_broadcast_is_dropped(
        world: Jigap, monkeypatch: pytest.MonkeyPatch) -> None:
    owner_id, org_id = await _cafe_with_followers(world)
    planned = await _planned(world, owner_id, org_id)
    broadcaster = world.services.shop_broadcasts
    await world.services.delivery.stop()  # nothing leaves before the suspension
    monkeypatch.setattr(broadcaster, "_fill_batch", _dying_after(1, broadcaster._fill_batch))
    with pytest.raises(WorkerDied):
        await broadcaster.send(planned.id)
    monkeypatch.undo()
    async with world.services.uow() as uow:
        assert await uow.organisations.set_suspended(org_id, world.clock.now())
        await uow.commit()

    await shops_tick(world.services)  # the fill is finished all the same: its rows are the broadcast's record
    world.services.delivery.start(world.application.bot.token)
    await world.deliver()
    delivery_id = (await _stored(world, planned.id)).broadcast_id
    async with world.services.uow.reader() as reader:
        outcomes = (await reader.connection.execute(
            select(outbox.c.status, outbox.c.reason, func.count()).where(outbox.c.broadcast_id == delivery_id)
            .group_by(outbox.c.status, outbox.c.reason))).all()
    assert [tuple(row) for row in outcomes] == [("dropped", sending.SUSPENDED, FOLLOWERS)]


async def test_a_suspended_shops_scheduled_broadcast_waits_until_the_shop_is_restored(world: Jigap) -> None:
    regular = await world.started_user("Regular", "en")
    onda = await open_cafe_onda(world, [regular], language="en")
    planned = await broadcasts.plan(world.services.shops, onda.sora.id, onda.shop.org_id, text="Pumpkin latte at six",
                                    audience=Audience.FOLLOWERS, target=Target.FOLLOWERS,
                                    send_at=world.clock.now() + timedelta(hours=1))
    async with world.services.uow() as uow:
        assert await uow.organisations.set_suspended(onda.shop.org_id, world.clock.now())
        await uow.commit()
    world.advance(hours=2)
    await shops_tick(world.services)
    assert (await _stored(world, planned.id)).status == "scheduled"

    async with world.services.uow() as uow:
        assert await uow.organisations.set_suspended(onda.shop.org_id, None)
        await uow.commit()
    await shops_tick(world.services)
    assert (await _stored(world, planned.id)).status == "sent"
    await world.deliver()
    assert (await regular.next_message()).text == "Cafe Onda\n\nPumpkin latte at six"
