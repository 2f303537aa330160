"""Admin stats benchmark: the console's chart pages over a year of a busy platform.

    python bench/admin.py                  # 1,000,000 ledger lines and 10,000,000 outbox rows, three runs, medians
    python bench/admin.py --quick          # a tenth of that, one run
    python bench/admin.py --postgres URL   # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

Seeding (not timed) writes, in bulk with `INSERT ... SELECT` over a recursive CTE (SQLite) or `generate_series`
(PostgreSQL), a year of rows ending now: `--outbox` outbox rows (97 in 100 sent, 2 failed, 1 pending), ledger lines
(`--ledger`: payments of two lines each, cash in and the merchant's share, in KRW, XTR and USD; one in fifty
refunded), 100,000 users with 2,000 of them active a day, as many payments, updates in the inbox for the last two
days (what its retention keeps) and rental applications. (No verifications: a presentation needs a card issued
by an issuer, which bulk rows cannot make; their chart reads the roll-ups like the others.)

Each run then empties the roll-ups and times the roll-up job over everything (`rollup_seconds`), adds an hour of
new rows (1,000 messages sent, 100 payments) and times the next run (`rollup_increment_ms`), and opens every stats
page (each chart kind at 7 d, 30 d and 12 m, revenue and MRR in each currency) 20 times as the handler does, after
one opening of each not counted: the service reads the roll-ups and the chart is drawn as a PNG. Before timing,
the process is made ready as a running bot is (`ready_for_traffic`: matplotlib loaded, start-up objects frozen;
unfrozen, every full garbage collection walked matplotlib's objects and the slowest drawings took twice as long). `stats_page_p99_ms` is the 99th percentile of those
openings (target <= 200); the figures printed are medians of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postgres_database import fresh_database  # noqa: E402

NOW = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 10:30 in Seoul
YEAR_SECONDS = 365 * 86_400
CHUNK = 1_000_000
USERS = 100_000
ACTIVE_A_DAY = 2_000
OPENINGS = 20


def say(line: str) -> None:
    print(line, flush=True)



class Seeder:
    """Bulk rows, `count` at a time, each row's number `i` (1..count) in the SELECT that makes it."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def moment(self, seconds_back: str) -> str:
        """SQL for NOW minus `seconds_back` (an SQL expression of i) seconds, as each backend stores a datetime."""
        if self.postgres:
            return f"(TIMESTAMPTZ '{NOW.isoformat()}' - ({seconds_back}) * INTERVAL '1 second')"
        return f"datetime('{NOW.strftime('%Y-%m-%d %H:%M:%S')}', '-' || CAST({seconds_back} AS INTEGER) || ' seconds')"

    async def rows(self, table: str, columns: str, select: str, count: int, offset: int = 0) -> None:
        from sqlalchemy import text

        for start in range(0, count, CHUNK):
            size = min(CHUNK, count - start)
            first = offset + start + 1
            if self.postgres:
                statement = (f"INSERT INTO {table} ({columns}) SELECT {select} "
                             f"FROM generate_series(CAST({first} AS BIGINT), {first + size - 1}) AS n(i)")
            else:
                statement = (f"INSERT INTO {table} ({columns}) WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL "
                             f"SELECT i + 1 FROM n WHERE i < {first + size - 1}) SELECT {select} FROM n")
            await self._connection.execute(text(statement))


async def seed(engine: Any, outbox_rows: int, ledger_lines: int) -> None:
    payments = ledger_lines // 2
    async with engine.begin() as connection:
        rows = Seeder(connection)
        spread = lambda count: f"(({count} - i) * {YEAR_SECONDS} / {count})"  # noqa: E731 - i=count is now
        await rows.rows("users", "id, timezone, is_bot_blocked, is_banned, created_at, last_seen_at",
                        f"9000000 + i, 'Asia/Seoul', false, false, {rows.moment(spread(USERS))}, "
                        f"{rows.moment('0')}", USERS)
        status = "CASE WHEN i % 100 < 97 THEN 'sent' WHEN i % 100 < 99 THEN 'failed' ELSE 'pending' END"
        await rows.rows(
            "outbox", "chat_id, kind, payload, priority, status, attempts, next_attempt_at, idempotency_key, "
            "created_at, sent_at",
            f"9000000 + i % {USERS}, 'broadcast', '{{}}', 9, {status}, 1, {rows.moment(spread(outbox_rows))}, "
            f"'bench:' || i, {rows.moment(spread(outbox_rows))}, "
            f"CASE WHEN i % 100 < 97 THEN {rows.moment(spread(outbox_rows))} END", outbox_rows)
        await _ledger(rows, payments)
        days = 365
        await rows.rows("stats_active_days", "day, user_id",
                        f"{_day(rows, f'(i / {ACTIVE_A_DAY}) * 86400')}, 9000000 + (i * 7919) % {USERS}",
                        days * ACTIVE_A_DAY)
        await rows.rows("inbox", "bot_id, update_id, chat_id, payload, status, received_at, lease_until",
                        f"1, i, 9000000 + i % {USERS}, {_blob(rows)}, 'done', {rows.moment('i')}, "
                        f"{rows.moment('i')}", 2 * 86_400)
        await rows.rows("rental_applications", "id, applicant_id, brand_id, product_id, status, step, created_at, "
                        "expires_at, updated_at, version, document",
                        f"'app' || i, 9000000 + i % {USERS}, 1, 'p', 'open', 'start', {rows.moment(spread(20_000))}, "
                        f"{rows.moment('0')}, {rows.moment('0')}, 1, '{{}}'", 20_000)


