"""Why a verification failed: stable codes, their parameters and plain English text.

The bot translates by code (gettext catalogs keyed on `FailedCheck`), filling in the same
parameters; `english_reason` is the reference wording and what the command line prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class FailedCheck(StrEnum):
    MALFORMED = "malformed"
    ALG = "alg"
    TYP = "typ"
    UNTRUSTED_ISSUER = "untrusted_issuer"
    SIGNATURE = "signature"
    BAD_DISCLOSURE = "bad_disclosure"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    KEY_BINDING = "key_binding"
    PRESENTATION_EXPIRED = "presentation_expired"
    REPLAYED = "replayed"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_UNAVAILABLE = "status_unavailable"
    NOT_ACCREDITED = "not_accredited"


_ENGLISH: dict[FailedCheck, str] = {
    FailedCheck.MALFORMED: "this is not a credential presentation ({detail})",
    FailedCheck.ALG: "the signing algorithm {alg} is not accepted",
    FailedCheck.TYP: "this is not an SD-JWT credential (typ {typ})",
    FailedCheck.UNTRUSTED_ISSUER: "the issuer {issuer} is not trusted ({detail})",
    FailedCheck.SIGNATURE: "signature does not match",
    FailedCheck.BAD_DISCLOSURE: "the disclosed claims do not match the signed credential ({detail})",
    FailedCheck.EXPIRED: "expired on {expired_on}",
    FailedCheck.NOT_YET_VALID: "not valid before {valid_from}",
    FailedCheck.KEY_BINDING: "the holder's proof is missing or wrong ({detail})",
    FailedCheck.PRESENTATION_EXPIRED: "this code has expired",
    FailedCheck.REPLAYED: "this code was already used",
    FailedCheck.REVOKED: "revoked by {issuer_name}",
    FailedCheck.SUSPENDED: "suspended by {issuer_name}",
    FailedCheck.STATUS_UNAVAILABLE: "the revocation status could not be checked ({detail})",
    FailedCheck.NOT_ACCREDITED: "{issuer_name} is not accredited to issue {card_type}",
}


def english_reason(check: FailedCheck | None, params: Mapping[str, str]) -> str:
    """Plain-words reason, e.g. "revoked on 2026-11-02 by Road Traffic Authority"."""
    if check is None:
        return "valid"
    if check is FailedCheck.REVOKED and "revoked_on" in params:
        template = "revoked on {revoked_on} by {issuer_name}"
    else:
        template = _ENGLISH[check]
    if "detail" not in params:
        template = template.replace(" ({detail})", "")
    try:
        return template.format(**params)
    except KeyError:
        return template.split(" ({")[0].replace("{", "").replace("}", "")
