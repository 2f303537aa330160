"""Which issuers a verifier trusts, and with which keys.

The verifier never learns where keys live: it is handed a lookup `issuer id -> TrustedIssuer`
(a registry in storage, a JWKS file given on the command line, issuer metadata fetched over
HTTP). `TrustedIssuers` is the plain in-memory lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wallet.keys import PublicKey, build_jwks, load_jwks


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
        """The JWT VC issuer metadata document served at /.well-known/jwt-vc-issuer/<issuer>."""
        return {"issuer": self.issuer, "jwks": build_jwks(self.keys)}


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
