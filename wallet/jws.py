"""JWS compact serialisation (RFC 7515), written directly on `cryptography`.

Only what SD-JWT needs: sign a header and payload, split a compact token into its parts and
check a signature against a key chosen by the caller. The caller decides which key and which
algorithms are acceptable; this module refuses `none` and any alg the key does not carry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from wallet.encoding import b64url_decode, b64url_encode, json_dumps, json_loads
from wallet.errors import MalformedInput
from wallet.keys import PublicKey, SigningKey


@dataclass(frozen=True)
class CompactJws:
    """A parsed, not yet verified, compact JWS with a JSON object payload."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str | None:
        value = self.header.get("alg")
        return value if isinstance(value, str) else None

    @property
    def typ(self) -> str | None:
        value = self.header.get("typ")
        return value if isinstance(value, str) else None

    @property
    def kid(self) -> str | None:
        value = self.header.get("kid")
        return value if isinstance(value, str) else None


def sign_compact(header: Mapping[str, Any], payload: Mapping[str, Any], key: SigningKey) -> str:
    """`header.payload.signature`; the header's `alg` is always the key's own."""
    protected = b64url_encode(json_dumps({**header, "alg": key.alg}))
    body = b64url_encode(json_dumps(payload))
    signing_input = f"{protected}.{body}".encode("ascii")
    return f"{protected}.{body}.{b64url_encode(key.sign(signing_input))}"


def parse_compact(token: str) -> CompactJws:
    """Split and decode a compact JWS; raises MalformedInput for anything else."""
    if not isinstance(token, str) or not token.isascii():
        raise MalformedInput("a JWS is ASCII text")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedInput("a compact JWS has three parts")
    header = json_loads(b64url_decode(parts[0]))
    payload = json_loads(b64url_decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedInput("JWS header and payload must be JSON objects")
    if "crit" in header:
        raise MalformedInput("critical header parameters are not understood")
    signature = b64url_decode(parts[2])
    return CompactJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def signature_matches(jws: CompactJws, key: PublicKey, allowed_algs: Collection[str]) -> bool:
    """True when the header alg is allowed, is the key's algorithm, and the signature holds."""
    alg = jws.alg
    if alg is None or alg == "none" or alg not in allowed_algs or alg != key.alg:
        return False
    return key.verify(jws.signing_input, jws.signature)
