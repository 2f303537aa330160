"""Presentations spelled out claim by claim, so a test can sign what a careful issuer never would.

Values are written with `json.dumps` (so a lone surrogate such as "\\ud800" travels as its JSON
escape), and `raw` members are pasted into the JSON text as they are (`1e999`, a 40-deep array).
Everything is signed with real keys: the verifier gets past the signature to the check under test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallet.encoding import b64url_encode
from wallet.keys import SigningKey, generate_signing_key
from wallet.sd_jwt import digest_of
from wallet.trust import TrustedIssuer, TrustedIssuers

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
ISS = "https://rta.example.kr"
VCT = "urn:jigap:card:driver_license:1"
AUD, NONCE = "jigap:verifier:bar-haneul", "n-7f3a"
DROP = object()  # an override that removes the member


def _json_text(members: Mapping[str, Any], raw: Mapping[str, str]) -> str:
    kept = {name: value for name, value in members.items() if value is not DROP}
    text = json.dumps(kept, separators=(",", ":"))
    pasted = "".join(f",{json.dumps(name)}:{value}" for name, value in raw.items())
    if not pasted:
        return text
    return "{" + pasted[1:] + "}" if text == "{}" else text[:-1] + pasted + "}"


def signed(header: Mapping[str, Any] | str, payload: Mapping[str, Any] | str, key: SigningKey) -> str:
    """A compact JWS over exactly this header and payload text (no `alg` is added)."""
    header_text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    payload_text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    signing_input = f"{b64url_encode(header_text.encode())}.{b64url_encode(payload_text.encode())}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"


def disclosure(*content: Any) -> str:
    """The encoded disclosure of `[salt, name, value]` (or any other content, for odd shapes)."""
    return disclosure_text(json.dumps(list(content)))


def disclosure_text(json_text: str) -> str:
    """The encoded disclosure of exactly this JSON text (`["c2FsdA","n",1e999]`)."""
    return b64url_encode(json_text.encode())


@dataclass(frozen=True)
class Forge:
    issuer: SigningKey
    holder: SigningKey

    @classmethod
    def fresh(cls, alg: str = "EdDSA") -> Forge:
        return cls(generate_signing_key(alg), generate_signing_key(alg))  # type: ignore[arg-type]

    @property
    def trusted(self) -> TrustedIssuers:
        return TrustedIssuers([TrustedIssuer(ISS, "Road Traffic Authority", (self.issuer.public,))])

    def credential(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        raw: Mapping[str, str] | None = None,
        disclosures: Sequence[str] = (disclosure("c2FsdA", "age_over_19", True),),
        header: Mapping[str, Any] | str | None = None,
    ) -> str:
        """An SD-JWT (ending in `~`) whose `_sd` lists exactly `disclosures`."""
        now = int(NOW.timestamp())
        members: dict[str, Any] = {
            "iss": ISS,
            "vct": VCT,
            "iat": now,
            "exp": now + 86400,
            "_sd": sorted(digest_of(d) for d in disclosures),
            "_sd_alg": "sha-256",
            "cnf": {"jwk": dict(self.holder.public.jwk)},
            **(overrides or {}),
        }
        default_header = {"typ": "dc+sd-jwt", "alg": self.issuer.alg, "kid": self.issuer.kid}
        jwt = signed(header or default_header, _json_text(members, raw or {}), self.issuer)
        return jwt + "~" + "".join(f"{d}~" for d in disclosures)

    def present(
        self,
        sd_jwt: str,
        overrides: Mapping[str, Any] | None = None,
        *,
        raw: Mapping[str, str] | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> str:
        """`sd_jwt` with a KB-JWT by the holder; `overrides` change or DROP its claims."""
        claims = {
            "iat": int(NOW.timestamp()),
            "aud": AUD,
            "nonce": NONCE,
            "sd_hash": digest_of(sd_jwt),
            **(overrides or {}),
        }
        kb_header = header or {"typ": "kb+jwt", "alg": self.holder.alg}
        return sd_jwt + signed(kb_header, _json_text(claims, raw or {}), self.holder)
