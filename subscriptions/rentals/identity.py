"""The identity step: what the brand keeps of the wallet presentation the applicant shared. The wallet verifies
the presentation; this module judges its verified result (never the presentation itself) against the brand's
policy: a trusted issuer, a card type that proves identity, an adult, the applicant's own name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from subscriptions.rentals.errors import (
    ApplicantIsMinor,
    CardDoesNotProveIdentity,
    NameMismatch,
    UntrustedIssuer,
)

ADULT_AGE = 19


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """The verified result of a presentation: personal data, sealed at rest with the application."""

    name: str
    over_19: bool
    issuer: str
    card_type: str
    verified_at: datetime
    address: str | None = None  # where the card holds one
    birth_date: date | None = None  # where the card disclosed it (the credit bureau asks for it)
    accredited: bool = False  # the wallet found the issuer accredited for this card type


@dataclass(frozen=True, slots=True)
class IdentityPolicy:
    """Whose cards a brand relies on: issuers named here, and (with `trust_accredited`) any issuer the platform
    accredited for the card's type, as the wallet's verification says."""

    trusted_issuers: frozenset[str]
    identity_card_types: frozenset[str] = frozenset({"national_id", "driver_license", "resident_card"})
    trust_accredited: bool = False

    def trusts(self, result: VerifiedIdentity) -> bool:
        return result.issuer in self.trusted_issuers or (self.trust_accredited and result.accredited)


def same_name(left: str, right: str) -> bool:
    """Names compared as people write them: Unicode-normalised, case and spacing ignored ("Kim Minji" and
    "kim  minji" match, "김민지" and "김 민지" too)."""
    def folded(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).casefold().split())

    return bool(folded(left)) and folded(left) == folded(right)


def check_identity(result: VerifiedIdentity, applicant_name: str, policy: IdentityPolicy) -> VerifiedIdentity:
    """The result, if the brand may rely on it for this applicant; otherwise the named refusal."""
    if not policy.trusts(result):
        raise UntrustedIssuer(result.issuer)
    if result.card_type not in policy.identity_card_types:
        raise CardDoesNotProveIdentity(result.card_type)
    if not result.over_19:
        raise ApplicantIsMinor(result.card_type)
    if not same_name(result.name, applicant_name):
        raise NameMismatch(result.card_type)
    return result
