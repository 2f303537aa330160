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


async def serve(host: str, port: int, flood: bool, fetch_private_urls: bool, allowed_hosts: list[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    limits = FloodLimits() if flood else FloodLimits.off()
    async with SandboxServer(host=host, port=port, limits=limits, auto_register_bots=True,
                             fetch_private_urls=fetch_private_urls, allowed_hosts=allowed_hosts) as server:
        sys.stdout.write(f"sandbox: Bot API at {server.url}/bot<token>/<method>, web chat at {server.url}/\n")
        sys.stdout.flush()
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="A local Telegram Bot API sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-flood-limits", action="store_true", help="turn Telegram's flood limits off")
    parser.add_argument("--fetch-private-urls", action="store_true",
                        help="fetch photos and documents given by URL from this machine and private networks too")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="a host name the sandbox answers to besides localhost and IP addresses (repeatable)")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, not args.no_flood_limits, args.fetch_private_urls, args.allow_host))


if __name__ == "__main__":
    main()
