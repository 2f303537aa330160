"""`jigap verify`: check a credential presentation offline and print the verdict as JSON.

    jigap verify PRESENTATION [--qr IMAGE] [--trust-list FILE | --issuer-jwks FILE]
                 [--nonce N] [--aud A] [--at ISO-TIME]

PRESENTATION is the `JWT~disclosures~KB-JWT` text, or `-` to read it from stdin; `--qr` reads it
from a photo of the QR code instead. Only listed issuers are trusted: by default the issuers
registered in the bot's own database (`--config`), or those of a `--trust-list` file; with
`--issuer-jwks` the operator vouches for the keys of a JWKS file, whatever issuer a credential
names. An issuer's own metadata is never what makes it trusted. `--check-status` fetches the
issuer's status list (or `--status-list FILE` reads a saved one) to catch revoked and suspended
cards. Exit status: 0 valid, 1 invalid, 2 usage error (no input, unreadable file, bad time, no
trust list).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from wallet.errors import KeyFormatError
from wallet.status_list import StatusListCache, StatusLookup
from wallet.trust import IssuerLookup, TrustedIssuer, TrustedIssuers, load_trust_list
from wallet.verifier import VerifierPolicy, verify_presentation

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_DOCUMENT_BYTES = 1024 * 1024
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class UsageError(Exception):
    """The command line cannot be acted on."""


def http_get(url: str, *, timeout: float = 5.0) -> bytes:
    """GET over HTTPS (plain HTTP only for this machine); raises OSError or ValueError on failure."""
    import urllib.request  # imported here: most runs never fetch, and it is slow to load

    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        raise ValueError(f"refusing to fetch {url!r}: not https")
    request = urllib.request.Request(url, headers={"Accept": "application/json, application/statuslist+jwt"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme was checked above
        body: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url} sent more than {MAX_DOCUMENT_BYTES} bytes")
    return body


class FileNonceStore:
    """Nonces already accepted, one per line in a file, so a replay is caught across runs."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def use_once(self, nonce: str) -> bool:
        seen = set(self._path.read_text("utf-8").splitlines()) if self._path.exists() else set()
        if nonce in seen:
            return False
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(nonce.replace("\n", " ") + "\n")
        return True


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `verify` on the jigap command line."""
    parser = subparsers.add_parser(
        "verify",
        help="verify a credential presentation offline",
        description="Verify an SD-JWT VC presentation and print the verdict, issuer, type and "
        "disclosed claims as JSON. Exit status: 0 valid, 1 invalid, 2 usage error.",
    )
    _arguments(parser)
    parser.set_defaults(func=run)


def _arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("presentation", nargs="?", metavar="PRESENTATION", help="the presentation text, or - for stdin")
    add("--qr", type=Path, metavar="IMAGE", help="read the presentation from a photo of its QR code")
    trust = parser.add_mutually_exclusive_group()
    trust.add_argument(
        "--trust-list", type=Path, metavar="FILE", help="trust the issuers of this trust list file "
        "(default: the issuers registered in the bot's database)"
    )
    trust.add_argument("--issuer-jwks", type=Path, metavar="FILE", help="trust the keys in this JWKS file")
    add("--nonce", metavar="N", help="the nonce the presentation must be bound to")
    add("--aud", metavar="A", help="the audience (verifier) the presentation must be made for")
    add("--at", metavar="ISO-TIME", help="check as of this time (default: now)")
    add("--nonce-store", type=Path, metavar="FILE", help="remember used nonces here; a reuse is a replay")
    add("--max-age", type=int, default=30, metavar="SECONDS", help="oldest key binding accepted (default 30)")
    add("--no-key-binding", action="store_true", help="accept a presentation without key binding")
    status = parser.add_mutually_exclusive_group()
    status.add_argument("--check-status", action="store_true", help="fetch the issuer's status list")
    status.add_argument(
        "--status-list", type=Path, metavar="FILE", help="check against this statuslist+jwt file"
    )


def _read_presentation(args: argparse.Namespace) -> str:
    if (args.presentation is None) == (args.qr is None):
        raise UsageError("give either PRESENTATION (or - for stdin) or --qr IMAGE")
    if args.qr is not None:
        from wallet.qr_reader import read_presentation_qr  # Pillow and zxing load only for --qr

        try:
            text = read_presentation_qr(args.qr.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.qr}: {exc.strerror}") from exc
        if text is None:
            raise UsageError(f"no QR code found in {args.qr}")
        return text
    text = _read_stdin() if args.presentation == "-" else args.presentation
    if not text.strip():
        raise UsageError("the presentation is empty")
    return str(text).strip()


def _read_stdin() -> str:
    """Stdin as text; bytes that are not UTF-8 stay as they are, for the verifier to refuse."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place of stdin
        return sys.stdin.read()
    return bytes(stream.read()).decode("utf-8", "surrogateescape")


