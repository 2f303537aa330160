"""Round-trip benchmark: many users chat at once with jigap's bot and with a bare echo bot, on one sandbox.

    python bench/roundtrip.py            # 200 users, 20 s per bot
    python bench/roundtrip.py --quick    # 200 users, 5 s per bot (under a minute in all)

The sandbox runs in its own process, each bot in its own process, and the simulated users in this
one. Every user sends a message, waits for the bot's reply (the sandbox's long-polled event log, no
sleeping), and sends the next. The echo bot is python-telegram-bot with nothing but an echo handler,
given the same concurrency as jigap (64 updates at a time, 128 connections), so the ratios measure
jigap's features rather than configuration. The last three lines are `throughput_ratio=<jigap/echo>`,
`p99_ratio=<jigap/echo>` and `cpu_per_update_ratio=<echo/jigap>`: the echo bot's CPU seconds per reply
divided by jigap's, each read from the bot's own process, which moves far less with machine load than
throughput does.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child_process import ChildProcess  # noqa: E402
from sandbox.client import NoReply, SandboxClient, SandboxUser  # noqa: E402

ECHO_TOKEN = "6100001:AAbenchEchoBotTokenForTheSandbox_1"
JIGAP_TOKEN = "6100002:AAbenchJigapBotTokenForTheSandbox2"
CEILING_WORKERS = 64


# --- processes -----------------------------------------------------------------------------------

async def answer_until_stopped(conn: Connection) -> None:
    """A bot child's side of the pipe: its CPU seconds so far whenever asked ("cpu"), until told to stop.

    `time.process_time()` counts every thread of the process (the bot's loop, SQLite's, the sender's), so the
    bench can divide a bot's own CPU by the replies it sent, which moves far less with machine load than
    replies a second do."""
    loop = asyncio.get_running_loop()
    while (await loop.run_in_executor(None, conn.recv)) == "cpu":
        conn.send(time.process_time())


def serve_sandbox(conn: Connection, flood_scale: float) -> None:
    """Child process: the sandbox, until told to stop."""
    from sandbox.flood import FloodLimits
    from sandbox.server import SandboxServer

    async def main() -> None:
        limits = FloodLimits().scaled(flood_scale) if flood_scale > 0 else FloodLimits.off()
        server = SandboxServer(port=0, limits=limits)
        await server.start()
        conn.send(server.url)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await server.stop()

    asyncio.run(main())


def run_echo_bot(conn: Connection, url: str, token: str) -> None:
    """Child process: a bare python-telegram-bot echo bot polling the sandbox."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    async def main() -> None:
        app = (ApplicationBuilder().token(token).base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
               .concurrent_updates(64).connection_pool_size(128).get_updates_read_timeout(20).build())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=5)
            conn.send("ready")
            await answer_until_stopped(conn)
            await app.updater.stop()
            await app.stop()

    asyncio.run(main())


def run_jigap_bot(conn: Connection, url: str, token: str, database_url: str, flood_scale: float) -> None:
    """Child process: jigap's real Application, polling the sandbox, on its own SQLite database. jigap paces
    its replies to the limits it is told (Telegram's, by default): here, the sandbox's scaled ones, as the
    echo bot, which paces nothing, meets them too."""
    import dataclasses
    import logging

    from bot.config import load_config
    from bot.embedded import embedded_bot

    logging.basicConfig(level=logging.WARNING)
    config = load_config(environ={})
    if flood_scale > 0:
        delivery = config.delivery
        config = config.replace(delivery=dataclasses.replace(
            delivery, bot_rate=round(delivery.bot_rate * flood_scale), chat_rate=round(delivery.chat_rate * flood_scale),
            chat_burst=round(delivery.chat_burst * flood_scale)))

    async def main() -> None:
        async with embedded_bot(api_url=url, token=token, database_url=database_url, config=config):
            conn.send("ready")
            await answer_until_stopped(conn)

    asyncio.run(main())


# --- measuring -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    name: str
    text: str
    replies: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    cpu_seconds: float  # the bot process's own CPU while it was measured

    @property
    def cpu_per_reply_ms(self) -> float:
        return self.cpu_seconds / max(self.replies, 1) * 1000

    @property
    def per_second(self) -> float:
        return self.replies / self.seconds

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]

    def line(self) -> str:
        return (f"{self.name:<6} {self.per_second:8.1f} updates/s   reply latency p50 {self.percentile(50):7.1f} ms"
                f"  p95 {self.percentile(95):7.1f} ms  p99 {self.percentile(99):7.1f} ms"
                f"   {self.cpu_per_reply_ms:.2f} ms CPU a reply"
                f"   ({self.replies} replies to {self.text!r}, {self.errors} errors)")


async def chat_loop(user: SandboxUser, text: str, stop_at: float, latencies: list[float], errors: list[int]) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < stop_at:
        started = time.perf_counter()
        try:
            await user.send(text, timeout=10)
        except NoReply:
            errors.append(1)
            continue
        latencies.append((time.perf_counter() - started) * 1000)


