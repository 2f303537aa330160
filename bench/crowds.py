"""Crowds and floods through the sandbox, with Telegram's own limits (30 messages a second per bot, 1 a
second per chat after a short burst):

- 300 people press /start at once: every one is answered (`start_burst_answered=`), the last after
  `start_burst_last_wait_s=`, with no apology (`start_burst_apologies=`);
- one account sends 2,000 messages while someone else asks /help: `help_idle_ms=` (the median before the
  flood), `help_during_flood_ms=` (the median during it) and `flood_latency_ratio=` (during / idle; 1 means
  the flood slowed nobody else).

    python bench/crowds.py            # 300 people, 2,000 messages, 7 /help samples each way
    python bench/crowds.py --quick    # the same (it takes well under a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sqlite_file import migrated_sqlite  # noqa: E402
from sandbox.client import SandboxUser  # noqa: E402
from sandbox.flood import FloodLimits  # noqa: E402
from tests.harness import BOT_TOKEN, Jigap, jigap_on, sandbox_running  # noqa: E402

BOT_ID = int(BOT_TOKEN.split(":")[0])
PEOPLE = 300
FLOOD = 2000
SAMPLES = 7


async def start_burst(jigap: Jigap) -> None:
    started = time.monotonic()
    people = await jigap.client.users(PEOPLE, "Guest", "en", say="/start")
    waits = await asyncio.gather(*(_answered_after(person, started) for person in people))
    answered = [wait for wait in waits if wait is not None]
    apologies = await jigap.client.sent_by_bot(BOT_ID, contains="Sorry")
    print(f"start_burst_people={PEOPLE}")
    print(f"start_burst_answered={len(answered)}")
    print(f"start_burst_last_wait_s={max(answered):.1f}" if answered else "start_burst_last_wait_s=nan")
    print(f"start_burst_apologies={len(apologies)}")


async def _answered_after(person: SandboxUser, started: float) -> float | None:
    try:
        await person.next_message(timeout=120)
    except Exception:  # noqa: BLE001 (a person left unanswered is what this counts)
        return None
    return time.monotonic() - started


async def _help_ms(person: SandboxUser) -> float:
    started = time.perf_counter()
    await person.send("/help", timeout=60)
    return (time.perf_counter() - started) * 1000


async def flood(jigap: Jigap) -> None:
    calm = await jigap.started_user("Calm", "en")
    flooder = await jigap.started_user("Flood", "en")
    await asyncio.sleep(2.0)  # the chats' own budgets refill
    idle = []
    for _ in range(SAMPLES):
        idle.append(await _help_ms(calm))
        await asyncio.sleep(1.1)  # one a second: the chat's own limit is not what is measured
    gate = asyncio.Semaphore(64)

    async def one() -> None:
        async with gate:
            await flooder.say("flood")

    flooding = asyncio.gather(*(one() for _ in range(FLOOD)))
    during = []
    for _ in range(SAMPLES):
        during.append(await _help_ms(calm))
        await asyncio.sleep(1.1)
    await flooding
    idle_ms, during_ms = statistics.median(idle), statistics.median(during)
    print(f"flood_messages={FLOOD}")
    print(f"help_idle_ms={idle_ms:.0f}")
    print(f"help_during_flood_ms={during_ms:.0f}")
    print(f"flood_latency_ratio={during_ms / idle_ms:.2f}")


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="jigap-crowds-"))
    try:
        url = await migrated_sqlite(folder)
        async with sandbox_running(limits=FloodLimits()) as server, jigap_on(server, database_url=url) as jigap:
            await start_burst(jigap)
            await flood(jigap)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the same run (it is short already)")
    parser.parse_args()
    asyncio.run(main())
