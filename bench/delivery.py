"""Delivery benchmark: a broadcast to many recipients at the bot-wide limit while other users chat with the bot.

    python bench/delivery.py            # 10,000 recipients, 3 broadcasts, medians
    python bench/delivery.py --quick    # 10,000 recipients, 1 broadcast (under a minute)

The sandbox runs in its own process with Telegram's limits scaled to `--rate` messages a second for the
bot; jigap (its real Application and delivery pump, on SQLite) in another, configured with the same rate;
the simulated users (20 by default) chat from this one: each sends /help about once a second and waits
for the reply. First they chat for 10 s while nothing else happens (idle), then during the broadcast.
Their replies count in the bot-wide limit as Telegram counts them, so the broadcast can have only what
they leave of it. Last lines:
`broadcast_rate_fraction=` (achieved broadcast rate / limit), `broadcast_429=` (429 answers the pump received) and
`interactive_p99_ratio=` (chat reply p99 during the broadcast / idle).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child_process import ChildProcess  # noqa: E402
from sandbox.client import NoReply, SandboxClient, SandboxUser  # noqa: E402

TOKEN = "6200001:AAbenchDeliveryBotTokenForSandbox1"
TELEGRAM_BOT_RATE = 30.0


def serve_sandbox(conn: Connection, rate: float, recipients: int) -> None:
    """Child: the sandbox with scaled limits and `recipients` users who have started the bot."""
    import gc

    from sandbox.flood import FloodLimits
    from sandbox.server import SandboxServer

    async def main() -> None:
        server = SandboxServer(port=0, limits=FloodLimits().scaled(rate / TELEGRAM_BOT_RATE))
        bot = server.world.add_bot(TOKEN, "bench_delivery_bot", "jigap")
        ids = []
        for index in range(recipients):
            user = server.world.add_user(f"Follower {index}", "ko")
            server.world.private(bot, user).started = True
            ids.append(user.id)
        await server.start()
        # Like jigap, the stand-in server keeps its start-up objects (ten thousand users) out of the
        # collector's walks, and then it collects nothing at all: it keeps every message it relays (for its
        # web chat), so its full collections grew round by round into 30-100 ms pauses in the middle of the
        # replies being timed. Telegram's pauses are not what this bench measures; a few rounds of messages fit
        # in memory.
        gc.collect()
        gc.freeze()
        gc.disable()
        conn.send((server.url, ids))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await server.stop()

    asyncio.run(main())


def run_jigap(conn: Connection, url: str, database_url: str, rate: int, recipients: list[int]) -> None:
    """Child: jigap polling the sandbox; on "broadcast" it enqueues one and reports when it is done."""
    import dataclasses
    import logging

    from sqlalchemy import insert

    from bot.bootstrap import Services, freeze_startup_objects
    from bot.config import Config
    from bot.embedded import embedded_bot
    from handlers.core.outbound import OutboundMessage
    from storage.core.tables import users

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    async def add_users(services: Services) -> None:
        now = services.clock.now()
        rows = [{"id": user_id, "timezone": "Asia/Seoul", "telegram_language": "ko", "is_bot_blocked": False,
                 "is_banned": False, "created_at": now, "last_seen_at": now} for user_id in recipients]
        async with services.uow() as uow:
            await uow.connection.execute(insert(users), rows)
            await uow.commit()

    async def main() -> None:
        base = Config()  # the documented defaults, whatever config.toml in the working folder says
        # At a thousand sends a second the bulk HTTP work gets a process of its own, as an operator would set it.
        # Claims stay at the documented batch size: short transactions, and short turns of the event loop.
        config = base.replace(delivery=dataclasses.replace(base.delivery, bot_rate=rate, sender_process=True))
        async with embedded_bot(api_url=url, token=TOKEN, database_url=database_url, config=config) as app:
            services: Services = app.bot_data["services"]
            await add_users(services)
            freeze_startup_objects()  # as `jigap run` does once it is up
            conn.send("ready")
            loop = asyncio.get_running_loop()
            while await loop.run_in_executor(None, conn.recv) == "broadcast":
                conn.send(await timed_broadcast(services, len(recipients), lambda: (
                    services.delivery.broadcasts.enqueue_broadcast(
                        1, recipients, OutboundMessage("Weekend sale: 20% off everything"), audience="bench"))))

    asyncio.run(main())


async def timed_broadcast(services: Any, count: int, start: Callable[[], Awaitable[object]]) -> dict[str, float]:
    """Start a broadcast of `count` messages and wait until the pump sent them: what a round reports."""
    await wait_until(lambda: services.delivery.pump is not None)
    pump = services.delivery.pump
    before_sent, before_429 = pump.stats.sent, pump.stats.rate_limited
    pump.stats.first_sent_at = None
    await start()
    target = before_sent + count
    await wait_until(lambda: pump.stats.sent >= target)
    assert pump.stats.first_sent_at is not None and pump.stats.last_sent_at is not None
    return {"sent": pump.stats.sent - before_sent, "rate_limited": pump.stats.rate_limited - before_429,
            "seconds": pump.stats.last_sent_at - pump.stats.first_sent_at}


async def wait_until(done: Callable[[], bool]) -> None:
    """Poll a counter of another component (the pump's stats) until it says done."""
    while not done():  # noqa: ASYNC110 (the pump exposes counts, not events)
        await asyncio.sleep(0.02)


async def chat(user: SandboxUser, until: asyncio.Event, latencies: list[float], every: float) -> None:
    """A person chatting at their own pace: a message every `every` seconds, each timed until the reply."""
    await asyncio.sleep(random.random() * every)
    while not until.is_set():
        started = time.perf_counter()
        try:
            await user.send("/help", timeout=10)
        except NoReply:
            latencies.append(10_000.0)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


async def one_round(jigap: ChildProcess, people: list[SandboxUser], idle_seconds: float, every: float) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    idle: list[float] = []
    stop_idle = asyncio.Event()
    chatting = [asyncio.create_task(chat(p, stop_idle, idle, every)) for p in people]
    await asyncio.sleep(idle_seconds)
    stop_idle.set()
    await asyncio.gather(*chatting)
    busy: list[float] = []
    stop_busy = asyncio.Event()
    jigap.conn.send("broadcast")
    chatting = [asyncio.create_task(chat(p, stop_busy, busy, every)) for p in people]
    result = await loop.run_in_executor(None, jigap.receive, 300)
    stop_busy.set()
    await asyncio.gather(*chatting)
    return {"rate": result["sent"] / result["seconds"], "rate_limited": result["rate_limited"],
            "idle_p99": p99(idle), "busy_p99": p99(busy), "idle_n": len(idle), "busy_n": len(busy)}


async def run(args: argparse.Namespace) -> None:
    sandbox = ChildProcess(serve_sandbox, float(args.rate), args.recipients, daemon=False)
    url, recipients = sandbox.receive()
    with tempfile.TemporaryDirectory() as folder:
        jigap = ChildProcess(run_jigap, url, f"sqlite+aiosqlite:///{folder}/bench.db", args.rate, recipients,
                             daemon=False)
        try:
            jigap.receive()
            async with SandboxClient(url) as client:
                people = [await client.user(f"Chatter {i}", "en") for i in range(args.chatters)]
                await asyncio.gather(*(p.send("/start", timeout=30) for p in people))
                rounds = []
                for number in range(args.runs):
                    figures = await one_round(jigap, people, args.idle_seconds, args.chat_every)
                    rounds.append(figures)
                    print(f"round {number + 1}: broadcast {figures['rate']:.0f} msg/s of {args.rate}, "
                          f"429s {figures['rate_limited']:.0f}, chat p99 idle {figures['idle_p99']:.1f} ms "
                          f"({figures['idle_n']:.0f} replies), during broadcast {figures['busy_p99']:.1f} ms "
                          f"({figures['busy_n']:.0f} replies)")
        finally:
            jigap.stop()
            sandbox.stop()
    fraction = statistics.median(r["rate"] for r in rounds) / args.rate
    rate_limited = statistics.median(r["rate_limited"] for r in rounds)
    ratio = statistics.median(r["busy_p99"] / r["idle_p99"] for r in rounds)
    print(f"recipients={args.recipients} limit={args.rate}/s chatters={args.chatters} (one message each every "
          f"{args.chat_every:g}s) runs={args.runs}")
    print(f"broadcast_rate_fraction={fraction:.3f}")
    print(f"broadcast_429={rate_limited:.0f}")
    print(f"interactive_p99_ratio={ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one broadcast (under a minute)")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=1000, help="bot-wide messages a second (sandbox and jigap)")
    # Twenty people at a message a second give a p99 of about two hundred replies per phase rather than
    # the slowest of fifty; their replies count in the bot-wide limit, so the broadcast gets about 98% of it.
    parser.add_argument("--chatters", type=int, default=20, help="users chatting with the bot meanwhile")
    parser.add_argument("--chat-every", type=float, default=1.0, help="seconds between one chatter's messages")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--idle-seconds", type=float, default=None)
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.idle_seconds = args.idle_seconds or 10.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
