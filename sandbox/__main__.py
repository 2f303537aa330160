"""Run the sandbox on its own: ``python -m sandbox [--port 8080] [--host 127.0.0.1]``.

Any well-formed bot token is accepted and its bot registered on first use, so a bot written with
any library can be pointed at it. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer


async def serve(host: str, port: int, flood: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    limits = FloodLimits() if flood else FloodLimits.off()
    async with SandboxServer(host=host, port=port, limits=limits, auto_register_bots=True) as server:
        sys.stdout.write(f"sandbox: Bot API at {server.url}/bot<token>/<method>, web chat at {server.url}/\n")
        sys.stdout.flush()
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="A local Telegram Bot API sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-flood-limits", action="store_true", help="turn Telegram's flood limits off")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, not args.no_flood_limits))


if __name__ == "__main__":
    main()