async def _ledger(rows: Seeder, payments: int, offset: int = 0, spread_over: int = YEAR_SECONDS) -> None:
    back = f"(({offset + payments} - i) * {spread_over} / {payments})"
    currency = "CASE WHEN i % 10 < 7 THEN 'KRW' WHEN i % 10 < 9 THEN 'XTR' ELSE 'USD' END"
    amount = "CASE WHEN i % 10 < 7 THEN 9900 WHEN i % 10 < 9 THEN 250 ELSE 499 END"
    kind = "CASE WHEN i % 50 = 0 THEN 'refund' ELSE 'payment' END"
    sign = "CASE WHEN i % 50 = 0 THEN -1 ELSE 1 END"
    await rows.rows("billing_journal", "id, occurred_at, kind, reference, description",
                    f"'tx' || i, {rows.moment(back)}, {kind}, 'pay' || i, 'bench'", payments, offset)
    await rows.rows("billing_postings", "transaction_id, position, account, amount_minor, currency",
                    f"'tx' || i, 0, 'cash:provider:card', {sign} * {amount}, {currency}", payments, offset)
    await rows.rows("billing_postings", "transaction_id, position, account, amount_minor, currency",
                    f"'tx' || i, 1, 'payable:merchant:shop', -{sign} * {amount}, {currency}", payments, offset)
    await rows.rows("billing_payments", "id, charge_id, user_id, merchant_id, amount_minor, currency, purpose, "
                    "paid_at, version, document",
                    f"'pay' || i, 'ch' || i, 9000000 + i % {USERS}, 'shop', {amount}, {currency}, 'purchase', "
                    f"{rows.moment(back)}, 1, '{{}}'", payments, offset)


def _day(rows: Seeder, seconds_back: str) -> str:
    if rows.postgres:
        return f"(DATE '{NOW.date().isoformat()}' - CAST(({seconds_back}) / 86400 AS INTEGER))"
    return f"date('{NOW.date().isoformat()}', '-' || CAST(({seconds_back}) / 86400 AS INTEGER) || ' days')"


def _blob(rows: Seeder) -> str:
    return "'\\x00'::bytea" if rows.postgres else "x'00'"


async def new_hour(engine: Any, outbox_rows: int, ledger_lines: int) -> None:
    """An hour of new activity after the roll-up: messages sent, payments taken."""
    async with engine.begin() as connection:
        rows = Seeder(connection)
        await rows.rows("outbox", "chat_id, kind, payload, priority, status, attempts, next_attempt_at, "
                        "idempotency_key, created_at, sent_at",
                        f"9000000 + i % {USERS}, 'broadcast', '{{}}', 9, 'sent', 1, {rows.moment('0')}, "
                        f"'new:' || i || ':' || {int(time.time() * 1000)}, {rows.moment('0')}, {rows.moment('0')}",
                        1_000, outbox_rows)
    async with engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(text("DELETE FROM billing_postings WHERE transaction_id LIKE 'txnew%'"))
        await connection.execute(text("DELETE FROM billing_payments WHERE id LIKE 'paynew%'"))
        await connection.execute(text("DELETE FROM billing_journal WHERE id LIKE 'txnew%'"))
        rows = Seeder(connection)
        back = "0"
        await rows.rows("billing_journal", "id, occurred_at, kind, reference, description",
                        f"'txnew' || i, {rows.moment(back)}, 'payment', 'paynew' || i, 'bench'", 100)
        await rows.rows("billing_postings", "transaction_id, position, account, amount_minor, currency",
                        "'txnew' || i, 0, 'cash:provider:card', 9900, 'KRW'", 100)


