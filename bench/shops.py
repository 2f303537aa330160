"""Shops benchmark: the counter under load, double spending, and a shop's broadcast to its followers.

    python bench/shops.py                  # all three parts, three runs each, medians
    python bench/shops.py --quick          # one short run of each (about two minutes)
    python bench/shops.py --part counter   # or double-spend, broadcast
    python bench/shops.py --postgres URL   # PostgreSQL too (or set JIGAP_TEST_DATABASE_URL)

- counter: 50 baristas at 50 counters type `/redeem <6 digits>` of their customers' codes through the sandbox (its
  own process) and jigap (another: the real Application, on SQLite, then PostgreSQL). Each counter redeems a pass
  every `--every` seconds (5: ten redemptions a second from the 50, several times what busy counters do), at its
  own moments (`redeem_*`), and once more all 50 at the same instant (`redeem_in_step_*`, the worst case: they
  queue behind each other). `redeem_p99_ms` is a barista's wait from sending the digits to the bot's "1 Americano
  used, ... left"; `redeem_holder_notice_p99_ms` the customer's wait, from the same moment, for their own message.
  The sandbox's limits are Telegram's scaled to `--rate` messages a second as in bench/delivery.py; one message a
  chat every `--every` seconds stays inside Telegram's own limit for a chat.
- double-spend: 1,000 codes, each redeemed by 10 staff at once, through the services (no chat): on SQLite in one
  process, and on PostgreSQL by two worker processes, 5 staff each, started on every wave together.
  `double_spend` counts uses taken beyond one per code, from the attempts and from what is stored.
- broadcast: a shop's broadcast to 10,000 followers while 20 people chat with the bot, with bench/delivery.py's
  machinery and figures (`broadcast_rate_fraction`, `broadcast_429`, `interactive_p99_ratio`). The shop may send to
  all of them without a platform admin's approval (`[shops] approval_threshold`): what is timed is the sending.
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
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child_process import ChildProcess  # noqa: E402
from bench.delivery import TOKEN, one_round, p99, serve_sandbox, timed_broadcast  # noqa: E402
from bench.postgres_database import fresh_postgres  # noqa: E402
from sandbox.client import NoReply, SandboxClient, SandboxUser  # noqa: E402

if TYPE_CHECKING:  # the children import jigap themselves, after they start
    from storage.unit_of_work import UnitOfWorkFactory
    from subscriptions.shops import Shops

OWNER = 7_000_001
STAFF_BASE, HOLDER_BASE = 7_100_000, 7_200_000
PASS_PRODUCT = "bench-pack"
USED = "1 Americano used,"  # how a redemption reads to an English-speaking barista and customer


# --- the shop every part uses --------------------------------------------------------------------------------------

async def seed_shop(units: UnitOfWorkFactory, shops: Shops, *, staff: Sequence[int], holders: Sequence[int],
                    passes_each: int = 1, followers: Sequence[int] = ()) -> list[tuple[int, str]]:
    """A café with `staff`, `passes_each` 1,000-use passes per holder and `followers`; returns (holder, pass id)."""
    from subscriptions.accounts.records import RoleGrant
    from subscriptions.money import Money
    from subscriptions.shops.passes import ActivityKind, Pass, PassActivity, PassKind, PassProduct, PassStatus
    from subscriptions.shops.shops import Shop, parse_hours

    now = shops.clock.now()
    async with units() as uow:
        org = await uow.organisations.add(slug="bench-cafe", name="Bench Cafe", kind="shop", now=now)
        for user_id in {OWNER, *staff, *holders}:
            await uow.users.upsert_seen(user_id=user_id, username=None, first_name=f"Person {user_id}",
                                        last_name=None, telegram_language="en", default_timezone="Asia/Seoul", now=now)
        await uow.roles.grant(RoleGrant(OWNER, "shop_owner", org.id), granted_by=None, now=now)
        for staff_id in staff:
            await uow.roles.grant(RoleGrant(staff_id, "shop_staff", org.id), granted_by=None, now=now)
        await uow.shops.add(Shop(org_id=org.id, name="Bench Cafe", category="cafe", address="서울 마포구 연남로 1",
                                 hours=parse_hours("Mon-Sun 00:00-23:59"), phone="02-000-0000", owner_id=OWNER,
                                 timezone="Asia/Seoul", created_at=now))
        await uow.pass_products.add(PassProduct(id=PASS_PRODUCT, org_id=org.id, name="Bench pack", item="Americano",
                                                uses=1000, kind=PassKind.PACK, price=Money(38000, "KRW"),
                                                created_at=now, valid_days=365))
        held = []
        for holder in holders:
            for _ in range(passes_each):
                issued = Pass(id=shops.ids.new_id(), product_id=PASS_PRODUCT, org_id=org.id, holder_id=holder,
                              balance=1000, period_end=now + timedelta(days=365), status=PassStatus.ACTIVE,
                              source=f"purchase:{shops.ids.new_id()}", created_at=now)
                await uow.passes.add(issued)
                await uow.passes.add_activity(PassActivity(shops.ids.new_id(), issued.id, ActivityKind.ISSUED, 1000,
                                                           1000, now))
                held.append((holder, issued.id))
        if followers:
            await uow.shop_follows.add_many(org.id, list(followers), now)
        await uow.commit()
    return held


def jigap_config(rate: int, **shops: int) -> Any:
    import dataclasses

    from bot.config import Config

    base = Config()  # the documented defaults, whatever config.toml in the working folder says
    # No quiet hours: at night in Seoul every follower's message would wait for the morning, and what is timed
    # is sending, whatever the hour the bench runs at.
    return base.replace(delivery=dataclasses.replace(base.delivery, bot_rate=rate, sender_process=True),
                        shops=dataclasses.replace(base.shops, **shops),
                        i18n=dataclasses.replace(base.i18n, quiet_start="00:00", quiet_end="00:00"))


# --- counter: 50 baristas at once through the bot ------------------------------------------------------------------

CODE_LIFETIME = timedelta(minutes=30)  # shown all before a run; how long a code lives is not what is timed


def run_counter_jigap(conn: Connection, url: str, database_url: str, rate: int) -> None:
    """Child: jigap polling the sandbox. ("seed", staff, holders, n) gives each holder n passes and answers one
    code for each, holder by holder."""
    import logging

    from bot.bootstrap import Services, freeze_startup_objects
    from bot.embedded import embedded_bot
    from subscriptions.shops.services import counter

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    async def main() -> None:
        async with embedded_bot(api_url=url, token=TOKEN, database_url=database_url,
                                config=jigap_config(rate)) as app:
            services: Services = app.bot_data["services"]
            freeze_startup_objects()
            conn.send("ready")
            loop = asyncio.get_running_loop()
            while (request := await loop.run_in_executor(None, conn.recv)) != "stop":
                if request == "cpu":
                    conn.send(time.process_time())
                    continue
                _, staff, holders, passes_each = request
                held = await seed_shop(services.uow, services.shops, staff=staff, holders=holders,
                                       passes_each=passes_each)
                conn.send([(await counter.show_pass_code(services.shops, holder, pass_id,
                                                         lifetime=CODE_LIFETIME)).short_code
                           for holder, pass_id in held])

    asyncio.run(main())


@dataclass
class CounterFigures:
    redeem_ms: list[float]
    notice_ms: list[float]
    failed: int
    cpu_ms: float = 0.0  # jigap's process time per redemption (its sending process aside)


async def _drain(person: SandboxUser) -> None:
    """Whatever the bot said after /start, read, so the next message is the one timed."""
    try:
        while True:
            await person.next_message(timeout=1.0)
    except NoReply:
        return


async def _one_redemption(barista: SandboxUser, customer: SandboxUser, code: str, figures: CounterFigures) -> None:
    started = time.perf_counter()
    notice = asyncio.create_task(customer.next_message(timeout=10))
    try:
        reply = await barista.send(f"/redeem {code}", timeout=10)
        figures.redeem_ms.append((time.perf_counter() - started) * 1000)
        told = await notice
        figures.notice_ms.append((time.perf_counter() - started) * 1000)
    except NoReply:
        notice.cancel()
        figures.failed += 1
        return
    if USED not in reply.text or USED not in told.text:
        figures.failed += 1


async def _counter(barista: SandboxUser, customer: SandboxUser, codes: list[str], figures: CounterFigures, *,
                   every: float, phase: float) -> None:
    """One counter: a customer every `every` seconds, the first after `phase`."""
    began = time.perf_counter() + phase
    for number, code in enumerate(codes):
        await asyncio.sleep(max(0.0, began + number * every - time.perf_counter()))
        await _one_redemption(barista, customer, code, figures)


async def counter_run(database_url: str, args: argparse.Namespace, *, in_step: bool) -> CounterFigures:
    """Each counter redeems `waves` codes, one every `every` seconds: at random moments of that interval
    (staggered), or all 50 at the same instant (`in_step`, the worst a platform could see)."""
    import random

    sandbox = ChildProcess(serve_sandbox, float(args.rate), 0, daemon=False)
    url, _ = sandbox.receive()
    jigap = ChildProcess(run_counter_jigap, url, database_url, args.rate, daemon=False)
    figures = CounterFigures([], [], 0)
    try:
        jigap.receive()
        async with SandboxClient(url) as client:
            baristas = [await client.user(f"Barista {n}", "en") for n in range(args.counters)]
            customers = [await client.user(f"Customer {n}", "en") for n in range(args.counters)]
            people = baristas + customers
            await asyncio.gather(*(person.send("/start", timeout=30) for person in people))
            await asyncio.gather(*(_drain(person) for person in people))
            jigap.conn.send(("seed", [b.id for b in baristas], [c.id for c in customers], args.waves))
            codes = jigap.receive(300)
            await asyncio.sleep(args.every)  # the replies to /start used the chats' first burst
            jigap.conn.send("cpu")
            cpu_before = jigap.receive()
            await asyncio.gather(*(
                _counter(barista, customer, codes[n * args.waves:(n + 1) * args.waves], figures, every=args.every,
                         phase=0.0 if in_step else random.random() * args.every)
                for n, (barista, customer) in enumerate(zip(baristas, customers, strict=True))))
            jigap.conn.send("cpu")
            figures.cpu_ms = (jigap.receive() - cpu_before) * 1000 / max(1, len(figures.redeem_ms))
    finally:
        jigap.stop()
        sandbox.stop()
    return figures


async def counter_part(args: argparse.Namespace) -> None:
    backends: list[tuple[str, Callable[[], Any]]] = [("sqlite", _sqlite_url)]
    if args.postgres:
        backends.append(("postgresql", lambda: fresh_postgres(args.postgres)))
    for backend, database in backends:
        suffix = "" if backend == "sqlite" else "_postgresql"
        for in_step, name in ((False, "redeem"), (True, "redeem_in_step")):
            rounds = []
            for number in range(args.runs):
                async with database() as url:
                    figures = await counter_run(url, args, in_step=in_step)
                rounds.append((p99(figures.redeem_ms), p99(figures.notice_ms), figures.failed))
                print(f"counter {backend} {'in step' if in_step else 'staggered'} run {number + 1}: "
                      f"{len(figures.redeem_ms)} redemptions by {args.counters} counters, one each every "
                      f"{args.every:g} s: p99 {rounds[-1][0]:.1f} ms (median {statistics.median(figures.redeem_ms):.1f}),"
                      f" holder told p99 {rounds[-1][1]:.1f} ms, failed {figures.failed}, jigap's CPU "
                      f"{figures.cpu_ms:.1f} ms a redemption")
            print(f"{name}_p99_ms{suffix}={statistics.median(r[0] for r in rounds):.1f}")
            print(f"{name}_holder_notice_p99_ms{suffix}={statistics.median(r[1] for r in rounds):.1f}")
            print(f"{name}_failed{suffix}={max(r[2] for r in rounds)}")


class _SqliteFile:
    """A fresh SQLite file per run (jigap migrates it when it starts)."""

    async def __aenter__(self) -> str:
        self._folder = tempfile.TemporaryDirectory()
        return f"sqlite+aiosqlite:///{self._folder.name}/bench.db"

    async def __aexit__(self, *_: object) -> None:
        self._folder.cleanup()


def _sqlite_url() -> _SqliteFile:
    return _SqliteFile()


# --- double spend: 10 staff on each of 1,000 codes -------------------------------------------------------------------

START = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)


async def _services(url: str) -> tuple[Any, UnitOfWorkFactory, Shops]:
    """An engine and the shops' services on a fixed clock (codes live 30 s; the bench takes longer)."""
    from bot.bootstrap import billing_for, shops_for
    from bot.config import load_config
    from storage.engine import create_engine
    from storage.envelope import Envelope, KeyRing, new_master_key
    from storage.unit_of_work import UnitOfWorkFactory
    from subscriptions.clock import FixedClock

    clock = FixedClock(START)
    engine = create_engine(url, pool_size=12)
    units = UnitOfWorkFactory(engine, Envelope(KeyRing.single(new_master_key())), now=clock.now)
    config = load_config(environ={})
    return engine, units, shops_for(config, units, clock, billing_for(config, units, clock))


