"""`/healthz` of the bot's web server: can this worker reach its database, who paces bulk sending, and how far
behind the outbox is. A load balancer takes a worker out while it answers 503 (starting, or no database)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.leader import led_elsewhere
from storage.ops.repositories import Backlog, OpsRepository

if TYPE_CHECKING:
    from bot.bootstrap import Services

log = logging.getLogger(__name__)
# A database that takes longer than this for SELECT 1 is as good as unreachable to a chat waiting for a reply.
DATABASE_TIMEOUT = 2.0
THIS_WORKER, ANOTHER_WORKER, NOBODY, UNKNOWN = "this worker", "another worker", "nobody", "unknown"


@dataclass(frozen=True)
class Health:
    running: bool
    database_error: str | None
    leader: str
    backlog: Backlog | None
    lag_seconds: float

    @property
    def healthy(self) -> bool:
        return self.running and self.database_error is None

    def as_json(self, uptime_seconds: int) -> dict[str, Any]:
        status = "ok" if self.healthy else ("starting" if not self.running else "database unreachable")
        body: dict[str, Any] = {
            "status": status, "uptime_s": uptime_seconds,
            "database": "ok" if self.database_error is None else f"unreachable: {self.database_error}",
            "pump_leader": self.leader,
        }
        if self.backlog is not None:
            body["outbox"] = {"pending": self.backlog.pending, "lag_seconds": round(self.lag_seconds, 1)}
        return body


async def check_health(services: Services, *, running: bool) -> Health:
    error = await database_error(services)
    if error is not None:
        return Health(running, error, UNKNOWN, None, 0.0)
    backlog = await outbox_backlog(services)
    lag = backlog.lag(services.clock.now()).total_seconds() if backlog is not None else 0.0
    return Health(running, None, await pump_leader(services), backlog, lag)


async def database_error(services: Services) -> str | None:
    """None when `SELECT 1` comes back in time; otherwise what went wrong, in a few words."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT:g}s"
    except (SQLAlchemyError, OSError) as error:
        return type(error).__name__
    return None


async def pump_leader(services: Services) -> str:
    """Who paces bulk sending: this worker, another one (PostgreSQL's leader lock is held elsewhere), or nobody."""
    if services.delivery.leading:
        return THIS_WORKER
    try:
        return ANOTHER_WORKER if await led_elsewhere(services.engine) else NOBODY
    except (SQLAlchemyError, OSError):
        return UNKNOWN


async def outbox_backlog(services: Services) -> Backlog | None:
    """The outbox's waiting rows and its oldest due one; None when the database does not answer."""
    try:
        async with services.uow.reader() as reader:
            return await OpsRepository(reader.connection).outbox_backlog(services.clock.now())
    except (SQLAlchemyError, OSError) as error:
        log.warning("could not read the outbox's backlog (%r)", error)
        return None