async def pages(services: Any) -> list[float]:
    """Every stats page opened `OPENINGS` times as the handler opens it: the figures, then the PNG."""
    from handlers.admin.stats import chart_drawing
    from handlers.core.charts import Series
    from subscriptions.stats.charts import SPECS, ChartKind
    from subscriptions.stats.ranges import ChartRange

    stats, charts = services.stats, services.charts
    tr = services.translations.get("en")
    asked: list[tuple[ChartKind, ChartRange, str | None]] = []
    for kind in ChartKind:
        first = await stats.chart(kind, ChartRange.MONTH)
        for currency in (first.currencies if SPECS[kind].money else (None,)):
            asked += [(kind, span, currency) for span in ChartRange]
    timings = []
    # A warm-up opening of each page first, not counted: a process draws its first chart once (matplotlib's import
    # and the font's registration, some 400 ms), not at every page.
    for opening in range(OPENINGS + 1):
        for kind, span, currency in asked:
            started = time.perf_counter()
            chart = await stats.chart(kind, span, currency)
            drawing = chart_drawing(chart, tr, "Asia/Seoul", stats.today())
            await charts.render(charts.time_series, drawing["title"], drawing["labels"],
                                [Series(one["name"], one["values"]) for one in drawing["series"]],
                                unit=drawing["unit"], no_data=drawing["no_data"])
            if opening:
                timings.append((time.perf_counter() - started) * 1000)
    return timings


async def clear_rollups(engine: Any) -> None:
    from sqlalchemy import text

    async with engine.begin() as connection:
        for table in ("stats_hourly", "stats_daily", "stats_subscription_mrr", "stats_watermarks"):
            await connection.execute(text(f"DELETE FROM {table}"))


async def backend_runs(backend: str, args: argparse.Namespace) -> None:
    from bot.bootstrap import open_runtime, ready_for_traffic
    from bot.config import load_config
    from storage.envelope import KeyRing, new_master_key
    from subscriptions.clock import FixedClock

    async with fresh_database(backend, args.postgres) as url:
        base = load_config(environ={})
        config = base.replace(database=base.database.__class__(url=url))
        clock = FixedClock(NOW)
        async with open_runtime(config, ring=KeyRing.single(new_master_key()), clock=clock) as services:
            started = time.perf_counter()
            await seed(services.engine, args.outbox, args.ledger)
            say(f"# {backend}: seeded {args.outbox:,} outbox rows and {args.ledger:,} ledger lines "
                f"in {time.perf_counter() - started:.0f} s")
            ready_for_traffic(services)  # as a running bot is when admins open its pages
            results: list[dict[str, float]] = []
            for run in range(args.runs):
                await clear_rollups(services.engine)
                full = await services.stats.roll_up()
                await new_hour(services.engine, args.outbox + run * 1_000, args.ledger)
                clock.advance(timedelta(minutes=5))
                increment = await services.stats.roll_up()
                timings = sorted(await pages(services))
                p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
                results.append({"rollup": full.seconds, "increment": increment.seconds * 1000, "p99": p99,
                                "median": statistics.median(timings)})
                say(f"# {backend} run {run + 1}: roll-up {full.seconds:.1f} s, increment {increment.seconds * 1000:.0f} ms, "
                    f"{len(timings)} page openings, p99 {p99:.0f} ms")
            say(f"{backend}.rollup_seconds={statistics.median(r['rollup'] for r in results):.1f}")
            say(f"{backend}.rollup_increment_ms={statistics.median(r['increment'] for r in results):.0f}")
            say(f"{backend}.stats_page_median_ms={statistics.median(r['median'] for r in results):.0f}")
            say(f"{backend}.stats_page_p99_ms={statistics.median(r['p99'] for r in results):.0f}")


async def run(args: argparse.Namespace) -> None:
    for backend in ("sqlite", *(("postgresql",) if args.postgres else ())):
        await backend_runs(backend, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, one run")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--outbox", type=int, default=None, help="outbox rows (10,000,000)")
    parser.add_argument("--ledger", type=int, default=None, help="ledger lines (1,000,000)")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.outbox = args.outbox or (1_000_000 if args.quick else 10_000_000)
    args.ledger = args.ledger or (100_000 if args.quick else 1_000_000)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
