"""Which issuers a verifier trusts, and with which keys.

The verifier never learns where keys live: it is handed a lookup `issuer id -> TrustedIssuer`
(the bot's registry in storage, a trust list file, a JWKS file given on the command line).
`TrustedIssuers` is the plain in-memory lookup. An issuer's own metadata says which keys it
uses, never whether to trust it: anyone can serve metadata for a domain they hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wallet.errors import KeyFormatError
from wallet.keys import PublicKey, build_jwks, load_jwks

WELL_KNOWN = "/.well-known/jwt-vc-issuer"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer id (`iss`), its display name and its current verification keys."""

    issuer: str
    name: str
    keys: tuple[PublicKey, ...]

    def keys_for(self, kid: str | None, alg: str | None) -> tuple[PublicKey, ...]:
        """Candidate keys for a JWS header: by `kid` when given, always of the header's alg."""
        return tuple(k for k in self.keys if (kid is None or k.kid == kid) and k.alg == alg)

    def metadata(self) -> dict[str, Any]:
        """The JWT VC issuer metadata document served at `metadata_url(issuer)`."""
        return {"issuer": self.issuer, "name": self.name, "jwks": build_jwks(self.keys)}


IssuerLookup = Callable[[str], TrustedIssuer | None]


class TrustedIssuers:
    """An in-memory issuer lookup, callable as `IssuerLookup`."""

    def __init__(self, issuers: Iterable[TrustedIssuer] = ()) -> None:
        self._by_id = {issuer.issuer: issuer for issuer in issuers}

    def __call__(self, issuer: str) -> TrustedIssuer | None:
        return self._by_id.get(issuer)

    @classmethod
    def trust_any_issuer_with(cls, jwks: Mapping[str, Any] | str | bytes) -> IssuerLookup:
        """A lookup that trusts whatever `iss` a credential names, but only these keys.

        This is what `jigap verify --issuer-jwks FILE` means: the operator vouches for the keys.
        """
        keys = tuple(load_jwks(jwks).values())

        def lookup(issuer: str) -> TrustedIssuer | None:
            return TrustedIssuer(issuer, issuer, keys) if keys else None

        return lookup


def load_trust_list(document: Mapping[str, Any] | str | bytes) -> TrustedIssuers:
    """Read a trust list: `{"issuers": [{"issuer": URL, "name": ..., "jwks": {"keys": [...]}}, ...]}`.

    Each entry has the shape of issuer metadata (so an issuer's published metadata can be pasted
    in once it is vouched for); an issuer listed twice, or an entry without usable keys, is refused.
    """
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise KeyFormatError("the trust list is not JSON") from exc
    entries = document.get("issuers") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise KeyFormatError("a trust list is an object with an 'issuers' array")
    trusted: dict[str, TrustedIssuer] = {}
    for entry in entries:
        issuer = entry.get("issuer") if isinstance(entry, Mapping) else None
        if not isinstance(issuer, str) or not issuer:
            raise KeyFormatError("every trust list entry names its issuer")
        if issuer in trusted:
            raise KeyFormatError(f"the trust list names {issuer} twice")
        try:
            trusted[issuer] = trusted_issuer_from_metadata(issuer, entry)
        except KeyFormatError as exc:
            raise KeyFormatError(f"trust list entry {issuer}: {exc}") from exc
    return TrustedIssuers(trusted.values())


def metadata_url(issuer: str) -> str:
    """Where an issuer publishes its metadata: the well-known segment goes between host and path.

    `https://rta.example.kr/issuers/7` -> `https://rta.example.kr/.well-known/jwt-vc-issuer/issuers/7`.
    Plain http is accepted only for the local machine (development and tests).
    """
    parts = urlsplit(issuer)
    local = parts.hostname in _LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise KeyFormatError(f"issuer {issuer!r} is not an https URL")
    if not parts.netloc or parts.query or parts.fragment:
        raise KeyFormatError(f"issuer {issuer!r} is not a plain URL")
    return f"{parts.scheme}://{parts.netloc}{WELL_KNOWN}{parts.path.rstrip('/')}"


def trusted_issuer_from_metadata(issuer: str, document: Mapping[str, Any] | str | bytes) -> TrustedIssuer:
    """Read issuer metadata (`{"issuer": ..., "jwks": {...}}`); its `issuer` must be the one asked for."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise KeyFormatError("issuer metadata is not JSON") from exc
    if not isinstance(document, Mapping) or document.get("issuer") != issuer:
        raise KeyFormatError("issuer metadata is for another issuer")
    jwks = document.get("jwks")
    if not isinstance(jwks, Mapping):
        raise KeyFormatError("issuer metadata carries no inline jwks")
    keys = tuple(load_jwks(jwks).values())
    if not keys:
        raise KeyFormatError("issuer metadata lists no usable keys")
    name = document.get("name")
    return TrustedIssuer(issuer, name if isinstance(name, str) else issuer, keys)
