"""SD-JWT (RFC 9901): disclosures, issuance, the compact format and disclosure processing.

Issuance marks selectively disclosable values with `Sd(...)` anywhere in the claims: an
object member becomes a digest in that object's `_sd` array, an array element becomes a
`{"...": digest}` element. Processing follows RFC 9901 section 7.1 and refuses duplicate
digests, unreferenced disclosures, reserved claim names and disclosures of the wrong shape.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wallet.encoding import b64url_decode, b64url_encode, json_dumps, json_loads
from wallet.errors import IssuanceError, MalformedInput
from wallet.jws import sign_compact
from wallet.keys import SigningKey

SD_KEY = "_sd"
ARRAY_KEY = "..."
SD_ALG_KEY = "_sd_alg"
SD_ALG = "sha-256"
SD_JWT_VC_TYP = "dc+sd-jwt"
KB_JWT_TYP = "kb+jwt"
_RESERVED_NAMES = frozenset({SD_KEY, ARRAY_KEY})
_SALT_BYTES = 16


class DisclosureError(MalformedInput):
    """A disclosure is malformed or does not fit the digests of the issuer-signed JWT."""


@dataclass(frozen=True)
class Sd:
    """Marks a claim value (or an array element) as selectively disclosable at issuance."""

    value: Any


@dataclass(frozen=True)
class Disclosure:
    """One disclosure: its encoded text, digest, and decoded salt/name/value."""

    encoded: str
    digest: str
    salt: str
    name: str | None  # None for an array element
    value: Any


def digest_of(text: str) -> str:
    """Base64url SHA-256 of the ASCII text, as used for disclosures and `sd_hash`."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


def make_disclosure(name: str | None, value: Any, *, salt: str | None = None) -> Disclosure:
    """A new disclosure with a 128-bit salt from `secrets`."""
    if name in _RESERVED_NAMES:
        raise IssuanceError(f"claim name {name!r} is reserved by SD-JWT")
    salt = salt or b64url_encode(secrets.token_bytes(_SALT_BYTES))
    content = [salt, value] if name is None else [salt, name, value]
    try:
        encoded = b64url_encode(json_dumps(content))
    except (TypeError, ValueError) as exc:
        raise IssuanceError(f"claim {name!r} is not a JSON value") from exc
    return Disclosure(encoded, digest_of(encoded), salt, name, value)


def decode_disclosure(encoded: str) -> Disclosure:
    """Parse a disclosure; its shape (2 or 3 elements, string salt and name) is checked here."""
    try:
        content = json_loads(b64url_decode(encoded))
    except MalformedInput as exc:
        raise DisclosureError("a disclosure is not base64url JSON") from exc
    if not isinstance(content, list) or len(content) not in (2, 3) or not isinstance(content[0], str):
        raise DisclosureError("a disclosure is an array [salt, name, value] or [salt, value]")
    if len(content) == 2:
        return Disclosure(encoded, digest_of(encoded), content[0], None, content[1])
    name = content[1]
    if not isinstance(name, str):
        raise DisclosureError("a disclosure's claim name must be a string")
    if name in _RESERVED_NAMES:
        raise DisclosureError(f"a disclosure may not carry the claim name {name!r}")
    return Disclosure(encoded, digest_of(encoded), content[0], name, content[2])


