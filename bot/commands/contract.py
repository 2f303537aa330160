"""`jigap contract verify`: check a signed rental contract offline and say who signed what, when.

    jigap contract verify CONTRACT.pdf SIGNATURE [--consent TEXT_FILE ...]

SIGNATURE is a file holding the compact JWS the customer's holder key made, or the JWS itself. The check needs
nothing but the two: the signature carries the signer's public key. It says whether the signature holds, for
this very PDF, and prints the signer's verified name and holder id, the contract id, the moment of signing
(Korean time and UTC) and the key's thumbprint (the wallet names each holder key by it). `--consent` checks the
consent texts the customer must have seen (each file's exact UTF-8 text). Exit status: 0 the signature holds
for this document, 1 it does not (changed document, other consents, bad or malformed signature), 2 usage error.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from subscriptions.rentals.applications import consent_hash
from subscriptions.rentals.signing import MAX_SIGNATURE_CHARS, ContractSignatureCheck, Verdict

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
KST = ZoneInfo("Asia/Seoul")
MAX_PDF_BYTES = 20 * 1024 * 1024
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
HEADLINES = {
    Verdict.VALID: "The signature holds: this is the document that was signed.",
    Verdict.DOCUMENT_CHANGED: "The document does not match what was signed: it was changed after signing, or it "
                              "is another document.",
    Verdict.CONSENTS_DIFFER: "The signature holds for this document, but it was made over other consent texts "
                             "than the ones given.",
    Verdict.BAD_SIGNATURE: "The signature is not valid: it does not hold for the key it names.",
    Verdict.MALFORMED: "The signature is malformed: it is not a contract signature.",
}


class UsageError(Exception):
    """The command line cannot be acted on."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `contract verify` on the jigap command line."""
    contract = subparsers.add_parser("contract", help="rental contracts: verify a signed contract offline",
                                     description="Rental contracts signed in the chat with the wallet's holder key.")
    actions = contract.add_subparsers(dest="contract_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="check a contract PDF against its signature, offline",
        description="Check that SIGNATURE (a file holding the compact JWS, or the JWS itself) was made over "
        "CONTRACT.pdf, and say who signed it and when. Exit status: 0 valid, 1 not valid, 2 usage error.")
    verify.add_argument("pdf", type=Path, metavar="CONTRACT.pdf", help="the contract as the customer received it")
    verify.add_argument("signature", metavar="SIGNATURE", help="a file holding the signature, or the signature")
    verify.add_argument("--consent", type=Path, action="append", metavar="TEXT_FILE",
                        help="a consent text the customer must have seen (repeat for each)")
    verify.set_defaults(func=run)


def _read_signature(value: str) -> str:
    """The JWS itself (three base64url parts; such a text is never a file name here), else a file's text."""
    if _COMPACT_JWS.fullmatch(value.strip()):
        return value.strip()
    path = Path(value)
    try:
        if path.stat().st_size > MAX_SIGNATURE_CHARS:
            raise UsageError(f"{value} is far too large to hold a contract signature")
        return path.read_bytes().decode("utf-8", "replace").strip()
    except OSError as exc:
        raise UsageError(f"cannot read {value}: {exc.strerror}") from exc


def _read_pdf(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            raise UsageError(f"{path} is larger than any contract ({MAX_PDF_BYTES // 1024 // 1024} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def _consents(paths: list[Path] | None) -> list[str] | None:
    if not paths:
        return None
    try:
        return [consent_hash(path.read_text("utf-8")) for path in paths]
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read a consent text: {exc}") from exc


def describe(check: ContractSignatureCheck) -> list[str]:
    """The verdict and, once the signature holds, who signed what and when."""
    lines = [HEADLINES[check.verdict]]
    if check.verdict in (Verdict.MALFORMED, Verdict.BAD_SIGNATURE):
        lines.append(f"  why:          {check.reason}")
    payload = check.payload
    if payload is not None:
        at = payload.signed_at
        lines += [
            f"  signed by:    {payload.signer.name} (holder {payload.signer.holder_id})",
            f"  contract:     {payload.contract_id}",
            f"  signed at:    {at.astimezone(KST):%Y-%m-%d %H:%M:%S} KST ({at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)",
            f"  document:     SHA-256 {payload.pdf_sha256}",
        ]
        if check.verdict is Verdict.DOCUMENT_CHANGED:
            lines.append(f"  this file:    SHA-256 {check.pdf_sha256}")
        lines += [f"  consent seen: SHA-256 {digest}" for digest in payload.consent_hashes]
        lines.append(f"  key:          {check.algorithm}, thumbprint {check.key_thumbprint}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Check and print; returns the exit status."""
    try:
        pdf = _read_pdf(args.pdf)
        signature = _read_signature(args.signature)
        consents = _consents(args.consent)
    except UsageError as error:
        sys.stderr.write(f"jigap contract verify: {error}\n")
        return EXIT_USAGE
    from bot.gateways.contracts import check_contract_signature  # the wallet's code loads only for a check

    check = check_contract_signature(pdf, signature, expected_consent_hashes=consents)
    sys.stdout.write("\n".join(describe(check)) + "\n")
    return EXIT_VALID if check.valid else EXIT_INVALID
