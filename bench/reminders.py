"""Reminder sweep benchmark: 1,000,000 subscriptions, 100,000 of them due, turned into outbox rows.

    python bench/reminders.py                        # 1,000,000 subscriptions, 100,000 due; 3 runs, medians
    python bench/reminders.py --quick                # 200,000 subscriptions, 20,000 due; 1 run (under a minute)
    python bench/reminders.py --subjects notices     # the same over scheduled notices (the generic kind)

The subjects are active card subscriptions (`--subjects notices`: scheduled notices). `--due` of them end
their term within the renewal reminder's lead (three days), so each gets a "renews on ..." reminder; the
rest end later and lie outside every kind's window. One full sweep (every registered kind) runs on a table
of `--due` rows and on one of `--rows` rows, on SQLite, each in a fresh process so a measurement's memory
and caches are its own. Last lines: `sweep_rows_per_s=` (outbox rows written a second on the big table),
`sweep_scaling_ratio=` (sweep time with `--rows` rows / with `--due` rows, the same number due), and
before them `sweep_cpu_us_per_row=` (CPU time of the sweep's process, all threads, per outbox row: steadier
than wall time on a busy machine) and `sweep_peak_memory_mb=` (the most the sweep's memory grew).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child_process import ChildProcess  # noqa: E402
from bot.app import register_billing_reminders  # noqa: E402
from bot.bootstrap import Services, freeze_startup_objects, open_runtime
from bot.config import Config  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.envelope import KeyRing, new_master_key  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.subscription import Status, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit  # noqa: E402
from subscriptions.clock import FixedClock
from subscriptions.money import Money  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul: outside quiet hours
USERS = 20_000
FIRST_USER = 800_000_000
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
ORGS = {"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}
TEMPLATE_ID = "template"


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - a bench prints its figures


def _config(path: Path, batch_size: int) -> Config:
    base = Config()  # the documented defaults, whatever config.toml in the working folder says
    return base.replace(
        database=base.database.__class__(url=f"sqlite+aiosqlite:///{path}", migrate_on_start=False),
        scheduler=base.scheduler.__class__(batch_size=batch_size),
    )


async def create_schema(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def fill_users(db: sqlite3.Connection) -> None:
    stamp = NOW.strftime(SQLITE_FORMAT)
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
        "INSERT INTO users (id, timezone, is_bot_blocked, is_banned, created_at, last_seen_at, "
        "telegram_language) SELECT ? + i, 'Asia/Seoul', 0, 0, ?, ?, 'ko' FROM n",
        (USERS, FIRST_USER, stamp, stamp),
    )


async def add_template_subscription(services: Services) -> None:
    """One subscription written by the billing repository: the rows `fill_subscriptions` copies."""
    calendar = BillingCalendar(NOW, "Asia/Seoul", Interval(Unit.MONTH))
    period = calendar.period(0)
    template = Subscription(
        id=TEMPLATE_ID, user_id=FIRST_USER, offer_id="onda-pass", merchant_id=str(ORGS["cafe-onda"]),
        plan_id="americano20", provider="card", calendar=calendar,
        term=Term(1, period.start, period.end, "americano20-v1", Money(45000, "KRW")), status=Status.ACTIVE,
        created_at=NOW,
    )
    async with services.uow() as uow:
        for offer in demo_offers(ORGS, NOW):
            await uow.billing.offers.add(offer)
        await uow.billing.subscriptions.add(template)
        await uow.billing.flush()
        await uow.commit()


def fill_subscriptions(db: sqlite3.Connection, rows: int, due: int) -> None:
    """Copies of the template inside SQLite: setting up a million rows is not what is measured.

    The first `due` subscriptions end their term at spread-out moments two to three days from now, so their
    renewal reminder (three days before) fell due within the last day; the others end 4 to 34 days from now,
    outside every reminder kind's window.
    """
    now = NOW.strftime("%Y-%m-%d %H:%M:%S")
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?), "
        "t(i, id, user_id, ends) AS (SELECT i, printf('s%08d', (i * 7919) % ?), ? + i % ?, "
        "  CASE WHEN i < ? THEN datetime(?, '+' || (2 * 86400 + (i * 7919) % 86399) || ' seconds')"
        "  ELSE datetime(?, '+' || (4 * 86400 + (i * 7919) % (30 * 86400)) || ' seconds') END FROM n) "
        "INSERT INTO billing_subscriptions (id, user_id, offer_id, merchant_id, plan_id, provider, status, "
        "created_at, next_transition_at, renewal_base, renewal_with_lead, version, document) "
        "SELECT t.id, t.user_id, s.offer_id, s.merchant_id, s.plan_id, s.provider, s.status, s.created_at, "
        "t.ends || '.000000', t.ends || '.000000', s.renewal_with_lead, s.version, "
        "json_set(s.document, '$.id', t.id, '$.user_id', t.user_id, "
        "'$.term.end', strftime('%Y-%m-%dT%H:%M:%S+00:00', t.ends), "
        "'$.term.start', strftime('%Y-%m-%dT%H:%M:%S+00:00', t.ends, '-1 month'), "
        "'$.calendar.anchor', strftime('%Y-%m-%dT%H:%M:%S+00:00', t.ends, '-1 month')) "
        "FROM t, billing_subscriptions AS s WHERE s.id = ?",
        (rows, rows, FIRST_USER, USERS, due, now, now, TEMPLATE_ID),
    )
    db.execute("DELETE FROM billing_subscriptions WHERE id = ?", (TEMPLATE_ID,))


def fill_notices(db: sqlite3.Connection, rows: int, due: int) -> None:
    """The first `due` notices fell due at spread-out moments of the last day; the others are due within the
    next 90 days, outside the sweep's window."""
    stamp = NOW.strftime(SQLITE_FORMAT)
    now = NOW.strftime("%Y-%m-%d %H:%M:%S")
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?), "
        "t(i, due_at) AS (SELECT i, CASE WHEN i < ? THEN datetime(?, '-' || (1 + (i * 7919) % 86399) || ' seconds')"
        " ELSE datetime(?, '+' || (3600 + (i * 7919) % (90 * 86400)) || ' seconds') END FROM n) "
        "INSERT INTO scheduled_notices (user_id, topic, text, urgent, status, due_at, expires_at, created_at) "
        "SELECT ? + i % ?, 'visit', 'Your visit #' || i || ' is tomorrow at 10:00', 0, 'scheduled', "
        "due_at || '.000000', datetime(due_at, '+2 days') || '.000000', ? FROM t",
        (rows, due, now, now, FIRST_USER, USERS, stamp),
    )