def _issuers(args: argparse.Namespace) -> IssuerLookup:
    if args.issuer_jwks is not None:
        try:
            return TrustedIssuers.trust_any_issuer_with(args.issuer_jwks.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.issuer_jwks}: {exc.strerror}") from exc
        except KeyFormatError as exc:
            raise UsageError(f"{args.issuer_jwks} is not a JWKS: {exc}") from exc
    if args.trust_list is not None:
        try:
            return load_trust_list(args.trust_list.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.trust_list}: {exc.strerror}") from exc
        except KeyFormatError as exc:
            raise UsageError(f"{args.trust_list} is not a trust list: {exc}") from exc
    return _registered_issuers(getattr(args, "config", None))


def _registered_issuers(config_path: Path | None) -> TrustedIssuers:
    """The issuers in the bot's database, with every key each ever signed with."""
    # Loaded here: the bot's runtime is slow to import and most checks name a file.
    from sqlalchemy.exc import SQLAlchemyError

    from bot.bootstrap import open_runtime
    from bot.config import ConfigError, load_config
    from bot.master_keys import MasterKeyError

    async def read() -> TrustedIssuers:
        async with open_runtime(load_config(config_path)) as services, services.uow() as uow:
            records = await uow.wallet.issuers()
            return TrustedIssuers([
                TrustedIssuer(record.issuer_url, record.name, tuple(await uow.wallet.issuer_public_keys(record.id)))
                for record in records
            ])

    try:
        return asyncio.run(read())
    except (ConfigError, MasterKeyError, OSError, SQLAlchemyError) as exc:
        raise UsageError(
            f"cannot read the bot's issuer registry ({exc}); give --trust-list FILE or --issuer-jwks FILE"
        ) from exc


def _moment(args: argparse.Namespace) -> datetime:
    if args.at is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(args.at)
    except ValueError as exc:
        raise UsageError(f"--at {args.at!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise UsageError("--at needs a timezone, e.g. 2026-11-25T21:04:00+09:00")
    return moment.astimezone(UTC)


def _status(args: argparse.Namespace, now: datetime) -> StatusLookup | None:
    if args.status_list is not None:
        try:
            token = args.status_list.read_text("utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.status_list}: {exc.strerror}") from exc
        return StatusListCache(fetch=lambda uri: token, clock=lambda: now)
    if args.check_status:
        return StatusListCache(fetch=lambda uri: http_get(uri).decode("utf-8"), clock=lambda: now)
    return None


def run(args: argparse.Namespace) -> int:
    """Verify and print; returns the exit status."""
    try:
        presentation = _read_presentation(args)
        issuers = _issuers(args)
        now = _moment(args)
        status = _status(args, now)
    except UsageError as error:
        sys.stderr.write(f"jigap verify: {error}\n")
        return EXIT_USAGE
    policy = VerifierPolicy(
        require_key_binding=not args.no_key_binding, max_presentation_age=timedelta(seconds=args.max_age)
    )
    result = verify_presentation(
        presentation,
        issuers=issuers,
        now=now,
        policy=policy,
        expected_aud=args.aud,
        expected_nonce=args.nonce,
        nonce_store=FileNonceStore(args.nonce_store) if args.nonce_store else None,
        status=status,
    )
    verdict = json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    # Whatever the input held, the verdict goes out as UTF-8 (an odd character is escaped, not fatal).
    sys.stdout.write(verdict.encode("utf-8", "backslashreplace").decode("utf-8"))
    return EXIT_VALID if result.valid else EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="jigap verify", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--config", type=Path, default=None, help="the bot's configuration (for its issuers)")
    _arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
