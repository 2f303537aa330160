"""Billing benchmark: card renewals processed per second, ledger writes included.

    python bench/billing.py                      # 100,000 due subscriptions, 3 runs, medians
    python bench/billing.py --quick              # 3,000 due subscriptions, 3 runs (under a minute)
    python bench/billing.py --postgres URL       # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

Each run starts from an empty database holding N active card subscriptions whose period ends in
three days. A renewal is what the billing clock and the payment make of one of them: the sweep
issues its renewal invoice (a checkout, the subscription marked invoiced, a message for the
dispatcher), and the paid invoice is credited (the payment row, the renewed term, a balanced
journal transaction with its split postings, the receipt message). Sweeps read a batch of due rows
in one query and write with executemany; payments are credited a batch per transaction, each batch
read (untimed) just before it is credited, as payments arrive.
Last line: `renewals_per_s_sqlite=`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.postgres_database import fresh_postgres  # noqa: E402
from bot.bootstrap import billing_for, freeze_startup_objects
from bot.config import load_config  # noqa: E402
from storage.billing.tables import billing_checkouts, billing_journal, billing_payments
from storage.engine import create_engine  # noqa: E402
from storage.envelope import Envelope, KeyRing, new_master_key  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from storage.unit_of_work import UnitOfWorkFactory  # noqa: E402
from subscriptions.billing import services as domain
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.payments import SuccessfulPayment
from subscriptions.billing.subscription import Status, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit  # noqa: E402
from subscriptions.clock import FixedClock
from subscriptions.money import Money  # noqa: E402

START = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
ORGS = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}
SEED_CHUNK = 5000


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - a bench prints its figures


async def _seed(service: domain.Billing, count: int) -> datetime:
    """`count` active card subscriptions to Cafe Onda's pass, all paid through the same instant."""
    calendar = BillingCalendar(START, "Asia/Seoul", Interval(Unit.MONTH))
    period = calendar.period(0)
    for offer in demo_offers(ORGS, START):
        await domain.publish_offer(service, offer)
    for first in range(0, count, SEED_CHUNK):
        async with service.uow() as uow:
            for index in range(first, min(count, first + SEED_CHUNK)):
                sub = Subscription(
                    id=f"s{index:07d}", user_id=10_000_000 + index, offer_id="onda-pass",
                    merchant_id=str(ORGS["cafe-onda"]), plan_id="americano20", provider="card", calendar=calendar,
                    term=Term(1, period.start, period.end, "americano20-v1", Money(45000, "KRW")),
                    status=Status.ACTIVE, created_at=START,
                )
                await uow.subscriptions.add(sub)
            await uow.commit()
    return period.end


async def _count(service: domain.Billing, table: object) -> int:
    async with service.uow() as uow:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int((await uow.connection.execute(query)).scalar_one())


async def _renewal_payments(service: domain.Billing, after: str, limit: int) -> tuple[str, list[SuccessfulPayment]]:
    """The next `limit` renewal invoices by id after `after`, paid: what Telegram would send us for them.
    Read a batch at a time, as payments arrive, so the bench holds no more of them than the bot would."""
    table = billing_checkouts
    async with service.uow() as uow:
        rows = (await uow.connection.execute(
            select(table.c.id, table.c.user_id, table.c.payload).where(table.c.id > after)
            .order_by(table.c.id).limit(limit))).all()
    paid = [SuccessfulPayment(row.user_id, "KRW", 45000, row.payload, f"tgpc-{row.payload}", f"prov-{row.payload}")
            for row in rows]
    return (rows[-1].id if rows else after), paid


async def run_once(url: str, count: int, batch: int) -> tuple[float, float, float, float]:
    """Seconds spent issuing the renewal invoices and crediting their payments, renewals per second of
    wall-clock time, and renewals per second of this process's CPU time (steadier on a busy machine)."""
    engine = create_engine(url, pool_size=4)
    try:
        await migrate(engine)
        clock = FixedClock(START)
        units = UnitOfWorkFactory(engine, Envelope(KeyRing.single(new_master_key())), now=clock.now)
        service = billing_for(load_config(environ={}), units, clock)
        freeze_startup_objects()  # as `jigap run` does once it is up
        period_end = await _seed(service, count)
        clock.set(period_end - timedelta(days=3))
        cpu_started = time.process_time()
        started = time.perf_counter()
        issued = batch
        while issued == batch:  # a short batch means none are left
            issued = await domain.issue_renewal_invoices(service, limit=batch)
        invoicing, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        crediting, last = 0.0, ""
        while True:
            last, paid = await _renewal_payments(service, last, batch)
            if not paid:
                break
            cpu_before, before = time.process_time(), time.perf_counter()
            await domain.record_payments(service, paid)
            crediting += time.perf_counter() - before
            cpu += time.process_time() - cpu_before
        payments, journal = await _count(service, billing_payments), await _count(service, billing_journal)
        if payments != count or journal != count:
            raise AssertionError(f"{count} renewals made {payments} payments and {journal} journal entries")
        return invoicing, crediting, count / (invoicing + crediting), count / cpu
    finally:
        await engine.dispose()


@asynccontextmanager
async def _database(backend: str, base_url: str | None) -> AsyncIterator[str]:
    """A fresh database of `backend` for one run."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    assert base_url is not None
    async with fresh_postgres(base_url) as url:
        yield url


async def bench(backend: str, base_url: str | None, count: int, runs: int, batch: int) -> float:
    rates, cpu_rates = [], []
    for run in range(runs):
        async with _database(backend, base_url) as url:
            invoicing, crediting, rate, cpu_rate = await run_once(url, count, batch)
        rates.append(rate)
        cpu_rates.append(cpu_rate)
        _say(f"{backend} run {run + 1}: {count} renewals, invoices {invoicing:.2f}s + payments {crediting:.2f}s "
             f"= {rate:,.0f} renewals/s ({cpu_rate:,.0f} per CPU-second of this process)")
    median = statistics.median(rates)
    target = " (target 2,000/s)" if backend == "sqlite" else ""
    _say(f"{backend}: median {median:,.0f} renewals/s over {runs} runs{target}; "
         f"median {statistics.median(cpu_rates):,.0f} per CPU-second")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3,000 subscriptions (under a minute)")
    parser.add_argument("--count", type=int, default=None, help="due subscriptions per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="rows per sweep query and per payment transaction")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    count = args.count or (3_000 if args.quick else 100_000)
    results = {}
    if args.postgres:
        results["postgresql"] = asyncio.run(bench("postgresql", args.postgres, count, args.runs, args.batch))
    results["sqlite"] = asyncio.run(bench("sqlite", None, count, args.runs, args.batch))
    if "postgresql" in results:
        _say(f"renewals_per_s_postgresql={results['postgresql']:.0f}")
    _say(f"renewals_per_s_sqlite={results['sqlite']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
