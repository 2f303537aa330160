"""What the bot counts and times, in Prometheus' text format at `/metrics` of its web server.

Every running bot has a registry of its own (built with its services): tests and benches run several bots in
one process, and the client library's global registry would add up their counts. Counters and histograms move
as things happen; the gauges (outbox pending and lag, the update queue) are read when Prometheus scrapes.

Handlers reach these through `context.services.metrics`; the routes are timed by the domain that registered
them (`bot.app`), Bot API calls by their method (`bot.telegram_request`, `bot.delivery.sender`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram.ext import ApplicationHandlerStop

from bot.delivery.pump import PumpStats
from handlers.core.notices import Notice, NoticeContext
from subscriptions.billing.events import PaymentReceived

# How a route was reached: a command, a button press, or a message its feature took.
COMMAND, BUTTON, MESSAGE = "command", "button", "message"
# Handlers answer within milliseconds; a slow one (a chart, a PDF) takes seconds.
HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Bot API calls: a few milliseconds to the sandbox, tens to Telegram, seconds for uploads.
BOT_API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Handler = Callable[..., Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ScrapeGauges:
    """What the gauges show, read from the database and the Application right before a scrape; the outbox's
    figures are None when the database did not answer (its gauges keep what they last showed)."""

    outbox_pending: int | None
    outbox_lag_seconds: float | None
    update_queue: int


class DeliveryCollector(Collector):
    """The pump's own counts (`PumpStats`), reported as they stand at each scrape: the pump keeps them already,
    and a second count beside them could only drift."""

    def __init__(self, stats: Callable[[], PumpStats | None]) -> None:
        self._stats = stats

    def describe(self) -> Iterator[Metric]:
        """What it reports, without asking the pump (the registry asks when the collector is registered)."""
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        stats = self._stats() or PumpStats()
        for result, count in (("sent", stats.sent), ("failed", stats.failed), ("dropped", stats.dropped),
                              ("rate_limited", stats.rate_limited), ("transient", stats.transient)):
            family.add_metric([result], count)
        yield family

    @staticmethod
    def _family() -> CounterMetricFamily:
        return CounterMetricFamily("jigap_deliveries", "Outbox messages the delivery pump finished, by result",
                                   labels=["result"])


class Metrics:
    """The bot's metrics on a registry of its own."""

    def __init__(self, delivery_stats: Callable[[], PumpStats | None] = lambda: None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates = Counter("jigap_updates", "Updates answered, by the domain whose route answered and how",
                               ["domain", "kind"], registry=registry)
        self.handler_seconds = Histogram("jigap_handler_seconds", "Time a route's handler took, by domain",
                                         ["domain"], buckets=HANDLER_BUCKETS, registry=registry)
        self.handler_errors = Counter("jigap_handler_errors", "Updates whose handler failed", registry=registry)
        self.bot_api_seconds = Histogram("jigap_bot_api_seconds", "Time a Bot API call took, by method",
                                         ["method"], buckets=BOT_API_BUCKETS, registry=registry)
        self.payments = Counter("jigap_payments_credited", "Payments credited, by currency", ["currency"],
                                registry=registry)
        self.refusals = Counter("jigap_refusals", "Privileged actions refused, by the permission asked for",
                                ["permission"], registry=registry)
        self.webhook_updates = Counter("jigap_webhook_updates", "Updates Telegram posted to the webhook",
                                       registry=registry)
        self.webhook_refused = Counter("jigap_webhook_refused", "Webhook posts without the right secret token",
                                       registry=registry)
        self.outbox_pending = Gauge("jigap_outbox_pending", "Outbox messages waiting to be sent", registry=registry)
        self.outbox_lag = Gauge("jigap_outbox_lag_seconds", "How long the oldest due outbox message has waited",
                                registry=registry)
        self.update_queue = Gauge("jigap_update_queue_size", "Updates received and not yet handled",
                                  registry=registry)
        registry.register(DeliveryCollector(delivery_stats))
        # Failed handlers since start, as a plain number the error-rate alert reads each minute.
        self.errors_so_far = 0

    def exposition(self, gauges: ScrapeGauges) -> bytes:
        """The text Prometheus scrapes, with the gauges set to what was just read."""
        if gauges.outbox_pending is not None:
            self.outbox_pending.set(gauges.outbox_pending)
        if gauges.outbox_lag_seconds is not None:
            self.outbox_lag.set(gauges.outbox_lag_seconds)
        self.update_queue.set(gauges.update_queue)
        return generate_latest(self.registry)

    async def payment_credited(self, event: PaymentReceived, _notices: NoticeContext) -> list[Notice]:
        """Counts a credited payment (a handler of billing's PaymentReceived, which says nothing to anyone)."""
        self.payments.labels(event.amount.currency).inc()
        return []

    def handler_failed(self) -> None:
        self.errors_so_far += 1
        self.handler_errors.inc()

    def refused(self, permission: str) -> None:
        self.refusals.labels(permission).inc()

    def bot_api_call(self, method: str, seconds: float) -> None:
        self.bot_api_seconds.labels(method).observe(seconds)

    def timed(self, domain: str, kind: str, handler: Handler, *, passes_on: bool = False) -> Handler:
        """`handler`, timed under `domain` and counted once it answered. A handler that `passes_on` (a feature's
        message handler sees every message of its filter and leaves those that are not its to the next group)
        answered only when it took the message, raising ApplicationHandlerStop."""
        seconds = self.handler_seconds.labels(domain)
        answered = self.updates.labels(domain, kind)

        async def run(*args: Any) -> None:
            started = time.perf_counter()
            took = not passes_on
            try:
                await handler(*args)
            except ApplicationHandlerStop:
                took = True
                raise
            finally:
                seconds.observe(time.perf_counter() - started)
                if took:
                    answered.inc()

        return run
