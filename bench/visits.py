"""Visits benchmark: giving 10,000 visits to 200 technicians, balanced by load, end to end.

    python bench/visits.py                  # three runs on SQLite (and PostgreSQL when given), medians
    python bench/visits.py --quick          # one short run (2,000 visits over 40 technicians)
    python bench/visits.py --postgres URL   # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

Each run starts from a fresh database at the newest schema (a SQLite file, then a new PostgreSQL database):
`--technicians` (200) technicians of four brands in Seoul and Busan, each with a capacity of `--capacity` (6)
visits a day, and `--visits` (10,000) visits without a technician spread over two weeks of those brands and
regions, at the hours a technician works (10:00, 14:00, 17:00) and on the half hours between. What is timed is
one call of the service the scheduler runs, `subscriptions.rentals.services.visits.assign_visits`: it reads the
visits a batch at a time, reads what the technicians have on those days, asks the pure assignment and writes
the batch's technicians, one transaction a batch. Then it is checked from what is stored that every visit that
could be given was, that no technician has more than their capacity on a day or two visits at one time, and
that each went to its own brand's technician in its region.

Printed: `assign_visits_s` for each run and the median of the runs (target <= 2 s for 10,000 over 200), and
`assign_visits_per_s`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postgres_database import fresh_postgres  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from subscriptions.rentals import Rentals

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Tuesday 09:00 in Seoul
DAYS = 14
BRANDS = (101, 102, 103, 104)
REGIONS = ("seoul", "busan")
STARTS = ((10, 0), (10, 30), (11, 0), (14, 0), (14, 30), (15, 0), (17, 0), (17, 30))  # local hours and minutes


def say(line: str) -> None:
    print(line, flush=True)


@asynccontextmanager
async def fresh(backend: str, postgres: str | None) -> AsyncIterator[str]:
    if backend == "postgresql":
        assert postgres is not None
        async with fresh_postgres(postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="jigap-visits-") as folder:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'jigap.db'}"


def rentals_over(url: str) -> tuple[Rentals, AsyncEngine]:
    from bot.config import load_config
    from storage.engine import create_engine
    from storage.envelope import Envelope, KeyRing, new_master_key
    from storage.unit_of_work import UnitOfWorkFactory
    from subscriptions.clock import FixedClock
    from subscriptions.ids import TimeOrderedIds
    from subscriptions.rentals import Rentals
    from subscriptions.rentals.identity import IdentityPolicy
    from tests.rentals.helpers import NamedBureau

    database = load_config(environ={}).database
    engine = create_engine(url, busy_timeout=database.busy_timeout, pool_size=database.pool_size)
    units = UnitOfWorkFactory(engine, Envelope(KeyRing.single(new_master_key())), background=True)
    rentals = Rentals(uow=units, clock=FixedClock(START - timedelta(days=1)), ids=TimeOrderedIds(),
                      bureau=NamedBureau(), identity_policy=IdentityPolicy(frozenset()), reader=units.reader)
    return rentals, engine


async def seed(rentals: Rentals, technicians: int, capacity: int, visits: int) -> None:
    """The technicians (spread over the brands and regions) and the visits, none given yet."""
    from zoneinfo import ZoneInfo

    from subscriptions.rentals.catalog import LocalText
    from subscriptions.rentals.visits import FieldVisit, Technician, WorkKind, occurrence_key

    seoul = ZoneInfo("Asia/Seoul")
    pools = [(brand, region) for brand in BRANDS for region in REGIONS]
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        for n in range(technicians):
            brand, region = pools[n % len(pools)]
            await uow.rental_technicians.add(Technician(f"tech-{n:04d}", brand, 9_000_000 + n,
                                                        LocalText(f"기사{n}", f"Tech {n}"), region, capacity), now)
        found = []
        local_start = START.astimezone(seoul).date()
        for n in range(visits):
            brand, region = pools[n % len(pools)]
            day = local_start + timedelta(days=(n // len(pools)) % DAYS)
            hour, minute = STARTS[(n // (len(pools) * DAYS)) % len(STARTS)]
            at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=seoul).astimezone(UTC)
            found.append(FieldVisit(f"visit-{n:06d}", f"contract-{n:06d}", 8_000_000 + n, brand, region,
                                    WorkKind.CLEANING, occurrence_key(at), at))
        await uow.rental_visits.add_many(found)
        await uow.commit()


async def check(rentals: Rentals, visits: int, capacity: int) -> int:
    """How many were given; raises when a rule is broken in what is stored."""
    from subscriptions.rentals.visits import local_day

    async with rentals.read() as uow:
        technicians = {t.id: t for brand in BRANDS for t in await uow.rental_technicians.of_brand(brand)}
        stored = await uow.rental_visits.of_technicians(list(technicians), START - timedelta(days=1),
                                                         START + timedelta(days=DAYS + 1))
        left = len(await uow.rental_visits.unassigned(None, visits))
    per_day = Counter((v.technician_id, local_day(v.scheduled_at, "Asia/Seoul")) for v in stored)
    places = Counter((v.technician_id, v.scheduled_at) for v in stored)
    assert max(per_day.values()) <= capacity, "a technician was given more than a day's capacity"
    assert max(places.values()) == 1, "a technician was given two visits at one time"
    for visit in stored:
        technician = technicians[visit.technician_id or ""]
        assert (technician.brand_id, technician.region) == (visit.brand_id, visit.region), "wrong brand or region"
    assert len(stored) + left == visits
    return len(stored)


async def one_run(backend: str, args: argparse.Namespace) -> float:
    from storage.migrate import migrate
    from subscriptions.rentals.services.visits import assign_visits

    async with fresh(backend, args.postgres) as url:
        rentals, engine = rentals_over(url)
        try:
            await migrate(engine)
            await seed(rentals, args.technicians, args.capacity, args.visits)
            started = time.perf_counter()
            given = await assign_visits(rentals)
            elapsed = time.perf_counter() - started
            stored = await check(rentals, args.visits, args.capacity)
            assert stored == given, f"{given} given, {stored} stored"
            say(f"{backend}: {given} of {args.visits} visits given to {args.technicians} technicians in "
                f"{elapsed:.3f} s")
            return elapsed
        finally:
            await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    backends = ["sqlite", *(["postgresql"] if args.postgres else [])]
    for backend in backends:
        runs = [await one_run(backend, args) for _ in range(args.runs)]
        median = statistics.median(runs)
        say(f"{backend} assign_visits_s runs: {', '.join(f'{run:.3f}' for run in runs)}")
        say(f"{backend} assign_visits_s: {median:.3f}  (target <= 2 for 10,000 visits over 200 technicians)")
        say(f"{backend} assign_visits_per_s: {args.visits / median:.0f}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short run")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--visits", type=int, default=None)
    parser.add_argument("--technicians", type=int, default=None)
    parser.add_argument("--capacity", type=int, default=6, help="visits a technician can do a day")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.visits = args.visits or (2_000 if args.quick else 10_000)
    args.technicians = args.technicians or (40 if args.quick else 200)
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
