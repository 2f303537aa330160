"""Handler fuzzing: a fixed, seeded corpus of odd input through jigap's real Application and the sandbox.

    python bench/fuzz_handlers.py            # every odd input for every handler, and 300 seeded random cases
    python bench/fuzz_handlers.py --quick    # a shorter list of odd inputs, and 40 random cases

Every registered command gets odd arguments (other scripts' digits, 40-digit ids, exponents, over-long text),
every button prefix forged payloads, every deep link odd rests, and text arrives in each flow state. A crash
is a traceback that reached the error handler; each is printed with the steps that caused it. The last lines
are `handler_fuzz_cases N`, `handler_fuzz_handlers N` (commands, button prefixes, deep links and the text and
real-button paths reached) and `handler_fuzz_crashes N`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402

from storage.engine import create_engine  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from tests.handler_fuzz import ODD, SHORT, corpus, fuzz_world  # noqa: E402

SEED = 20261202


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def fuzz(quick: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="jigap-fuzz-"))
    try:
        url = f"sqlite+aiosqlite:///{folder / 'jigap.db'}"
        assert make_url(url).database
        await _migrated(url)
        started = time.perf_counter()
        async with fuzz_world(url) as world:
            cases = corpus(world.surface, seed=SEED, random_cases=40 if quick else 300, odd=SHORT if quick else ODD)
            crashes = []
            for case in cases:
                found = await world.run(case)
                for crash in found:
                    print(f"crash: {crash}")  # noqa: T201
                crashes.extend(found)
            surface = world.surface
            handlers = {f"/{name}" for name in surface.commands} | {f"button {p}" for p in surface.button_prefixes} \
                | {f"link {p}" for p in surface.deep_links} | {"text", "real button"}
            reached = handlers & world.handlers_reached
        print(f"handler_fuzz_seconds {time.perf_counter() - started:.1f}")  # noqa: T201
        print(f"handler_fuzz_cases {len(cases)}")  # noqa: T201
        print(f"handler_fuzz_handlers {len(reached)}")  # noqa: T201
        print(f"handler_fuzz_crashes {len(crashes)}")  # noqa: T201
        return 1 if crashes else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer odd inputs and random cases")
    args = parser.parse_args()
    quiet = logging.StreamHandler()
    quiet.setLevel(logging.CRITICAL)  # the crashes are counted and printed once each, not logged
    logging.basicConfig(level=logging.CRITICAL, handlers=[quiet])
    sys.exit(asyncio.run(fuzz(args.quick)))


if __name__ == "__main__":
    main()