class PeakMemory:
    """The most this process's resident memory grew while the block ran, sampled every 20 ms (often enough
    for a sweep of seconds, rarely enough not to take the interpreter from it)."""

    def __init__(self) -> None:
        self.grown_mb = 0.0
        self._running = False
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._start = 0

    @staticmethod
    def _resident() -> int:
        try:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:  # not Linux: the peak so far is the best there is
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _sample(self) -> None:
        while self._running:
            self.grown_mb = max(self.grown_mb, (self._resident() - self._start) / 2**20)
            time.sleep(0.02)

    def __enter__(self) -> PeakMemory:
        self._start = self._resident()
        self._running = True
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join()
        self.grown_mb = max(self.grown_mb, (self._resident() - self._start) / 2**20)


@dataclass(frozen=True)
class Measurement:
    seconds: float
    cpu_seconds: float
    queued: int
    memory_mb: float
    fill_seconds: float


async def measure(path: Path, subjects: str, rows: int, due: int, batch_size: int) -> Measurement:
    await create_schema(path)
    started = time.perf_counter()
    async with open_runtime(_config(path, batch_size), ring=KeyRing.single(new_master_key()),
                            clock=FixedClock(NOW)) as services:
        settings = services.billing.settings  # the kinds the bot registers at start (bot.app)
        register_billing_reminders(services, settings)
        if subjects == "subscriptions":
            await add_template_subscription(services)
        db = sqlite3.connect(path)
        try:
            with db:
                fill_users(db)
                (fill_subscriptions if subjects == "subscriptions" else fill_notices)(db, rows, due)
                db.execute("ANALYZE")
            # Copy the fill into the database file now, so the sweep's first commits do not pay for it.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        filled = time.perf_counter() - started
        freeze_startup_objects()  # as `jigap run` does once it is up
        with PeakMemory() as memory:
            cpu_started, started = time.process_time(), time.perf_counter()
            report = await services.delivery.scheduler.sweep()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        async with services.uow() as uow:
            queued = (await uow.outbox.counts_by_status()).get("pending", 0)
    if not queued == report.queued == due:
        raise AssertionError(f"{due} due made {queued} outbox rows ({report})")
    return Measurement(seconds, cpu, queued, memory.grown_mb, filled)


def _child(conn: Any, subjects: str, rows: int, due: int, batch_size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        conn.send(asyncio.run(measure(Path(folder) / "reminders.db", subjects, rows, due, batch_size)))
    conn.recv()


def measure_apart(subjects: str, rows: int, due: int, batch_size: int) -> Measurement:
    """One measurement in a process of its own: no cache or memory peak carries over from the last one."""
    child = ChildProcess(_child, subjects, rows, due, batch_size)
    try:
        result: Measurement = child.receive(seconds=600)
    finally:
        child.stop()
    return result


def report(number: int, rows: int, result: Measurement) -> None:
    _say(f"run {number}: {rows:,} rows (filled in {result.fill_seconds:.1f}s), {result.queued:,} queued in "
         f"{result.seconds:.2f}s = {result.queued / result.seconds:,.0f} rows/s, "
         f"{result.cpu_seconds / result.queued * 1e6:.0f} us CPU a row, memory +{result.memory_mb:.0f} MB")


def run(args: argparse.Namespace) -> None:
    small: list[Measurement] = []
    big: list[Measurement] = []
    for number in range(1, args.runs + 1):
        small.append(measure_apart(args.subjects, args.due, args.due, args.batch_size))
        report(number, args.due, small[-1])
        big.append(measure_apart(args.subjects, args.rows, args.due, args.batch_size))
        report(number, args.rows, big[-1])
    rate = statistics.median(m.queued / m.seconds for m in big)
    ratio = statistics.median(m.seconds for m in big) / statistics.median(m.seconds for m in small)
    _say(f"rows={args.rows} due={args.due} subjects={args.subjects} batch_size={args.batch_size} "
         f"runs={args.runs} backend=sqlite")
    _say(f"sweep_peak_memory_mb={max(m.memory_mb for m in small + big):.0f}")
    _say(f"sweep_cpu_us_per_row={statistics.median(m.cpu_seconds / m.queued for m in big) * 1e6:.0f}")
    _say(f"sweep_rows_per_s={rate:.0f}")
    _say(f"sweep_scaling_ratio={ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run of each size (under a minute)")
    parser.add_argument("--rows", type=int, default=None, help="subjects in the big table (default 1,000,000)")
    parser.add_argument("--due", type=int, default=None, help="subjects due (default 100,000)")
    parser.add_argument("--subjects", choices=("subscriptions", "notices"), default="subscriptions")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.rows = args.rows or (200_000 if args.quick else 1_000_000)
    args.due = args.due or (20_000 if args.quick else 100_000)
    run(args)


if __name__ == "__main__":
    main()