def bot_cpu(bot: ChildProcess) -> float:
    bot.conn.send("cpu")
    seconds: float = bot.receive(10)
    return seconds


async def measure_bot(client: SandboxClient, bot: ChildProcess, name: str, bot_id: int, users: int, seconds: float,
                      text: str) -> Figures:
    people = [await client.user(f"{name} user {i}", "en", bot_id=bot_id) for i in range(users)]
    # Warm-up: every chat has started and the bot has seen every user once.
    await asyncio.gather(*(person.send("/start", timeout=30) for person in people))
    try:
        await people[0].send(text, timeout=5)
    except NoReply:
        print(f"note: {name} does not answer {text!r}; both bots' users send /start instead")
        text = "/start"
    latencies: list[float] = []
    errors: list[int] = []
    loop = asyncio.get_running_loop()
    cpu_before = bot_cpu(bot)
    started = loop.time()
    await asyncio.gather(*(chat_loop(p, text, started + seconds, latencies, errors) for p in people))
    elapsed = loop.time() - started
    return Figures(name, text, len(latencies), len(errors), elapsed, latencies, bot_cpu(bot) - cpu_before)


async def measure_ceiling(client: SandboxClient, url: str, seconds: float) -> float:
    """How many Bot API calls a second the sandbox answers (sendMessage into started chats)."""
    people = [await client.user(f"ceiling {i}", bot_id=int(ECHO_TOKEN.split(":")[0])) for i in range(CEILING_WORKERS)]
    for person in people:
        await person.say("/start")
    http = client._http()
    done = 0
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + seconds

    async def worker(chat_id: int) -> None:
        nonlocal done
        while loop.time() < stop_at:
            async with http.post(f"{url}/bot{ECHO_TOKEN}/sendMessage", json={"chat_id": chat_id, "text": "x"}) as r:
                await r.read()
            done += 1

    await asyncio.gather(*(worker(p.id) for p in people))
    return done / seconds


async def run(args: argparse.Namespace) -> None:
    sandbox = ChildProcess(serve_sandbox, args.flood_scale)
    url = sandbox.receive()
    jigap_available = importlib.util.find_spec("bot.embedded") is not None and not args.echo_only
    try:
        async with SandboxClient(url) as client:
            await client.register_bot(ECHO_TOKEN, "bench_echo_bot", "Echo")
            await client.register_bot(JIGAP_TOKEN, "bench_jigap_bot", "jigap")
            print(f"roundtrip: {args.users} users, {args.seconds:g} s per bot, flood limits "
                  f"{'off' if args.flood_scale <= 0 else f'x{args.flood_scale:g}'}, sandbox at {url}")
            ceiling = await measure_ceiling(client, url, args.ceiling_seconds)

            # jigap first: if it does not answer the message, both bots are measured on /start.
            with tempfile.TemporaryDirectory() as tmp:
                if jigap_available:
                    other = ChildProcess(run_jigap_bot, url, JIGAP_TOKEN, f"sqlite+aiosqlite:///{tmp}/bench.db",
                                         args.flood_scale)
                    name = "jigap"
                else:
                    print("note: bot.embedded is not available; measuring the echo bot on both sides")
                    other = ChildProcess(run_echo_bot, url, JIGAP_TOKEN)
                    name = "echo2"
                other.receive(120)
                try:
                    other_figures = await measure_bot(client, other, name, int(JIGAP_TOKEN.split(":")[0]),
                                                      args.users, args.seconds, args.message)
                finally:
                    other.stop()

            echo = ChildProcess(run_echo_bot, url, ECHO_TOKEN)
            echo.receive()
            try:
                echo_figures = await measure_bot(client, echo, "echo", int(ECHO_TOKEN.split(":")[0]), args.users,
                                                 args.seconds, other_figures.text)
            finally:
                echo.stop()
            print(f"sandbox ceiling: {ceiling:.0f} requests/s (sendMessage, {CEILING_WORKERS} concurrent "
                  f"connections from one Python process: a lower bound)")
            print(echo_figures.line())
            print(other_figures.line())
            print(f"throughput_ratio={other_figures.per_second / echo_figures.per_second:.3f}")
            print(f"p99_ratio={other_figures.percentile(99) / echo_figures.percentile(99):.3f}")
            print(f"cpu_per_update_ratio={echo_figures.cpu_per_reply_ms / other_figures.cpu_per_reply_ms:.3f}")
    finally:
        sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users chatting at once (200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per bot (20)")
    parser.add_argument("--quick", action="store_true", help="5 s per bot: the whole run takes under a minute")
    parser.add_argument("--flood-scale", type=float, default=1000.0,
                        help="multiply Telegram's flood limits (1000 = 30,000 msg/s per bot); 0 turns them off")
    parser.add_argument("--message", default="hello", help="what every user sends (hello)")
    parser.add_argument("--echo-only", action="store_true", help="measure the echo bot on both sides")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 5.0
    args.ceiling_seconds = 1.5 if args.quick else 4.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
