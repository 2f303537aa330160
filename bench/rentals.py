"""Rentals benchmark: the checkout's steps under load, no overselling of the last units, and the contract PDF.

    python bench/rentals.py                   # all three parts, three runs each, medians
    python bench/rentals.py --quick           # one short run of each (three minutes with PostgreSQL)
    python bench/rentals.py --part checkout   # or oversell, contract (may repeat)
    python bench/rentals.py --postgres URL    # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

- checkout: `--customers` (50) people go through the whole checkout at once, again and again (`--checkouts` in
  all, 400), on real storage (a SQLite file, then PostgreSQL), through the services as the bot wires them:
  Rent this, identity (the wallet's verified result), consent, the credit check, the address, the week of
  slots, the hold, signing, the amount of the first payment and its recording. Each step is timed as its
  service call; the credit bureau is a stand-in in this process that answers at once, and the time spent in
  it is taken out of the credit check's. Between two steps a customer pauses as a person does (a random
  0 to 2 x `--think` seconds, 2 on average: reading a screen, typing an address), so 50 of them press about 25
  buttons a second. One checkout runs untimed first (statements compiled and cached, as in a running bot).
  Printed: p50 and p99 of each step; `checkout_step_p99_ms` is the slowest step's p99 (target <= 100 for every
  step), and `checkout_step_pooled_p99_ms` the p99 of all steps together. Then once more without pauses (each of the 50
  presses again as soon as answered, every step queueing behind the others' in one process):
  `checkout_step_no_pause_p99_ms`, a figure of the worst case with no target.
- oversell: `--applicants` (1,000) checkouts for a product with `--units` (10) units; all are walked to the
  signing step, then all sign at the same moment: on SQLite in one process, on PostgreSQL by two worker
  processes, half each, at one agreed instant. The winners' first payments are recorded. `unit_oversell` counts,
  from the answers and from what is stored, signings won beyond the units, units given to more than one
  contract or application, and contracts without a unit of their own; also checked: exactly `--units` signings
  won and every other signing answered `OutOfStock`.
- contract: Minji's water purifier contract (three A4 pages, Korean) rendered to PDF by `bot/gateways/contracts.py`
  (`--renders` a run, 200). The fonts are cut and parsed once before timing (about a second, once per process);
  each figure is one `ContractRenderer.pdf` call, wall time, with the signature's input (the PDF's SHA-256).
  Printed: `contract_pdf_p50_ms` (target <= 200), `contract_pdf_p99_ms`, `contract_pdf_english_p50_ms`, and
  `contract_pdf_cpu_p50_ms`, the CPU of a render (it swings less than wall time on a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child_process import ChildProcess  # noqa: E402
from bench.postgres_database import fresh_database  # noqa: E402

if TYPE_CHECKING:  # the children import jigap themselves, after they start
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.gateways.contracts import ContractRenderer
    from subscriptions.rentals import Rentals
    from subscriptions.rentals.contract_document import ContractDocument
    from subscriptions.rentals.credit import CreditDecision, CreditRequest

T = TypeVar("T")

BRAND_SLUG = "bench-homeline"
PRODUCT = "homeline-purifier"  # Homeline's water purifier and its plan, as the demo lists them
REGION = "seoul"
ADDRESS = "서울특별시 마포구 연남로 12"
APPLICANT_BASE = 8_000_000
STEPS = ("start", "identity", "consent", "credit", "address", "slots", "hold", "sign", "payment_due", "paid")


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def say(line: str) -> None:
    print(line, flush=True)


# --- the shop floor: Homeline's purifier, its units and a week of slots, over real storage --------------------------

class InstantBureau:
    """The credit bureau's stand-in: approves at once, and keeps how long each answer took (taken out of the
    credit check's time)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    async def check(self, request: CreditRequest) -> CreditDecision:
        from subscriptions.rentals.credit import CreditDecision, CreditOutcome
        from tests.rentals.helpers import NOW

        started = time.perf_counter()
        decision = CreditDecision(CreditOutcome.APPROVED, NOW, f"bench-{request.reference}", score=2)
        self.spent[request.reference] = time.perf_counter() - started
        return decision


