"""Reminder sweep benchmark: a table of 1,000,000 subjects, 100,000 of them due, turned into outbox rows.

    python bench/reminders.py            # 1,000,000 rows, 100,000 due; 3 runs of each size, medians
    python bench/reminders.py --quick    # 200,000 rows, 20,000 due (the same tenfold); 1 run (under a minute)

The subjects are scheduled notices (the generic reminder kind): `--due` of them fell due within the last day,
the rest are due later and lie outside the sweep's window. The same sweep runs on a table of `--due` rows and
on one of `--rows` rows, on SQLite. Last lines: `sweep_rows_per_s=` (outbox rows written a second on the big
table) and `sweep_scaling_ratio=` (sweep time with `--rows` rows / with `--due` rows, the same number due).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FixedClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.envelope import KeyRing, new_master_key  # noqa: E402
from storage.migrate import migrate  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # noon in Seoul: outside quiet hours
USERS = 20_000
FIRST_USER = 800_000_000
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


async def create_schema(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def fill(path: Path, rows: int, due: int) -> None:
    """Users and notices generated inside SQLite: setting up a million rows is not what is measured.

    The first `due` notices fell due at spread-out moments of the last day; the others are due within the
    next 90 days, outside the sweep's window.
    """
    stamp = NOW.strftime(SQLITE_FORMAT)
    now = NOW.strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(path) as db:
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
            "INSERT INTO users (id, timezone, is_bot_blocked, is_banned, created_at, last_seen_at, "
            "telegram_language) SELECT ? + i, 'Asia/Seoul', 0, 0, ?, ?, 'ko' FROM n",
            (USERS, FIRST_USER, stamp, stamp),
        )
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?), "
            "t(i, due_at) AS (SELECT i, CASE WHEN i < ? THEN datetime(?, '-' || (1 + (i * 7919) % 86399) || ' seconds')"
            " ELSE datetime(?, '+' || (3600 + (i * 7919) % (90 * 86400)) || ' seconds') END FROM n) "
            "INSERT INTO scheduled_notices (user_id, topic, text, urgent, status, due_at, expires_at, created_at) "
            "SELECT ? + i % ?, 'visit', 'Your visit #' || i || ' is tomorrow at 10:00', 0, 'scheduled', "
            "due_at || '.000000', datetime(due_at, '+2 days') || '.000000', ? FROM t",
            (rows, due, now, now, FIRST_USER, USERS, stamp),
        )
        db.execute("ANALYZE")


async def sweep_once(path: Path, batch_size: int) -> tuple[float, int, float]:
    """(seconds, outbox rows written, peak RSS growth in MB) of one sweep."""
    base = Config()  # the documented defaults, whatever config.toml in the working folder says
    config = base.replace(
        database=base.database.__class__(url=f"sqlite+aiosqlite:///{path}", migrate_on_start=False),
        scheduler=base.scheduler.__class__(batch_size=batch_size),
    )
    async with open_runtime(config, ring=KeyRing.single(new_master_key()), clock=FixedClock(NOW)) as services:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = await services.delivery.scheduler.sweep()
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        async with services.uow() as uow:
            queued = (await uow.outbox.counts_by_status()).get("pending", 0)
    assert queued == report.queued, (queued, report)
    return seconds, queued, (rss_after - rss_before) / 1024


async def measure(rows: int, due: int, batch_size: int) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reminders.db"
        await create_schema(path)
        started = time.perf_counter()
        fill(path, rows, due)
        print(f"  filled {rows:,} notices ({due:,} due) in {time.perf_counter() - started:.1f}s", flush=True)
        return await sweep_once(path, batch_size)


async def run(args: argparse.Namespace) -> None:
    small: list[float] = []
    big: list[float] = []
    rates: list[float] = []
    for number in range(args.runs):
        seconds, queued, growth = await measure(args.due, args.due, args.batch_size)
        small.append(seconds)
        print(f"run {number + 1}: {args.due:,} rows, {queued:,} queued in {seconds:.2f}s "
              f"({queued / seconds:,.0f} rows/s, peak memory +{growth:.0f} MB)", flush=True)
        seconds, queued, growth = await measure(args.rows, args.due, args.batch_size)
        big.append(seconds)
        rates.append(queued / seconds)
        print(f"run {number + 1}: {args.rows:,} rows, {queued:,} queued in {seconds:.2f}s "
              f"({queued / seconds:,.0f} rows/s, peak memory +{growth:.0f} MB)", flush=True)
    print(f"rows={args.rows} due={args.due} batch_size={args.batch_size} runs={args.runs} backend=sqlite")
    print(f"sweep_rows_per_s={statistics.median(rates):.0f}")
    print(f"sweep_scaling_ratio={statistics.median(big) / statistics.median(small):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run of each size (under a minute)")
    parser.add_argument("--rows", type=int, default=None, help="notices in the big table (default 1,000,000)")
    parser.add_argument("--due", type=int, default=None, help="notices due (default 100,000)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.rows = args.rows or (200_000 if args.quick else 1_000_000)
    args.due = args.due or (20_000 if args.quick else 100_000)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
