"""Back-office benchmark: the month-end close over a large fleet.

    python bench/backoffice.py                  # three runs at 10,000 and at 100,000 contracts, medians
    python bench/backoffice.py --quick          # one run at 2,000 and 20,000
    python bench/backoffice.py --postgres URL   # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

A run seeds a fresh database (a SQLite file, then PostgreSQL) with one brand, `--contracts` contracts and 1.2 units
for each contract: contracts installed over the last three years on Homeline's five plans, one in twenty ended
early, each with its whole schedule (every instalment of the term a row, those due paid on time but for one
contract in fifty whose last two months are unpaid), each with a sales commission, and a missed visit credited
for one in a hundred in the month closed. Seeding writes the rows in bulk (it is not timed). Then `close_month` closes a month as `jigap rentals
close-month` does, one run a month (September, October, November for three runs: the same fleet, each month
closed once): `close_contracts_per_s` is contracts over the wall time of that one call, the median of the runs
(target >= 5,000 on SQLite, printed for PostgreSQL). December is then closed once more with Python's allocation
tracer on, for `close_peak_memory_mb`, the peak of memory allocated during the close (the tracer slows the close
down, so it is not in a timed run). Memory is flat when the peak at 100,000 contracts is within 1.3x of the peak at
10,000 (`close_memory_ratio`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postgres_database import fresh_database  # noqa: E402

if TYPE_CHECKING:
    from subscriptions.rentals import Rentals

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 on 1 December in Seoul: November is over
CLOSED = "2026-11"
TRACED = "2026-12"  # closed with the tracer on, at a clock a month later
BATCH = 5_000


def say(line: str) -> None:
    print(line, flush=True)



@asynccontextmanager
async def seeded(backend: str, postgres: str | None, contracts: int) -> AsyncIterator[tuple[Rentals, int]]:
    from bot.bootstrap import rentals_for
    from bot.config import load_config
    from storage.engine import create_engine
    from storage.envelope import Envelope, KeyRing, new_master_key
    from storage.migrate import migrate
    from storage.unit_of_work import UnitOfWorkFactory
    from subscriptions.clock import FixedClock
    from tests.rentals.helpers import NamedBureau

    async with fresh_database(backend, postgres) as url:
        envelope = Envelope(KeyRing.single(new_master_key()))
        database = load_config(environ={}).database
        engine = create_engine(url, busy_timeout=database.busy_timeout, pool_size=database.pool_size)
        try:
            await migrate(engine, envelope)
            clock = FixedClock(NOW)
            units = UnitOfWorkFactory(engine, envelope, now=clock.now)
            rentals = rentals_for(load_config(environ={}), units, clock, NamedBureau())
            brand = await seed(rentals, contracts)
            yield rentals, brand
        finally:
            await engine.dispose()


async def seed(rentals: Rentals, count: int) -> int:
    """One brand, `count` contracts with their whole schedules and commissions, 1.2 units a contract, the missed
    visits; in bulk, a batch at a time."""
    from sqlalchemy import insert

    from storage.rentals.tables import rental_commissions

    async with rentals.uow() as uow:
        brand = await uow.organisations.add(slug="bench-homeline", name="Homeline Rentals", kind="brand",
                                            now=NOW)
        await uow.commit()
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        contracts = [_contract(brand.id, number) for number in numbers]
        async with rentals.uow() as uow:
            await _contracts(uow, contracts)
            await uow.rental_instalments.add_many([row for c in contracts for row in _schedule(c)])
            await uow.connection.execute(insert(rental_commissions), [_commission(c) for c in contracts])
            await uow.rental_units.add_many([_unit(brand.id, n, c) for n, c in zip(numbers, contracts, strict=True)]
                                            + [_unit(brand.id, count + n, None) for n in numbers if n % 5 == 0])
            await uow.rental_visits.add_many([_missed_visit(c) for n, c in zip(numbers, contracts, strict=True)
                                              if n % 100 == 3])
            await uow.commit()
    return brand.id


async def _contracts(uow: Any, contracts: list[Any]) -> None:
    from sqlalchemy import insert

    from storage.json_text import to_json_text
    from storage.rentals.tables import rental_contracts

    await uow.connection.execute(insert(rental_contracts), [
        {"id": c.id, "application_id": c.application_id, "applicant_id": c.applicant_id, "brand_id": c.brand_id,
         "status": c.status.value, "signed_at": c.signed_at, "installation_at": c.installation_at,
         "version": c.version, "document": to_json_text(c)} for c in contracts])


def _schedule(contract: Any) -> list[Any]:
    """Every instalment of the term, those due before now paid on time, but for one contract in fifty whose last
    two months are unpaid."""
    from subscriptions.rentals.late import instalments_of

    late = int(contract.id[3:]) % 50 == 11
    rows = instalments_of(contract, contract.signed_at)
    due = [row for row in rows if row.paid_at is None and row.due_at < NOW]
    unpaid = {row.number for row in due[-2:]} if late else set()
    return [replace(row, paid_at=row.due_at) if row in due and row.number not in unpaid else row for row in rows]


def _commission(contract: Any) -> dict[str, Any]:
    return {"contract_id": contract.id, "brand_id": contract.brand_id, "agent": "agent:bench", "amount_minor": 120_000,
            "currency": "KRW", "term_months": contract.terms.term_months, "timezone": "Asia/Seoul",
            "clawback_months": 24, "recorded_at": contract.signed_at, "recorded_by": None,
            "started_at": contract.installed_at, "ended_at": contract.ended_at, "settlement": None,
            "settled_minor": None}


def _unit(brand_id: int, number: int, contract: Any | None) -> Any:
    from subscriptions.money import Money
    from subscriptions.rentals.stock import Unit, UnitStatus

    acquired = (NOW - timedelta(days=30 + number % 1500)).date()
    status = UnitStatus.INSTALLED if contract is not None and contract.ended_at is None else UnitStatus.IN_STOCK
    product = contract.product_id if contract is not None else "homeline-purifier"
    return Unit(f"bu-{number:07d}", product, brand_id, "seoul", f"SN-{number:07d}", status, NOW,
                contract_id=contract.id if contract is not None else None,
                acquisition_cost=Money(600_000 + number % 1000, "KRW"), acquired_on=acquired,
                useful_life_months=60, residual_value=Money(60_000, "KRW"))


def _missed_visit(contract: Any) -> Any:
    from subscriptions.money import Money
    from subscriptions.rentals.visits import FieldVisit, VisitStatus, WorkKind

    day = datetime(2026, 11, 3 + int(contract.id[3:]) % 25, 1, 0, tzinfo=UTC)
    return FieldVisit(f"bv-{contract.id}", contract.id, contract.applicant_id, contract.brand_id, "seoul",
                      WorkKind.MAINTENANCE, day.date().isoformat(), day, status=VisitStatus.MISSED,
                      credit=Money(2_990, "KRW"), missed_at=day + timedelta(hours=15))


def _contract(brand_id: int, number: int) -> Any:
    from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason
    from subscriptions.rentals.services.demo import AIR_PURIFIER, CAR, MATTRESS, PURIFIER, demo_terms

    product = (PURIFIER, PURIFIER, MATTRESS, AIR_PURIFIER, CAR)[number % 5]
    terms = demo_terms()[product]
    installed = NOW - timedelta(days=1 + (number * 37) % (3 * 365), minutes=number % 600)
    contract = Contract(f"bc-{number:07d}", f"ba-{number:07d}", 9_000_000 + number, brand_id, product,
                        f"plan-{product}", "v1", terms, "seoul", f"bu-{number:07d}", installed, installed,
                        "Asia/Seoul", f"pay-{number}", terms.first_payment, "a" * 64, "h.p.s",
                        installed_at=installed)
    if number % 20 == 7:
        return replace(contract, status=ContractStatus.ENDING, end_reason=EndReason.EARLY_TERMINATION,
                       ended_at=installed + timedelta(days=200))
    return contract


async def close_runs(backend: str, postgres: str | None, contracts: int, runs: int) -> list[dict[str, float]]:
    """One seeded database, `runs` months closed on it one after the other (each a run: the same fleet, a month
    of its own), then one more month with the tracer on for the peak of memory."""
    from subscriptions.clock import FixedClock
    from subscriptions.rentals.services.close import close_month

    months = [f"2026-{number:02d}" for number in range(11 - runs + 1, 12)]
    figures = []
    async with seeded(backend, postgres, contracts) as (rentals, brand):
        for month in months:
            started = time.perf_counter()
            result = await close_month(rentals, brand, month)
            seconds = time.perf_counter() - started
            assert not result.already_closed and result.closed.lines > 0
            figures.append({"seconds": seconds, "per_s": contracts / seconds, "lines": float(result.closed.lines)})
        later = replace(rentals, clock=FixedClock(NOW + timedelta(days=31)))
        tracemalloc.start()
        try:
            await close_month(later, brand, TRACED)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (await close_month(rentals, brand, CLOSED)).already_closed
    for run in figures:
        run["peak_mb"] = peak / 2**20
    return figures


async def close_part(args: argparse.Namespace) -> None:
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    for backend in backends:
        peaks: dict[int, float] = {}
        for contracts in (args.small, args.contracts):
            runs = await close_runs(backend, args.postgres, contracts, args.runs)
            for number, run in enumerate(runs, 1):
                say(f"[{backend}] close {contracts} contracts, run {number}: {run['seconds']:.2f} s, "
                    f"{run['per_s']:.0f} contracts/s, {run['lines']:.0f} lines")
            per_s = statistics.median(run["per_s"] for run in runs)
            peaks[contracts] = runs[0]["peak_mb"]
            say(f"[{backend}] {contracts} contracts: close_contracts_per_s = {per_s:.0f}"
                + (" (target >= 5000)" if backend == "sqlite" and contracts == args.contracts else ""))
            say(f"[{backend}] {contracts} contracts: close_peak_memory_mb = {peaks[contracts]:.1f}")
        ratio = peaks[args.contracts] / peaks[args.small]
        say(f"[{backend}] close_memory_ratio = {ratio:.2f} ({args.contracts} over {args.small} contracts, "
            f"target <= 1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run of each size, smaller")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--contracts", type=int, default=None, help="contracts in the large run (100,000)")
    parser.add_argument("--small", type=int, default=None, help="contracts in the small run (10,000)")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.contracts = args.contracts or (20_000 if args.quick else 100_000)
    args.small = args.small or (5_000 if args.quick else 10_000)
    asyncio.run(close_part(args))


if __name__ == "__main__":
    main()