def rentals_over(engine: AsyncEngine, master_key: bytes, bureau: InstantBureau) -> Rentals:
    """Rentals as the bot wires them (`bot.bootstrap.rentals_for`), trusting the test issuer's identity cards,
    on the fixed clock the rentals tests use (a hold never runs out while a run lasts)."""
    from bot.bootstrap import rentals_for
    from bot.config import load_config
    from storage.envelope import Envelope, KeyRing
    from storage.unit_of_work import UnitOfWorkFactory
    from subscriptions.clock import FixedClock
    from subscriptions.rentals.identity import IdentityPolicy
    from tests.rentals.helpers import GOV, NOW

    clock = FixedClock(NOW)
    units = UnitOfWorkFactory(engine, Envelope(KeyRing.single(master_key)), now=clock.now)
    rentals = rentals_for(load_config(environ={}), units, clock, bureau)
    return dataclasses.replace(rentals, identity_policy=IdentityPolicy(frozenset({GOV})))


def engine_for(url: str) -> AsyncEngine:
    from bot.config import load_config
    from storage.engine import create_engine

    database = load_config(environ={}).database
    return create_engine(url, busy_timeout=database.busy_timeout, pool_size=database.pool_size)


async def seed(rentals: Rentals, *, units: int, places: int, applicants: int) -> None:
    """The brand with the purifier and its plan, `units` units in Seoul, a week of Seoul slots with `places`
    places in all, and `applicants` people who started the bot."""
    from sqlalchemy import insert

    from storage.core.tables import users
    from subscriptions.rentals.plans import PlanVersion, RentalPlan
    from subscriptions.rentals.services.demo import demo_plan_id, demo_products, demo_terms
    from subscriptions.rentals.slots import week_of_slots
    from subscriptions.rentals.stock import Unit, UnitStatus

    now = rentals.clock.now()
    hours = (9, 10, 11, 13, 14, 15, 16, 17)
    per_slot = -(-places // (6 * len(hours)))  # the week from today shows six of the seven days from tomorrow
    async with rentals.uow() as uow:
        brand = await uow.organisations.add(slug=BRAND_SLUG, name="Homeline Rentals", kind="brand", now=now)
        await uow.connection.execute(insert(users), [
            {"id": APPLICANT_BASE + n, "timezone": "Asia/Seoul", "telegram_language": "ko", "is_bot_blocked": False,
             "is_banned": False, "created_at": now, "last_seen_at": now} for n in range(applicants)])
        product = next(p for p in demo_products(brand.id, now) if p.id == PRODUCT)
        await uow.rental_products.add(product)
        version = PlanVersion(f"{demo_plan_id(PRODUCT)}-v1", demo_terms()[PRODUCT], now)
        await uow.rental_plans.add(RentalPlan(demo_plan_id(PRODUCT), PRODUCT, brand.id, [version]))
        await uow.rental_units.add_many([Unit(f"bench-unit-{n:05d}", PRODUCT, brand.id, REGION, f"HL-BENCH-{n:05d}",
                                              UnitStatus.IN_STOCK, now) for n in range(units)])
        ids = [f"bench-slot-{n:02d}" for n in range(7 * len(hours))]
        for slot in week_of_slots(ids, brand.id, REGION, now + timedelta(days=1), rentals.settings.timezone,
                                  hours=hours, capacity=per_slot):
            await uow.rental_slots.add(slot)
        await uow.commit()


@asynccontextmanager
async def seeded(backend: str, postgres: str | None, **sizes: int) -> AsyncIterator[tuple[str, bytes, Rentals,
                                                                                           InstantBureau]]:
    """A fresh database of `backend` at the newest schema, seeded: (its URL, the master key, rentals, bureau)."""
    from storage.envelope import Envelope, KeyRing, new_master_key
    from storage.migrate import migrate

    async with fresh_database(backend, postgres) as url:
        key = new_master_key()
        engine = engine_for(url)
        try:
            await migrate(engine, Envelope(KeyRing.single(key)))
            bureau = InstantBureau()
            rentals = rentals_over(engine, key, bureau)
            await seed(rentals, **sizes)
            yield url, key, rentals, bureau
        finally:
            await engine.dispose()



# --- one applicant's checkout, step by step --------------------------------------------------------------------

class Walk:
    """Takes one applicant through the checkout's steps, timing each service call (milliseconds by step)."""

    def __init__(self, rentals: Rentals, bureau: InstantBureau, times: dict[str, list[float]], rng: random.Random,
                 think: float) -> None:
        self.rentals, self.bureau, self.times, self.rng, self.think = rentals, bureau, times, rng, think
        self.slot_full: list[int] = []  # places left in each slot a hold was refused for

    async def step(self, name: str, call: Coroutine[Any, Any, T]) -> T:
        if self.think:
            await asyncio.sleep(self.rng.uniform(0, 2 * self.think))
        started = time.perf_counter()
        result = await call
        self.times[name].append((time.perf_counter() - started) * 1000)
        return result

    async def to_signing(self, applicant_id: int) -> str:
        """Rent this to a held slot; the application's id."""
        from subscriptions.rentals.errors import SlotFull
        from subscriptions.rentals.services import applications
        from subscriptions.rentals.services.demo import demo_plan_id, demo_terms
        from tests.rentals.helpers import CONSENT, identity

        rentals, plan_id, name = self.rentals, demo_plan_id(PRODUCT), f"신청자 {applicant_id}"
        started = await self.step("start", applications.start_application(
            rentals, applicant_id, plan_id, f"{plan_id}-v1", demo_terms()[PRODUCT].monthly_fee))
        await self.step("identity", applications.verify_identity(rentals, applicant_id, started.id,
                                                                 identity(name), name))
        await self.step("consent", applications.consent_to_credit_check(rentals, applicant_id, started.id, CONSENT))
        await self.step("credit", applications.check_credit(rentals, applicant_id, started.id))
        self.times["credit"][-1] -= self.bureau.spent.pop(started.id) * 1000
        await self.step("address", applications.give_address(rentals, applicant_id, started.id, ADDRESS))
        while True:  # a place taken since the week was shown: the applicant is told and picks another
            free = await self.step("slots", applications.slots_for(rentals, applicant_id, started.id))
            slot = self.rng.choice([offer.slot.id for offer in free if offer.free > 0])
            try:
                await self.step("hold", applications.hold_slot(rentals, applicant_id, started.id, slot))
            except SlotFull:
                self.slot_full.append(await self._places_left(slot))
                continue
            return started.id

    async def _places_left(self, slot_id: str) -> int:
        """Places still free in a slot found full (holds never run out on the bench's clock, so more than none
        is a refusal while a place was free)."""
        from sqlalchemy import func, select

        from storage.rentals.tables import rental_slot_places

        async with self.rentals.read() as uow:
            query = select(func.count()).where(rental_slot_places.c.slot_id == slot_id,
                                               rental_slot_places.c.application_id.is_(None))
            return int((await uow.connection.execute(query)).scalar_one())

    async def sign(self, applicant_id: int, application_id: str) -> str | None:
        """Sign; the unit reserved, or None for a service."""
        from subscriptions.rentals.services import applications
        from tests.rentals.helpers import signed_contract

        signed = await self.step("sign", applications.sign_contract(
            self.rentals, applicant_id, application_id, signed_contract(f"contract-{application_id}")))
        return signed.unit_id

    async def pay(self, applicant_id: int, application_id: str) -> None:
        """The first payment: the amount asked, then billing's credit recorded."""
        from subscriptions.rentals.services import applications, contracts

        due = await self.step("payment_due", applications.first_payment(self.rentals, applicant_id, application_id))
        await self.step("paid", contracts.record_first_payment(self.rentals, application_id,
                                                                f"payment-{application_id}", due.total))


# --- checkout: 50 customers at once, every step timed --------------------------------------------------------------

async def checkout_run(backend: str, args: argparse.Namespace, think: float, seed_number: int
                       ) -> tuple[dict[str, list[float]], float, float]:
    """Step times of `args.checkouts` checkouts by `args.customers` customers at once; the run's seconds, and
    this process's CPU seconds in it (the SQLite threads' included; PostgreSQL's own processes not)."""
    times: dict[str, list[float]] = defaultdict(list)
    each = -(-args.checkouts // args.customers)
    async with seeded(backend, args.postgres, units=each * args.customers + 1,
                      places=2 * each * args.customers + 100, applicants=args.customers + 1) as (_, _, rentals, bureau):
        slot_full: list[int] = []
        failed: list[BaseException] = []

        async def customer(number: int, into: dict[str, list[float]], pause: float) -> None:
            walk = Walk(rentals, bureau, into, random.Random(seed_number * 1000 + number), pause)
            applicant_id = APPLICANT_BASE + number
            for _ in range(each if into is times else 1):
                try:
                    application_id = await walk.to_signing(applicant_id)
                    await walk.sign(applicant_id, application_id)
                    await walk.pay(applicant_id, application_id)
                except Exception as error:  # noqa: BLE001 (counted and shown: the customer starts again)
                    failed.append(error)
            slot_full.extend(walk.slot_full)

        await customer(args.customers, defaultdict(list), 0.0)  # statements compiled and cached, as in a running bot
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(customer(number, times, think) for number in range(args.customers)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if failed:
            say(f"  {len(failed)} checkouts failed at a step (not timed), the first: {failed[0]!r}")
        if slot_full:
            say(f"  {len(slot_full)} holds refused as full (another took the slot's last place after the week was "
                f"shown), {sum(1 for left in slot_full if left)} of them with a place still free")
        return times, seconds, cpu


def _step_figures(times: dict[str, list[float]]) -> tuple[float, float]:
    """(the slowest step's p99, the p99 of all steps together)."""
    return max(p99(times[name]) for name in STEPS), p99([t for name in STEPS for t in times[name]])


async def checkout_part(args: argparse.Namespace) -> None:
    figures: dict[str, list[tuple[float, float]]] = {}
    no_pause: dict[str, list[float]] = {}
    for backend in _backends(args):
        figures[backend], no_pause[backend] = [], []
        for number in range(args.runs):
            times, seconds, cpu = await checkout_run(backend, args, args.think, number)
            figures[backend].append(_step_figures(times))
            count, steps = len(times["paid"]), sum(len(times[name]) for name in STEPS)
            say(f"checkout {backend} run {number + 1}: {count} checkouts by {args.customers} customers at once "
                f"in {seconds:.1f} s ({steps / seconds:.0f} steps/s, {cpu * 1000 / steps:.1f} ms CPU a step); "
                f"p50 / p99 ms by step:")
            say("  " + ", ".join(f"{name} {statistics.median(times[name]):.1f} / {p99(times[name]):.1f}"
                                 for name in STEPS))
            say(f"  slowest step p99 {figures[backend][-1][0]:.1f} ms, all steps p99 {figures[backend][-1][1]:.1f} ms")
        times, seconds, cpu = await checkout_run(backend, args, 0.0, args.runs)
        no_pause[backend].append(_step_figures(times)[0])
        steps = sum(len(times[name]) for name in STEPS)
        say(f"checkout {backend} without pauses: {len(times['paid'])} checkouts in {seconds:.1f} s "
            f"({steps / seconds:.0f} steps/s, {cpu * 1000 / steps:.1f} ms CPU a step), p99 ms by step: "
            + ", ".join(f"{name} {p99(times[name]):.0f}" for name in STEPS))
    for backend, runs in figures.items():
        suffix = "" if backend == "sqlite" else "_postgresql"
        say(f"checkout_step_pooled_p99_ms{suffix}={statistics.median(run[1] for run in runs):.1f}")
        say(f"checkout_step_no_pause_p99_ms{suffix}={statistics.median(no_pause[backend]):.0f}")
    for backend, runs in sorted(figures.items(), reverse=True):
        suffix = "" if backend == "sqlite" else "_postgresql"
        say(f"checkout_step_p99_ms{suffix}={statistics.median(run[0] for run in runs):.1f}")


def _backends(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgresql"] if args.postgres else ["sqlite"]


# --- oversell: 1,000 signings at once for 10 units -----------------------------------------------------------------

async def _sign_all(rentals: Rentals, signers: Sequence[tuple[int, str]]) -> list[str]:
    """Everyone signs at once; each answer is the unit won or the refusal's code (another error, its repr)."""
    from subscriptions.rentals.errors import RentalError
    from subscriptions.rentals.services import applications
    from tests.rentals.helpers import signed_contract

    async def sign(applicant_id: int, application_id: str) -> str:
        try:
            signed = await applications.sign_contract(rentals, applicant_id, application_id,
                                                      signed_contract(f"contract-{application_id}"))
        except RentalError as error:
            return error.code
        except Exception as error:  # noqa: BLE001 (counted and shown: any other answer is a finding)
            return repr(error)
        return signed.unit_id or ""

    return list(await asyncio.gather(*(sign(applicant_id, application_id) for applicant_id, application_id in signers)))


def run_signing_worker(conn: Connection, url: str, master_key: bytes) -> None:
    """Child (PostgreSQL): its own engine on the shared database; on ("sign", signers, at) it signs them all at
    the instant `at` (time.time()) and answers what each got."""

    async def main() -> None:
        from bot.config import load_config

        engine = engine_for(url)
        rentals = rentals_over(engine, master_key, InstantBureau())

        async def connect() -> None:
            async with rentals.read() as uow:
                await uow.rental_units.in_stock(PRODUCT, REGION)
                await asyncio.sleep(0.05)  # hold it, so that the next one opens a connection of its own

        try:  # every connection of the pool open before the race, as in a worker that has been running
            await asyncio.gather(*(connect() for _ in range(2 * load_config(environ={}).database.pool_size)))
            conn.send("ready")
            loop = asyncio.get_running_loop()
            while (request := await loop.run_in_executor(None, conn.recv)) != "stop":
                _, signers, at = request
                await asyncio.sleep(max(0.0, at - time.time()))
                began = time.time()
                answers = await _sign_all(rentals, signers)
                conn.send((answers, began - at, time.time() - at))
        finally:
            await engine.dispose()

    asyncio.run(main())


async def _stored_oversell(rentals: Rentals, winners: dict[str, str]) -> tuple[int, int]:
    """From storage: (units given to more than one contract or application, beyond the first, plus contracts
    whose unit is missing, shared or reserved for another application; contracts stored)."""
    from sqlalchemy import select

    from storage.documents import decode
    from storage.rentals.tables import rental_contracts, rental_units
    from subscriptions.rentals.contracts import Contract
    from subscriptions.rentals.stock import UnitStatus

    async with rentals.read() as uow:
        connection = uow.connection
        stored = [decode(Contract, row.document) for row in
                  await connection.execute(select(rental_contracts.c.document))]
        units = {row.id: row for row in await connection.execute(
            select(rental_units).where(rental_units.c.product_id == PRODUCT))}
    by_unit = Counter(contract.unit_id for contract in stored if contract.unit_id is not None)
    shared = sum(count - 1 for count in by_unit.values())
    won_twice = sum(count - 1 for count in Counter(winners.values()).values())
    without_own_unit = sum(1 for contract in stored
                           if contract.unit_id is None or by_unit[contract.unit_id] > 1
                           or contract.unit_id not in units
                           or units[contract.unit_id].application_id != contract.application_id)
    reserved = [row for row in units.values() if row.status != UnitStatus.IN_STOCK.value]
    unpaid_reserved = sum(1 for row in reserved if winners.get(row.application_id) != row.id)
    return shared + won_twice + without_own_unit + unpaid_reserved, len(stored)


async def oversell_run(backend: str, args: argparse.Namespace) -> dict[str, float]:
    async with seeded(backend, args.postgres, units=args.units, places=args.applicants + 100,
                      applicants=args.applicants) as (url, key, rentals, bureau):
        times: dict[str, list[float]] = defaultdict(list)
        gate = asyncio.Semaphore(args.customers)

        slot_full: list[int] = []

        async def walk(number: int) -> tuple[int, str]:
            async with gate:
                applicant_id = APPLICANT_BASE + number
                walker = Walk(rentals, bureau, times, random.Random(number), 0.0)
                application_id = await walker.to_signing(applicant_id)
                slot_full.extend(walker.slot_full)
                return applicant_id, application_id

        started = time.perf_counter()
        signers = list(await asyncio.gather(*(walk(number) for number in range(args.applicants))))
        walked = time.perf_counter() - started
        if slot_full:
            say(f"  {len(slot_full)} holds refused as full on the way, {sum(1 for left in slot_full if left)} of them "
                f"with a place still free")
        children: list[ChildProcess] = []
        try:
            windows = ""
            if backend == "postgresql":
                children = [ChildProcess(run_signing_worker, url, key) for _ in range(2)]
                for child in children:
                    child.receive()
                at = time.time() + 1.0
                for number, child in enumerate(children):
                    child.conn.send(("sign", signers[number::2], at))
                halves = [child.receive(300) for child in children]
                answers = [answer for half, _, _ in halves for answer in half]
                order = [signer for number in range(2) for signer in signers[number::2]]
                by_worker = [sum(answer.startswith("bench-unit-") for answer in half) for half, _, _ in halves]
                signed = max(end for _, _, end in halves)
                windows = " (the workers signing " + " and ".join(
                    f"{began * 1000:.0f}-{end * 1000:.0f} ms" for _, began, end in halves) + " after the instant)"
            else:
                started = time.perf_counter()
                answers = await _sign_all(rentals, signers)
                order, by_worker = signers, []
                signed = time.perf_counter() - started
        finally:
            for child in children:
                child.stop()
        winners = {application_id: answer for (_, application_id), answer in zip(order, answers, strict=True)
                   if answer.startswith("bench-unit-")}
        walk_pay = Walk(rentals, bureau, times, random.Random(0), 0.0)
        for applicant_id, application_id in order:
            if application_id in winners:
                await walk_pay.pay(applicant_id, application_id)
        from subscriptions.rentals.errors import OutOfStock

        refused = Counter(answer for answer in answers if answer not in winners.values())
        others = sum(count for code, count in refused.items() if code != OutOfStock.code)
        stored, contracts = await _stored_oversell(rentals, winners)
        oversell = max(0, len(winners) - args.units) + stored
        say(f"oversell {backend}{', two workers' if by_worker else ''}: {len(signers)} checkouts walked to signing in "
            f"{walked:.1f} s, signed at once in {signed:.1f} s{windows}: {len(winners)} won "
            f"{'(' + ' and '.join(map(str, by_worker)) + ' by the two workers) ' if by_worker else ''}"
            f"{refused[OutOfStock.code]} OutOfStock, {others} other answers{' ' + str(dict(refused)) if others else ''}; "
            f"{contracts} contracts paid; oversold {oversell}")
        return {"oversell": oversell, "won": len(winners), "out_of_stock": refused[OutOfStock.code], "others": others}


async def oversell_part(args: argparse.Namespace) -> None:
    runs: dict[str, list[dict[str, float]]] = {}
    for backend in _backends(args):
        runs[backend] = [await oversell_run(backend, args) for _ in range(args.runs)]
    for backend, found in runs.items():
        suffix = "_sqlite" if backend == "sqlite" else "_postgresql_two_workers"
        say(f"oversell_signings_won{suffix}={'/'.join(str(int(run['won'])) for run in found)} (of {args.units} units)")
        say(f"oversell_out_of_stock{suffix}={'/'.join(str(int(run['out_of_stock'])) for run in found)} "
            f"(of {args.applicants - args.units})")
        say(f"oversell_other_answers{suffix}={max(int(run['others']) for run in found)}")
    for backend, found in runs.items():
        suffix = "_sqlite" if backend == "sqlite" else "_postgresql"
        say(f"unit_oversell{suffix}={max(int(run['oversell']) for run in found)}")
    exact = all(run["won"] == args.units and run["out_of_stock"] == args.applicants - args.units
                for found in runs.values() for run in found)
    worst = max(int(run["oversell"]) for found in runs.values() for run in found)
    say(f"unit_oversell={worst}{'' if exact else ' (and not exactly one signing per unit: see above)'}")


# --- contract: Minji's contract to PDF -------------------------------------------------------------------------------

def render_times(renderer: ContractRenderer, document: ContractDocument,
                 renders: int) -> tuple[float, float, float]:
    """(p50, p99, CPU p50) in milliseconds of `renders` renders of `document`, each with its SHA-256."""
    times, cpu = [], []
    for _ in range(renders):
        started, cpu_started = time.perf_counter(), time.process_time()
        hashlib.sha256(renderer.pdf(document)).hexdigest()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(times), p99(times), statistics.median(cpu)


async def contract_part(args: argparse.Namespace) -> None:
    from bot.gateways.contracts import ContractFonts, ContractRenderer
    from subscriptions.rentals.contract_document import ContractLanguage
    from tests.rentals.contract_samples import minji_contract

    started = time.perf_counter()
    fonts = ContractFonts.from_machine()
    fonts.warm()
    say(f"contract fonts ready in {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    renderer = ContractRenderer(fonts)
    korean, english = minji_contract(ContractLanguage.KO), minji_contract(ContractLanguage.EN)
    pdf = renderer.pdf(korean)
    say(f"contract: {len(pdf) / 1024:.0f} KiB, sha256 {hashlib.sha256(pdf).hexdigest()[:16]}...")
    results, english_results = [], []
    for number in range(args.runs):
        results.append(render_times(renderer, korean, args.renders))
        english_results.append(render_times(renderer, english, max(10, args.renders // 4)))
        say(f"contract run {number + 1}: {args.renders} renders, p50 {results[-1][0]:.1f} ms, "
            f"p99 {results[-1][1]:.1f} ms, CPU p50 {results[-1][2]:.1f} ms; English p50 {english_results[-1][0]:.1f} ms")
    say(f"contract_pdf_cpu_p50_ms={statistics.median(r[2] for r in results):.1f}")
    say(f"contract_pdf_p99_ms={statistics.median(r[1] for r in results):.1f}")
    say(f"contract_pdf_english_p50_ms={statistics.median(r[0] for r in english_results):.1f}")
    say(f"contract_pdf_p50_ms={statistics.median(r[0] for r in results):.1f}")


# --- the command line --------------------------------------------------------------------------------------------

PARTS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, None]]] = {
    "checkout": checkout_part, "oversell": oversell_part, "contract": contract_part}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short run of each part")
    parser.add_argument("--part", choices=sorted(PARTS), action="append", help="only this part (may repeat)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--customers", type=int, default=50, help="customers in the checkout at once")
    parser.add_argument("--checkouts", type=int, default=None, help="checkouts in a run of the checkout part")
    parser.add_argument("--think", type=float, default=2.0, help="a customer's mean pause between steps, seconds")
    parser.add_argument("--applicants", type=int, default=None, help="checkouts racing in the oversell part")
    parser.add_argument("--units", type=int, default=10, help="units they race for")
    parser.add_argument("--renders", type=int, default=None, help="contract renders a run")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.checkouts = args.checkouts or (100 if args.quick else 400)
    args.applicants = args.applicants or (200 if args.quick else 1000)
    args.renders = args.renders or (30 if args.quick else 200)
    for part in args.part or list(PARTS):
        asyncio.run(PARTS[part](args))


if __name__ == "__main__":
    main()