async def _attempts(shops: Shops, staff: Sequence[int], codes: Sequence[str]) -> tuple[Counter[str], int]:
    """Every staff member redeems every code of the wave at once: wins per code, and answers that were not a
    refusal of a used code (errors)."""
    from subscriptions.shops.counter import CodeQuery
    from subscriptions.shops.errors import CodeUsed
    from subscriptions.shops.services import counter

    async def attempt(staff_id: int, code: str) -> str | None | BaseException:
        try:
            await counter.redeem(shops, staff_id, CodeQuery(short_code=code))
        except CodeUsed:
            return None
        except Exception as error:  # noqa: BLE001 (counted and shown: any other answer is a finding)
            return error
        return code

    outcomes = await asyncio.gather(*(attempt(staff_id, code) for code in codes for staff_id in staff))
    wins = Counter(outcome for outcome in outcomes if isinstance(outcome, str))
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    for error in errors[:3]:
        print(f"  unexpected answer: {error!r}")
    return wins, len(errors)


def run_double_spend_worker(conn: Connection, url: str, staff: list[int]) -> None:
    """Child (PostgreSQL): on ("wave", codes) its staff redeem them all at once; answers wins and errors."""

    async def main() -> None:
        engine, _units, shops = await _services(url)
        conn.send("ready")
        loop = asyncio.get_running_loop()
        try:
            while (request := await loop.run_in_executor(None, conn.recv)) != "stop":
                wins, errors = await _attempts(shops, staff, request[1])
                conn.send((dict(wins), errors))
        finally:
            await engine.dispose()

    asyncio.run(main())


