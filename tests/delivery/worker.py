"""A delivery worker as its own process, for the crash and multi-worker tests: the runtime and the pump, no chat.

Configured by JIGAP_* environment variables like `jigap run`; the token comes from JIGAP_BOT__TOKEN. It ticks
the scheduler every second and, on SIGTERM, stops cleanly and writes its counts as one JSON line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.bootstrap import open_runtime
from bot.config import load_config  # noqa: E402


async def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    config = load_config()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with open_runtime(config) as services:
        services.delivery.start(os.environ["JIGAP_BOT__TOKEN"])
        sys.stdout.write("started\n")
        sys.stdout.flush()
        while not stop.is_set():
            await services.delivery.tick(loop.time())
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                continue
        pump = services.delivery.pump
        assert pump is not None
        stats = {"sent": pump.stats.sent, "rate_limited": pump.stats.rate_limited}
        await services.delivery.stop()
    sys.stdout.write(json.dumps(stats) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
