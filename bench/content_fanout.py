"""Fan-out benchmark: one new post to 100,000 followers, written to the outbox by the background work, while
people chat with the same bot process.

    python bench/content_fanout.py            # 100,000 followers
    python bench/content_fanout.py --quick    # 20,000 followers

Prints `fanout_rows_per_s` (outbox rows the fan-out wrote per second, from the publish to the job's end) and
`fanout_interactive_p99_ratio` (the p99 of /help replies to people chatting while the fan-out runs, over the
same p99 while the bot is idle), on SQLite; with `JIGAP_TEST_DATABASE_URL` set, `fanout_rows_per_s_postgresql`
too (on a fresh database next to that one).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sqlite_file import migrated_sqlite  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.scheduler import FANOUT  # noqa: E402
from sandbox.client import NoReply, SandboxUser  # noqa: E402
from storage.content.tables import content_follows  # noqa: E402
from subscriptions.content.services import creators, posts  # noqa: E402
from subscriptions.content.services.creators import NewCreator  # noqa: E402
from subscriptions.content.services.posts import PostDraft  # noqa: E402
from tests.harness import Jigap, jigap_on, sandbox_running  # noqa: E402

FOLLOWERS = 100_000
QUICK_FOLLOWERS = 20_000
CHATTERS = 24
THINK_SECONDS = 1.2
IDLE_SECONDS = 4.0
FIRST_FOLLOWER = 900_000_000


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - a bench prints its figures


def p99(latencies: list[float]) -> float:
    if len(latencies) < 2:
        return float("nan")
    return statistics.quantiles(latencies, n=100, method="inclusive")[98]


async def seed_followers(jigap: Jigap, org_id: int, count: int) -> None:
    now = datetime.now(UTC)
    async with jigap.services.uow() as uow:
        rows = [{"user_id": FIRST_FOLLOWER + n, "org_id": org_id, "muted": n % 50 == 0, "created_at": now}
                for n in range(count)]
        for start in range(0, count, 5000):
            await uow.connection.execute(content_follows.insert(), rows[start:start + 5000])
        await uow.commit()


async def chat(person: SandboxUser, stop: asyncio.Event, latencies: list[float]) -> None:
    """/help, then a pause as a person takes (and as Telegram's one message a second per chat wants)."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            await person.send("/help", timeout=30)
        except NoReply:
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(THINK_SECONDS)


async def chatting_while(people: list[SandboxUser], work: asyncio.Future[float] | float) -> tuple[list[float], float]:
    """/help latencies from `people` chatting until `work` is done (or for `work` seconds)."""
    stop = asyncio.Event()
    latencies: list[float] = []
    chats = [asyncio.create_task(chat(person, stop, latencies)) for person in people]
    if isinstance(work, float):
        await asyncio.sleep(work)
        result = work
    else:
        result = await work
    stop.set()
    await asyncio.gather(*chats)
    return latencies, result


async def fan_out(jigap: Jigap, owner_id: int, followers: int) -> float:
    """Publish, then wait for the fan-out job to finish; returns outbox rows written per second."""
    worker = jigap.application.bot_data[FANOUT]
    queued_before = worker.queued
    started = time.perf_counter()
    post = await posts.publish(jigap.services.content, owner_id, PostDraft("새 글", "오늘의 글이에요."))
    worker.wake()
    while True:
        async with jigap.services.uow.reader() as reader:
            job = await reader.fanouts.get(post.id)
        if job is not None and job.is_finished:
            break
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - started
    written = job.queued
    assert written == worker.queued - queued_before, (written, worker.queued - queued_before)
    muted = (followers + 49) // 50  # every fiftieth follower muted the creator
    assert written == followers - muted, (written, followers - muted)
    return written / elapsed


@asynccontextmanager
async def bot_on(database_url: str) -> AsyncIterator[Jigap]:
    base = load_config(environ={})
    # The sandbox enforces no flood limits here; the pump paces bulk sends at Telegram's 30 a second as always.
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600))
    async with sandbox_running() as server, jigap_on(server, database_url=database_url, config=config) as jigap:
        yield jigap


async def creator_with_followers(jigap: Jigap, followers: int, handle: str) -> int:
    owner = await jigap.started_user("Creator", "en", username=handle)
    creator = await creators.create_creator(jigap.services.content, owner.id,
                                            NewCreator("Bench Kitchen", handle, "cooking", ""))
    await seed_followers(jigap, creator.org_id, followers)
    return owner.id


async def sqlite_figures(followers: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="jigap-fanout-"))
    try:
        url = await migrated_sqlite(folder)
        async with bot_on(url) as jigap:
            owner_id = await creator_with_followers(jigap, followers, "benchkitchen")
            people = [await jigap.started_user(f"Chatter {n}", "en") for n in range(CHATTERS)]
            idle, _ = await chatting_while(people, IDLE_SECONDS)
            busy, rate = await chatting_while(people, asyncio.ensure_future(fan_out(jigap, owner_id, followers)))
            return {"fanout_rows_per_s": rate, "fanout_interactive_p99_ratio": p99(busy) / p99(idle),
                    "fanout_idle_p99_ms": p99(idle), "fanout_busy_p99_ms": p99(busy),
                    "fanout_busy_samples": float(len(busy))}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def postgres_figures(followers: int) -> dict[str, float]:
    from tests.conftest import postgres_database

    async with postgres_database() as url, bot_on(url) as jigap:
        owner_id = await creator_with_followers(jigap, followers, "benchkitchen")
        return {"fanout_rows_per_s_postgresql": await fan_out(jigap, owner_id, followers)}


async def run(quick: bool) -> dict[str, float]:
    followers = QUICK_FOLLOWERS if quick else FOLLOWERS
    figures = await sqlite_figures(followers)
    if os.environ.get("JIGAP_TEST_DATABASE_URL"):
        figures.update(await postgres_figures(followers))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FOLLOWERS:,} followers")
    args = parser.parse_args()
    for name, value in asyncio.run(run(args.quick)).items():
        say(f"{name} {value:.2f}")


if __name__ == "__main__":
    main()
