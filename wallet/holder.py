"""The holder's side: read a held SD-JWT and build a key-bound presentation.

`present` picks disclosures by claim name. Naming a claim discloses everything inside it;
naming a nested claim also discloses the enclosing disclosures it needs (otherwise the
verifier would see an unreferenced disclosure). The KB-JWT signs `iat`, `aud`, `nonce` and
`sd_hash` over exactly the disclosures sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallet.errors import MalformedInput, PresentationError
from wallet.jws import parse_compact, sign_compact
from wallet.keys import SigningKey
from wallet.sd_jwt import (
    ARRAY_KEY,
    KB_JWT_TYP,
    SD_KEY,
    Disclosure,
    SdJwtParts,
    decode_disclosure,
    digest_of,
    process_disclosures,
    split_sd_jwt,
)
from wallet.status_list import StatusReference


@dataclass(frozen=True)
class _Placed:
    """A disclosure with the claim names on its path and the disclosure enclosing it."""

    disclosure: Disclosure
    path_names: tuple[str, ...]
    parent: str | None  # digest of the enclosing disclosure


@dataclass(frozen=True)
class HeldCredential:
    """A credential as the wallet keeps it: the SD-JWT and everything it can disclose."""

    sd_jwt: str
    payload: Mapping[str, Any]
    claims: Mapping[str, Any]
    disclosures: tuple[Disclosure, ...]

    @property
    def disclosable_names(self) -> frozenset[str]:
        return frozenset(d.name for d in self.disclosures if d.name is not None)

    @property
    def issuer(self) -> str | None:
        value = self.payload.get("iss")
        return value if isinstance(value, str) else None

    @property
    def vct(self) -> str | None:
        value = self.payload.get("vct")
        return value if isinstance(value, str) else None

    @property
    def expires_at(self) -> datetime | None:
        value = self.payload.get("exp")
        return (
            datetime.fromtimestamp(value, UTC)
            if isinstance(value, int) and not isinstance(value, bool)
            else None
        )

    @property
    def status(self) -> StatusReference | None:
        """Where this credential's status is published, if it has one."""
        claim = self.payload.get("status")
        return StatusReference.from_claim(claim) if claim is not None else None


def read_held_credential(sd_jwt: str) -> HeldCredential:
    """Parse an SD-JWT (no key binding) without checking the issuer signature.

    A wallet checks the signature once, at acceptance, with `verify_presentation` and
    `require_key_binding=False`; afterwards it only needs the structure.
    """
    parts = split_sd_jwt(sd_jwt)
    if parts.kb_jwt is not None:
        raise MalformedInput("a held SD-JWT must not carry a key binding JWT")
    payload = parse_compact(parts.issuer_jwt).payload
    processed = process_disclosures(payload, parts.disclosures)
    disclosures = tuple(decode_disclosure(text) for text in parts.disclosures)
    return HeldCredential(sd_jwt.strip(), payload, processed.payload, disclosures)


def _place(
    value: Any, by_digest: Mapping[str, Disclosure], names: tuple[str, ...], parent: str | None
) -> list[_Placed]:
    placed: list[_Placed] = []
    if isinstance(value, dict):
        for digest in value.get(SD_KEY, []):
            disclosure = by_digest.get(digest)
            if disclosure is not None and disclosure.name is not None:
                path = (*names, disclosure.name)
                placed.append(_Placed(disclosure, path, parent))
                placed.extend(_place(disclosure.value, by_digest, path, disclosure.digest))
        for name, inner in value.items():
            if name != SD_KEY:
                placed.extend(_place(inner, by_digest, (*names, name), parent))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and len(item) == 1 and ARRAY_KEY in item:
                disclosure = by_digest.get(item[ARRAY_KEY])
                if disclosure is not None:
                    placed.append(_Placed(disclosure, names, parent))
                    placed.extend(_place(disclosure.value, by_digest, names, disclosure.digest))
            else:
                placed.extend(_place(item, by_digest, names, parent))
    return placed


def select_disclosures(held: HeldCredential, disclose: Collection[str]) -> tuple[Disclosure, ...]:
    """The disclosures needed to show the named claims, in their issued order."""
    wanted = set(disclose)
    unknown = wanted - held.disclosable_names - _all_names(held.claims)
    if unknown:
        raise PresentationError(f"the credential cannot disclose {sorted(unknown)}")
    by_digest = {d.digest: d for d in held.disclosures}
    placed = {p.disclosure.digest: p for p in _place(dict(held.payload), by_digest, (), None)}
    chosen = {digest for digest, p in placed.items() if wanted.intersection(p.path_names)}
    for digest in list(chosen):
        parent = placed[digest].parent
        while parent is not None and parent not in chosen:
            chosen.add(parent)
            parent = placed[parent].parent
    return tuple(d for d in held.disclosures if d.digest in chosen)


def _all_names(value: Any) -> set[str]:
    """Every member name at any depth of the processed claims."""
    if isinstance(value, Mapping):
        return set(value) | {name for inner in value.values() for name in _all_names(inner)}
    if isinstance(value, list):
        return {name for inner in value for name in _all_names(inner)}
    return set()


def present(
    sd_jwt: str | HeldCredential,
    *,
    disclose: Collection[str],
    holder_key: SigningKey | None,
    aud: str,
    nonce: str,
    now: datetime,
) -> str:
    """`JWT~d1~d2~KB-JWT` disclosing `disclose`; without a holder key, `JWT~d1~d2~` (no binding)."""
    held = sd_jwt if isinstance(sd_jwt, HeldCredential) else read_held_credential(sd_jwt)
    chosen = select_disclosures(held, disclose)
    parts = SdJwtParts(split_sd_jwt(held.sd_jwt).issuer_jwt, tuple(d.encoded for d in chosen), None)
    unbound = parts.sd_hash_input
    if holder_key is None:
        return unbound
    claims = {"iat": int(now.timestamp()), "aud": aud, "nonce": nonce, "sd_hash": digest_of(unbound)}
    return unbound + sign_compact({"typ": KB_JWT_TYP}, claims, holder_key)
