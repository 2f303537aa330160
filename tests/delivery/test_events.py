"""The one event path on both backends: an event recorded in its cause's transaction reaches its handlers once,
its notices are queued once however often it is handed out, and a handler that keeps failing is retried
with backoff and then marked failed, while the other events go on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.bootstrap import Services
from bot.events import DispatchSettings, EventDispatcher
from handlers.core.notices import Notice, NoticeContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from sandbox.server import SandboxServer
from storage.core.tables import events
from storage.delivery.tables import outbox
from subscriptions.clock import FixedClock
from tests.delivery.conftest import add_started_users


@dataclass(frozen=True)
class ParcelArrived:
    user_id: int
    parcel: str


@dataclass(frozen=True)
class ParcelLost:
    user_id: int


async def _record(services: Services, *happened: object) -> None:
    async with services.uow() as uow:
        await uow.events.add(happened)
        await uow.commit()


async def _statuses(services: Services) -> list[tuple[str, str, int]]:
    async with services.uow() as uow:
        rows = await uow.connection.execute(
            select(events.c.kind, events.c.status, events.c.attempts).order_by(events.c.id))
        return [(row.kind, row.status, row.attempts) for row in rows.all()]


async def _outbox_texts(services: Services) -> list[str]:
    async with services.uow() as uow:
        rows = await uow.connection.execute(select(outbox.c.payload).order_by(outbox.c.id))
        return [payload["text"] for payload in rows.scalars()]


def _dispatcher(services: Services, routes: Routes, clock: FixedClock) -> EventDispatcher:
    settings = DispatchSettings(batch_size=10, max_attempts=3, lease=timedelta(seconds=30), backoff_max=60)
    return EventDispatcher(services.uow.background(), clock, routes.events, settings,
                           context=NoticeContext(services, "jigap_delivery_bot"))


async def test_an_event_reaches_its_handlers_once_and_its_notices_are_queued_once(
    sandbox: SandboxServer, runtime: Services
) -> None:
    (user,) = await add_started_users(sandbox, runtime, 1)
    routes = Routes()

    async def tell(event: ParcelArrived, notices: NoticeContext) -> list[Notice]:
        reader = await notices.reader(event.user_id)
        return [Notice(reader.chat_id, OutboundMessage(f"{event.parcel} arrived").payload())]

    async def tell_again(event: ParcelArrived, notices: NoticeContext) -> list[Notice]:
        return [Notice(event.user_id, OutboundMessage(f"{event.parcel}: sign for it").payload())]

    routes.on_event(ParcelArrived, tell)
    routes.on_event(ParcelArrived, tell_again)
    await _record(runtime, ParcelArrived(user, "Books"), ParcelLost(user))
    clock = FixedClock(runtime.clock.now())
    dispatcher = _dispatcher(runtime, routes, clock)

    assert await dispatcher.drain() == 2
    assert await dispatcher.drain() == 0
    assert await _statuses(runtime) == [("ParcelArrived", "done", 1), ("ParcelLost", "done", 1)]
    assert await _outbox_texts(runtime) == ["Books arrived", "Books: sign for it"]

    # A worker so slow that its lease lapsed: another hands the events out again and queues their notices
    # again, but notices are keyed by the event, so nothing is queued twice.
    async with runtime.uow() as uow:
        await uow.connection.execute(events.update().values(status="pending"))
        await uow.commit()
    clock.advance(timedelta(minutes=1))
    assert await dispatcher.drain() == 2
    assert await _outbox_texts(runtime) == ["Books arrived", "Books: sign for it"]


async def test_a_handler_that_keeps_failing_is_retried_with_backoff_then_marked_failed(
    sandbox: SandboxServer, runtime: Services
) -> None:
    (user,) = await add_started_users(sandbox, runtime, 1)
    routes = Routes()

    async def broken(event: ParcelLost, notices: NoticeContext) -> list[Notice]:
        raise KeyError("the parcel's sender")

    async def fine(event: ParcelArrived, notices: NoticeContext) -> list[Notice]:
        return [Notice(event.user_id, OutboundMessage(f"{event.parcel} arrived").payload())]

    routes.on_event(ParcelLost, broken)
    routes.on_event(ParcelArrived, fine)
    await _record(runtime, ParcelLost(user), ParcelArrived(user, "Tea"))
    clock = FixedClock(runtime.clock.now())
    dispatcher = _dispatcher(runtime, routes, clock)

    assert await dispatcher.drain() == 2  # one handled, one failed for now
    assert await _statuses(runtime) == [("ParcelLost", "pending", 1), ("ParcelArrived", "done", 1)]
    assert await dispatcher.drain() == 0  # backing off: not handed out again at once
    for attempt in (2, 3):
        clock.advance(timedelta(minutes=2))
        assert await dispatcher.drain() == 1
        status = "failed" if attempt == 3 else "pending"
        assert (await _statuses(runtime))[0] == ("ParcelLost", status, attempt)
    clock.advance(timedelta(hours=1))
    assert await dispatcher.drain() == 0
    assert await _outbox_texts(runtime) == ["Tea arrived"]
    async with runtime.uow() as uow:
        error = (await uow.connection.execute(select(events.c.error).where(events.c.kind == "ParcelLost"))).scalar()
    assert error is not None and "the parcel's sender" in error
