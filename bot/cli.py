"""The `jigap` command.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, load_config, read_bot_token
from bot.logging_setup import configure_logging
from bot.master_keys import MasterKeyError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("jigap")

# Subcommands that live beside their feature: each module has add_parser(subparsers).
FEATURE_COMMANDS: tuple[str, ...] = ("bot.commands.verify", "bot.commands.issuer", "bot.commands.billing",
                                     "bot.commands.shops", "bot.commands.contract",
                                     "bot.commands.rentals", "bot.commands.backup")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jigap",
        description="jigap: a wallet, subscriptions and rentals inside a Telegram chat.",
        epilog="Exit codes: 0 ok, 1 failure, 2 usage or configuration error.",
    )
    parser.add_argument("--config", type=Path, default=None, help="configuration file (default: ./config.toml)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot against Telegram (needs JIGAP_BOT__TOKEN)",
                         description="Run the bot against the Bot API: long polling, or a webhook with --webhook.")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--listen", metavar="HOST:PORT", help="address of the bot's web server (default from [bot])")
    run.set_defaults(func=_run)

    sandbox = sub.add_parser("sandbox", help="run the bot against a local sandbox with demo data (no token)",
                             description="Start the local Bot API sandbox, its web chat and the bot with demo data.")
    sandbox.add_argument("--no-bot", action="store_true", help="serve only the sandbox, for a bot of your own")
    sandbox.add_argument("--port", type=int, default=None, help="sandbox port (default from [sandbox])")
    sandbox.set_defaults(func=_sandbox)

    migrate = sub.add_parser("migrate", help="apply database migrations (idempotent)",
                             description="Bring the database to the newest schema. Running it again changes nothing.")
    migrate.set_defaults(func=_migrate)

    keys = sub.add_parser("keys", help="master key: init, status, rotate",
                          description="Manage the master key ring that encrypts personal data and private keys.")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_sub.add_parser("init", help="create the key file if there is none").set_defaults(func=_keys_init)
    keys_sub.add_parser("status", help="which keys seal the stored data").set_defaults(func=_keys_status)
    keys_sub.add_parser(
        "rotate",
        help="re-encrypt everything under a new key",
        description="With a key file: add a new active key to it and re-encrypt every sealed value. With "
        "JIGAP_MASTER_KEY: put the new key first (kid=base64,...), keep the old ones after it, and run this.",
    ).set_defaults(func=_keys_rotate)

    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=_version)

    for module_name in FEATURE_COMMANDS:
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    configure_logging(args.log_level)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as error:
        sys.stderr.write(f"jigap: configuration error: {error}\n")
        return EXIT_USAGE
    except MasterKeyError as error:
        sys.stderr.write(f"jigap: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK


def _config(args: argparse.Namespace) -> Config:
    """The configuration, and logging in the format it asks for."""
    config = load_config(args.config)
    configure_logging(args.log_level, json=config.logging.format == "json")
    return config


def _version(_args: argparse.Namespace) -> int:
    try:
        version = metadata.version("jigap")
    except metadata.PackageNotFoundError:
        version = "unknown"
    sys.stdout.write(f"jigap {version}\n")
    return EXIT_OK


def run_until_stopped(main_coroutine: Callable[[asyncio.Event], Coroutine[Any, Any, int]]) -> int:
    """Run a coroutine that serves until the stop event is set by SIGINT or SIGTERM."""

    async def runner() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        return await main_coroutine(stop)

    return asyncio.run(runner())


def _run(args: argparse.Namespace) -> int:
    config = _config(args)
    token = read_bot_token(config)
    if not token:
        sys.stderr.write(
            "jigap: no bot token. Set JIGAP_BOT__TOKEN to the token @BotFather gave you "
            "(or [bot] token_file to a file that holds it).\n"
            "To try jigap without Telegram, run `jigap sandbox`.\n"
        )
        return EXIT_USAGE
    configure_logging(args.log_level, secrets=[token], json=config.logging.format == "json")
    from bot.serve import serve

    return run_until_stopped(lambda stop: serve(config, token, stop, webhook_url=args.webhook, listen=args.listen))


def _sandbox(args: argparse.Namespace) -> int:
    config = _config(args)
    from bot.sandbox_command import run_sandbox

    return run_until_stopped(lambda stop: run_sandbox(config, stop, port=args.port, with_bot=not args.no_bot))


def _migrate(args: argparse.Namespace) -> int:
    config = _config(args)

    async def go() -> int:
        from bot.master_keys import load_key_ring
        from storage.engine import create_engine
        from storage.envelope import Envelope
        from storage.migrate import migrate

        try:  # only a revision sealing stored values needs the key; a database holding none migrates without it
            envelope: Envelope | None = Envelope(load_key_ring(Path(config.wallet.master_key_file))[0])
        except MasterKeyError:
            envelope = None
        engine = create_engine(config.database.url, busy_timeout=config.database.busy_timeout)
        try:
            before, after = await migrate(engine, envelope)
        finally:
            await engine.dispose()
        if before == after:
            sys.stdout.write(f"database is up to date (revision {after})\n")
        else:
            sys.stdout.write(f"migrated database from {before or 'empty'} to revision {after}\n")
        return EXIT_OK

    return asyncio.run(go())


def _keys_init(args: argparse.Namespace) -> int:
    from bot.master_keys import load_key_ring

    config = _config(args)
    path = Path(config.wallet.master_key_file)
    existed = path.exists()
    ring, source = load_key_ring(path, create=True)
    sys.stdout.write(f"{'key file exists' if existed else 'created'}: {source} (active key {ring.active})\n")
    return EXIT_OK


def _keys_status(args: argparse.Namespace) -> int:
    from bot.keys_command import key_status

    return asyncio.run(key_status(_config(args)))


def _keys_rotate(args: argparse.Namespace) -> int:
    from bot.keys_command import rotate_keys

    return asyncio.run(rotate_keys(_config(args)))


if __name__ == "__main__":
    sys.exit(main())
