"""Kill -9 after a payment: the bot, as its own process, is killed 0-50 ms after Telegram delivered a
`successful_payment`, then started again; each payment must be credited exactly once.

    python bench/kill_nine.py            # 10 tries
    python bench/kill_nine.py --quick    # 3 tries

Prints `kill_tries=`, `kill_delay_ms_min=`/`max=`, `credited_once=` (tries whose charge has exactly one
payment row), `credited_twice_or_more=`, `lost=`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sqlite_file import migrated_sqlite  # noqa: E402
from tests.e2e.kill_nine import kill_after_payments  # noqa: E402


async def main(tries: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jigap-kill-"))
    try:
        outcome = await kill_after_payments(await migrated_sqlite(folder), tries, folder / "bot.log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    once = sum(1 for charge in outcome.charge_ids if outcome.credited[charge] == 1)
    print(f"kill_tries={len(outcome.charge_ids)}")
    print(f"kill_delay_ms_min={min(outcome.delays_ms):.1f}")
    print(f"kill_delay_ms_max={max(outcome.delays_ms):.1f}")
    print(f"credited_once={once}")
    print(f"credited_twice_or_more={sum(1 for c in outcome.charge_ids if outcome.credited[c] > 1)}")
    print(f"lost={sum(1 for c in outcome.charge_ids if outcome.credited[c] == 0)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three tries instead of ten")
    arguments = parser.parse_args()
    asyncio.run(main(3 if arguments.quick else 10))
