"""Alerts to the platform's admins, in their chats: once a minute the bot looks at the outbox, Telegram's 429s,
the scheduler's runs and the error rate (`bot.alert_rules` decides what is a problem) and tells every platform
admin, in their language, through the delivery outbox.

A kind of alert goes out at most once per `[admin] alert_every_minutes`, and a short "back to normal" follows
when it clears. That state is in the database (`storage.ops`): several workers watching one outbox send one
alert between them, and a restart does not send it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.alert_rules import (
    BASELINE_MINUTES,
    AlertKind,
    AlertSettings,
    MinuteRecord,
    Observation,
    SweepRun,
    findings,
)
from bot.config import Config
from handlers.core.notices import NoticeContext, Reader
from handlers.core.outbound import OutboundMessage
from handlers.core.text import N_
from storage.delivery.repositories import PRIORITY_URGENT
from storage.ops.repositories import OpsRepository
from storage.unit_of_work import UnitOfWork
from subscriptions.accounts.access import PLATFORM, Permission
from subscriptions.accounts.roles import people_with

if TYPE_CHECKING:
    from bot.bootstrap import Services

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 60

ALERTS: dict[AlertKind, str] = {
    AlertKind.OUTBOX_LAG: N_("⚠️ The outbox is falling behind: the oldest message due has waited {minutes} min. "
                             "Waiting: {pending}."),
    AlertKind.RATE_LIMITED: N_("⚠️ Telegram keeps answering 429 (too many requests): in each of the last "
                               "{minutes} min, {answers} in all."),
    AlertKind.SWEEP_BEHIND: N_("⚠️ The scheduler is falling behind: a run took {seconds} s, longer than its "
                               "interval of {interval} s."),
    AlertKind.ERROR_RATE: N_("⚠️ Errors jumped: {errors} updates failed in the last minute, against about "
                             "{baseline} a minute before."),
}
RECOVERIES: dict[AlertKind, str] = {
    AlertKind.OUTBOX_LAG: N_("✅ Back to normal: the outbox is keeping up again."),
    AlertKind.RATE_LIMITED: N_("✅ Back to normal: Telegram no longer answers 429."),
    AlertKind.SWEEP_BEHIND: N_("✅ Back to normal: the scheduler keeps its interval again."),
    AlertKind.ERROR_RATE: N_("✅ Back to normal: the error rate is down again."),
}


def alert_settings(config: Config) -> AlertSettings:
    admin = config.admin
    return AlertSettings(lag=timedelta(minutes=admin.alert_lag_minutes),
                         rate_limited_minutes=admin.alert_429_minutes,
                         every=timedelta(minutes=admin.alert_every_minutes))


@dataclass
class _Runs:
    interval: float
    started: float | None = None
    took: float | None = None


class SweepTimes:
    """How long the scheduler's runs take, by job: `async with sweeps.timed("tick", 5): ...`."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._runs: dict[str, _Runs] = {}

    @asynccontextmanager
    async def timed(self, name: str, interval_seconds: float) -> AsyncIterator[None]:
        runs = self._runs.setdefault(name, _Runs(interval_seconds))
        runs.interval, runs.started = interval_seconds, self._monotonic()
        try:
            yield
        finally:
            runs.took, runs.started = self._monotonic() - runs.started, None

    def seen(self) -> list[SweepRun]:
        now = self._monotonic()
        return [SweepRun(name, runs.interval, runs.took, None if runs.started is None else now - runs.started)
                for name, runs in self._runs.items()]


class Alerts:
    """The minute's check: observe, decide with `bot.alert_rules`, and tell the admins what changed."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self.settings = alert_settings(services.config)
        self.sweeps = SweepTimes()
        self._rate_limited = MinuteRecord(keep=max(self.settings.rate_limited_minutes, 1))
        self._errors = MinuteRecord(keep=BASELINE_MINUTES + 1)

    async def check(self, bot_username: str = "") -> dict[AlertKind, bool]:
        """One check: what was sent (True: an alert, False: back to normal), by kind."""
        observation = await self.observe()
        found = findings(observation, self.settings)
        admins = await people_with(self._services.accounts, Permission.ADMIN_MENU, PLATFORM)
        if not admins:
            return {}
        notices = NoticeContext(self._services, bot_username)
        readers = [await notices.reader(admin_id) for admin_id in admins]  # read before the writing transaction
        sent: dict[AlertKind, bool] = {}
        async with self._services.uow.background()() as uow:
            ops = OpsRepository(uow.connection)
            now = self._services.clock.now()
            for kind in AlertKind:
                finding = found.get(kind)
                if finding is not None and await ops.claim_alert(kind.value, now, self.settings.every):
                    await tell(uow, readers, f"ops:{kind.value}:alert:{now.isoformat()}", ALERTS[kind],
                               finding.figures, now)
                    sent[kind] = True
            for kind in (AlertKind(name) for name in await ops.firing()):
                if kind not in found and await ops.clear_alert(kind.value, now):
                    await tell(uow, readers, f"ops:{kind.value}:ok:{now.isoformat()}", RECOVERIES[kind], {}, now)
                    sent[kind] = False
            await uow.commit()
        if sent:
            log.warning("alerts to the platform admins: %s",
                        ", ".join(f"{kind.value} {'firing' if firing else 'back to normal'}"
                                  for kind, firing in sent.items()))
            self._services.delivery.wake()
        return sent

    async def observe(self) -> Observation:
        services = self._services
        async with services.uow.reader() as reader:
            backlog = await OpsRepository(reader.connection).outbox_backlog(services.clock.now())
        pump = services.delivery.pump
        self._rate_limited.record(pump.stats.rate_limited if pump is not None else 0)
        self._errors.record(services.metrics.errors_so_far)
        return Observation(backlog.lag(services.clock.now()), backlog.pending, self._rate_limited.per_minute,
                           self._errors.per_minute, self.sweeps.seen())



async def tell(uow: UnitOfWork, readers: list[Reader], key: str, text: str, figures: dict[str, int],
               now: datetime) -> None:
    """Queue `text` for every admin in their language, ahead of bulk messages (an alert about a slow outbox
    must not wait behind the broadcast that slowed it)."""
    for reader in readers:
        message = OutboundMessage(reader.tr(text, **figures))
        await uow.outbox.enqueue(reader.chat_id, "alert", message.payload(),
                                 idempotency_key=f"{key}:{reader.chat_id}", now=now, priority=PRIORITY_URGENT)