async def _stored_extra_uses(units: UnitOfWorkFactory) -> int:
    """Uses taken beyond one per code, as stored: redemptions per code, and each pass's balance against its
    redemptions and its ledger."""
    from sqlalchemy import func, select

    from storage.shops.tables import shop_pass_activities, shop_passes, shop_redemptions

    async with units() as uow:
        connection = uow.connection
        per_code = (select(func.count().label("n")).select_from(shop_redemptions)
                    .group_by(shop_redemptions.c.code_id).subquery())
        extra_rows = (await connection.execute(select(func.coalesce(func.sum(per_code.c.n - 1), 0)))).scalar_one()
        taken = (await connection.execute(select(func.coalesce(func.sum(1000 - shop_passes.c.balance), 0))))
        redeemed = (await connection.execute(select(func.count()).select_from(shop_redemptions))).scalar_one()
        ledger = (await connection.execute(select(func.count()).select_from(shop_pass_activities).where(
            shop_pass_activities.c.kind == "redeemed"))).scalar_one()
    return int(extra_rows) + abs(int(taken.scalar_one()) - int(redeemed)) + abs(int(ledger) - int(redeemed))


async def double_spend_run(url: str, args: argparse.Namespace, *, workers: int) -> tuple[int, int, int, float]:
    """(double spends, codes no one could redeem, unexpected answers, seconds) for one run."""
    from storage.migrate import migrate
    from subscriptions.shops.services import counter

    staff = [STAFF_BASE + n for n in range(10)]
    holders = [HOLDER_BASE + n for n in range(args.codes // 10)]
    engine, units, shops = await _services(url)
    children: list[ChildProcess] = []
    try:
        await migrate(engine)
        held = await seed_shop(units, shops, staff=staff, holders=holders, passes_each=10)
        codes = [(await counter.show_pass_code(shops, holder, pass_id)).short_code for holder, pass_id in held]
        share = len(staff) // workers
        if workers > 1:
            children = [ChildProcess(run_double_spend_worker, url, staff[n * share:(n + 1) * share])
                        for n in range(workers)]
            for child in children:
                child.receive()
        wins: Counter[str] = Counter()
        by_worker = [0] * len(children)
        errors = 0
        started = time.perf_counter()
        for first in range(0, len(codes), args.wave):
            wave = codes[first:first + args.wave]
            if children:
                for child in children:
                    child.conn.send(("wave", wave))
                for number, child in enumerate(children):
                    found, failed = child.receive(120)
                    wins.update(found)
                    by_worker[number] += sum(found.values())
                    errors += failed
            else:
                found, failed = await _attempts(shops, staff, wave)
                wins.update(found)
                errors += failed
        seconds = time.perf_counter() - started
        if children:
            print(f"  uses taken by each worker process: {by_worker}")
        attempted_extra = sum(count - 1 for count in wins.values() if count > 1)
        double = max(attempted_extra, await _stored_extra_uses(units))
        return double, len(set(codes) - set(wins)), errors, seconds
    finally:
        for child in children:
            child.stop()
        await engine.dispose()


async def double_spend_part(args: argparse.Namespace) -> None:
    from bench.sqlite_file import migrated_sqlite

    runs: dict[str, list[tuple[int, int, int, float]]] = {"sqlite": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs["sqlite"].append(await double_spend_run(await migrated_sqlite(Path(folder)), args, workers=1))
        _report_double("sqlite", runs["sqlite"][-1], args)
    if args.postgres:
        runs["postgresql"] = []
        for _ in range(args.runs):
            async with fresh_postgres(args.postgres) as url:
                runs["postgresql"].append(await double_spend_run(url, args, workers=2))
            _report_double("postgresql, two workers", runs["postgresql"][-1], args)
    for backend, found in runs.items():
        suffix = "" if backend == "sqlite" else "_postgresql"
        print(f"double_spend{suffix}={max(run[0] for run in found)}")
        print(f"codes_unredeemed{suffix}={max(run[1] for run in found)}")
        print(f"redeem_errors{suffix}={max(run[2] for run in found)}")


def _report_double(backend: str, run: tuple[int, int, int, float], args: argparse.Namespace) -> None:
    double, unredeemed, errors, seconds = run
    print(f"double spend {backend}: {args.codes * 10} attempts on {args.codes} codes (10 staff each, "
          f"{args.wave} codes at a time) in {seconds:.1f} s: {double} double spends, {unredeemed} codes unredeemed, "
          f"{errors} unexpected answers")


# --- broadcast: a shop's followers, with delivery's figures ----------------------------------------------------------

def run_broadcast_jigap(conn: Connection, url: str, database_url: str, rate: int, followers: list[int]) -> None:
    """Child: jigap with a café of `followers`; on "broadcast" the owner's broadcast goes to all of them."""
    import logging

    from bot.bootstrap import Services, freeze_startup_objects
    from bot.embedded import embedded_bot
    from subscriptions.shops.audiences import Audience, Target
    from subscriptions.shops.services import broadcasts

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    async def main() -> None:
        async with embedded_bot(api_url=url, token=TOKEN, database_url=database_url,
                                config=jigap_config(rate, broadcasts_per_day=100, approval_threshold=len(followers))) as app:
            services: Services = app.bot_data["services"]
            await _started(services, followers)
            await seed_shop(services.uow, services.shops, staff=[], holders=followers[:1], followers=followers)
            async with services.uow() as uow:
                org = await uow.organisations.get_by_slug("bench-cafe")
            assert org is not None
            freeze_startup_objects()
            conn.send("ready")
            loop = asyncio.get_running_loop()
            async def send_one() -> None:
                planned = await broadcasts.plan(services.shops, OWNER, org.id, text="New autumn blend this week",
                                                audience=Audience.FOLLOWERS, target=Target.FOLLOWERS)
                await services.shop_broadcasts.send(planned.id)

            while await loop.run_in_executor(None, conn.recv) == "broadcast":
                conn.send(await timed_broadcast(services, len(followers), send_one))

    asyncio.run(main())


async def _started(services: Any, user_ids: Sequence[int]) -> None:
    """The followers as people who started the bot (the sandbox has them so), written in one statement."""
    from sqlalchemy import insert

    from storage.core.tables import users

    now = services.clock.now()
    async with services.uow() as uow:
        await uow.connection.execute(insert(users), [
            {"id": user_id, "timezone": "Asia/Seoul", "telegram_language": "en", "is_bot_blocked": False,
             "is_banned": False, "created_at": now, "last_seen_at": now} for user_id in user_ids])
        await uow.commit()


async def broadcast_part(args: argparse.Namespace) -> None:
    sandbox = ChildProcess(serve_sandbox, float(args.rate), args.followers, daemon=False)
    url, followers = sandbox.receive()
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        jigap = ChildProcess(run_broadcast_jigap, url, f"sqlite+aiosqlite:///{folder}/bench.db", args.rate,
                             followers, daemon=False)
        try:
            jigap.receive(300)
            async with SandboxClient(url) as client:
                people = [await client.user(f"Chatter {n}", "en") for n in range(args.chatters)]
                await asyncio.gather(*(person.send("/start", timeout=30) for person in people))
                for number in range(args.runs):
                    figures = await one_round(jigap, people, 10.0, 1.0)
                    rounds.append(figures)
                    print(f"broadcast run {number + 1}: {figures['rate']:.0f} msg/s of {args.rate} to "
                          f"{len(followers)} followers, 429s {figures['rate_limited']:.0f}, chat p99 idle "
                          f"{figures['idle_p99']:.1f} ms, during {figures['busy_p99']:.1f} ms")
        finally:
            jigap.stop()
            sandbox.stop()
    print(f"broadcast_rate_fraction={statistics.median(r['rate'] for r in rounds) / args.rate:.3f}")
    print(f"broadcast_429={statistics.median(r['rate_limited'] for r in rounds):.0f}")
    print(f"interactive_p99_ratio={statistics.median(r['busy_p99'] / r['idle_p99'] for r in rounds):.2f}")


# --- the command line --------------------------------------------------------------------------------------------

PARTS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, None]]] = {
    "counter": counter_part, "double-spend": double_spend_part, "broadcast": broadcast_part}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short run of each part")
    parser.add_argument("--part", choices=sorted(PARTS), action="append", help="only this part (may repeat)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--rate", type=int, default=1000, help="bot-wide messages a second (sandbox and jigap)")
    parser.add_argument("--counters", type=int, default=50, help="baristas redeeming at the same moment")
    parser.add_argument("--waves", type=int, default=None, help="redemptions per counter per run")
    parser.add_argument("--every", type=float, default=5.0, help="seconds from one customer to the next at a counter")
    parser.add_argument("--codes", type=int, default=None, help="codes for the double-spend part")
    parser.add_argument("--wave", type=int, default=20, help="codes attacked together in the double-spend part")
    parser.add_argument("--followers", type=int, default=None)
    parser.add_argument("--chatters", type=int, default=20)
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("JIGAP_TEST_DATABASE_URL"))
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.waves = args.waves or (4 if args.quick else 10)
    args.codes = args.codes or (200 if args.quick else 1000)
    args.followers = args.followers or (2000 if args.quick else 10_000)
    for part in args.part or list(PARTS):
        asyncio.run(PARTS[part](args))


if __name__ == "__main__":
    main()