@dataclass(frozen=True)
class SdJwtParts:
    """`<issuer-signed JWT>~<disclosure>~...~<KB-JWT or empty>` split into its parts."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    kb_jwt: str | None

    @property
    def sd_hash_input(self) -> str:
        """The text `sd_hash` covers: the JWT and each disclosure, each followed by `~`."""
        return "".join(f"{part}~" for part in (self.issuer_jwt, *self.disclosures))


def split_sd_jwt(text: str) -> SdJwtParts:
    """Split the compact serialisation; an SD-JWT ends in `~`, an SD-JWT+KB in the KB-JWT."""
    if not isinstance(text, str) or not text.isascii():
        raise MalformedInput("an SD-JWT is ASCII text")
    if any(ch.isspace() for ch in text):
        # The caller strips what its transport adds; a second spelling of the same SD-JWT is not taken.
        raise MalformedInput("an SD-JWT holds no whitespace")
    parts = text.split("~")
    if len(parts) < 2 or not parts[0]:
        raise MalformedInput("an SD-JWT has at least the issuer-signed JWT and one '~'")
    middle = tuple(parts[1:-1])
    if any(not part for part in middle):
        raise MalformedInput("empty disclosure between '~' separators")
    return SdJwtParts(parts[0], middle, parts[-1] or None)


def _blind(value: Any, disclosures: list[Disclosure], decoys: int) -> Any:
    if isinstance(value, Sd):
        raise IssuanceError("Sd(...) marks object members or array elements, not a bare value")
    if isinstance(value, Mapping):
        return _blind_object(value, disclosures, decoys)
    if isinstance(value, list | tuple):
        out: list[Any] = []
        for element in value:
            if isinstance(element, Sd):
                disclosure = make_disclosure(None, _blind(element.value, disclosures, decoys))
                disclosures.append(disclosure)
                out.append({ARRAY_KEY: disclosure.digest})
            else:
                out.append(_blind(element, disclosures, decoys))
        return out
    return value


def _blind_object(claims: Mapping[str, Any], disclosures: list[Disclosure], decoys: int) -> Any:
    out: dict[str, Any] = {}
    digests: list[str] = []
    for name, value in claims.items():
        if name in _RESERVED_NAMES or name == SD_ALG_KEY:
            raise IssuanceError(f"claim name {name!r} is reserved by SD-JWT")
        if isinstance(value, Sd):
            disclosure = make_disclosure(name, _blind(value.value, disclosures, decoys))
            disclosures.append(disclosure)
            digests.append(disclosure.digest)
        else:
            out[name] = _blind(value, disclosures, decoys)
    if digests and decoys:
        # Decoys hide how many claims are selectively disclosable (RFC 9901 section 4.2.5).
        digests.extend(digest_of(b64url_encode(secrets.token_bytes(_SALT_BYTES))) for _ in range(decoys))
    if digests:
        # Sorted so the order does not reveal the order of the original claims.
        out[SD_KEY] = sorted(digests)
    return out


@dataclass(frozen=True)
class IssuedSdJwt:
    """The SD-JWT as handed to the holder, with its disclosures and signed payload."""

    sd_jwt: str
    issuer_jwt: str
    disclosures: tuple[Disclosure, ...]
    payload: Mapping[str, Any]


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    issuer_key: SigningKey,
    typ: str = SD_JWT_VC_TYP,
    holder_jwk: Mapping[str, Any] | None = None,
    decoys: int = 0,
    extra_header: Mapping[str, Any] | None = None,
) -> IssuedSdJwt:
    """Sign `claims` as an SD-JWT; values wrapped in `Sd` become disclosures.

    `decoys` adds that many decoy digests to every object that has selectively disclosable
    members. `holder_jwk` goes into `cnf.jwk` so presentations can be key-bound.
    """
    disclosures: list[Disclosure] = []
    try:
        payload = dict(_blind_object(claims, disclosures, decoys))
        payload[SD_ALG_KEY] = SD_ALG
        if holder_jwk is not None:
            payload["cnf"] = {"jwk": dict(holder_jwk)}
        header = {"typ": typ, "kid": issuer_key.kid, **(extra_header or {})}
        jwt = sign_compact(header, payload, issuer_key)
    except (TypeError, ValueError) as exc:  # a claim value JSON cannot carry (a datetime, NaN...)
        raise IssuanceError(f"claims are not JSON values: {exc}") from exc
    sd_jwt = jwt + "~" + "".join(f"{d.encoded}~" for d in disclosures)
    return IssuedSdJwt(sd_jwt, jwt, tuple(disclosures), payload)


@dataclass(frozen=True)
class ProcessedSdJwt:
    """The processed payload (RFC 9901 section 7.1) and the disclosures that built it."""

    payload: Mapping[str, Any]
    used: tuple[Disclosure, ...]


class _Processor:
    def __init__(self, disclosures: Sequence[Disclosure]) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        for disclosure in disclosures:
            if disclosure.digest in self.by_digest:
                raise DisclosureError("the same disclosure appears twice")
            self.by_digest[disclosure.digest] = disclosure
        self.seen: set[str] = set()
        self.used: list[Disclosure] = []

    def _claim_digest(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise DisclosureError("digests are strings")
        if digest in self.seen:
            raise DisclosureError("a digest appears more than once")
        self.seen.add(digest)
        disclosure = self.by_digest.get(digest)
        if disclosure is not None:
            self.used.append(disclosure)
        return disclosure

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self.object(value)
        if isinstance(value, list):
            return self.array(value)
        return value

    def object(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = {name: self.value(v) for name, v in obj.items() if name != SD_KEY}
        digests = obj.get(SD_KEY, [])
        if not isinstance(digests, list):
            raise DisclosureError("_sd must be an array of digests")
        for digest in digests:
            disclosure = self._claim_digest(digest)
            if disclosure is None:
                continue  # a decoy, or a claim the holder chose not to disclose
            if disclosure.name is None:
                raise DisclosureError("an array-element disclosure is referenced from _sd")
            if disclosure.name in out:
                raise DisclosureError(f"claim {disclosure.name!r} is disclosed twice at one level")
            out[disclosure.name] = self.value(disclosure.value)
        return out

    def array(self, items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict) and len(item) == 1 and ARRAY_KEY in item:
                disclosure = self._claim_digest(item[ARRAY_KEY])
                if disclosure is None:
                    continue  # undisclosed elements are removed
                if disclosure.name is not None:
                    raise DisclosureError("an object-member disclosure is referenced from an array")
                out.append(self.value(disclosure.value))
            else:
                out.append(self.value(item))
        return out


def process_disclosures(payload: Mapping[str, Any], encoded: Sequence[str]) -> ProcessedSdJwt:
    """Replace digests with disclosed claims; raises DisclosureError on any RFC 9901 violation."""
    disclosures = [decode_disclosure(text) for text in encoded]
    processor = _Processor(disclosures)
    body = {name: value for name, value in payload.items() if name != SD_ALG_KEY}
    result = processor.object(body)
    if len(processor.used) != len(disclosures):
        raise DisclosureError("a disclosure is not referenced by the issuer-signed JWT")
    return ProcessedSdJwt(result, tuple(processor.used))
