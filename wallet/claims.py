"""Claim validation and derivation at issuance, driven by the card type.

`prepare_claims` turns what an issuer admin typed (or a CSV row) into the claims that get
signed: strings trimmed, dates as ISO `YYYY-MM-DD`, photos as a SHA-256 digest, defaults
filled in and derived claims (`age_over_19`) computed on the issuance day in Asia/Seoul.
Every problem is collected and raised together as `ClaimsInvalid`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from wallet.card_types import CardType, ClaimSpec, DerivedClaim
from wallet.encoding import b64url_encode
from wallet.errors import ClaimProblem, ClaimsInvalid

SEOUL = ZoneInfo("Asia/Seoul")
PHOTO_DIGEST_PREFIX = "sha256-"
_TRUE = frozenset({"true", "yes", "y", "1", "예"})
_FALSE = frozenset({"false", "no", "n", "0", "아니오"})


class _Problem(Exception):
    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(detail)


def photo_digest(photo: bytes) -> str:
    """The value of an `image_digest` claim: the photo stays in the wallet, its digest is signed."""
    return PHOTO_DIGEST_PREFIX + b64url_encode(hashlib.sha256(photo).digest())


def photo_matches(photo: bytes, digest: str) -> bool:
    """True when `photo` is the image whose digest the issuer signed."""
    return photo_digest(photo) == digest


def _string(spec: ClaimSpec, value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _Problem("wrong_type", "must be text")
    text = str(value).strip()
    if not text:
        raise _Problem("missing", "is empty")
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _Problem("too_long", f"is longer than {spec.max_length} characters")
    if spec.pattern is not None and re.fullmatch(spec.pattern, text) is None:
        raise _Problem("pattern", "does not have the expected format")
    return text


def _date(spec: ClaimSpec, value: Any) -> str:
    if isinstance(value, datetime):
        raise _Problem("not_a_date", "must be a calendar date, not a moment")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _Problem("not_a_date", "must be a date like 2001-04-09")
    text = value.strip().replace(".", "-").replace("/", "-")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise _Problem("not_a_date", "must be a date like 2001-04-09") from exc


def _integer(spec: ClaimSpec, value: Any) -> int:
    if isinstance(value, bool):
        raise _Problem("wrong_type", "must be a whole number")
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise _Problem("wrong_type", "must be a whole number")
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise _Problem("out_of_range", f"must be between {spec.minimum} and {spec.maximum}")
    return value


def _boolean(spec: ClaimSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Problem("wrong_type", "must be yes or no")


def _enum(spec: ClaimSpec, value: Any) -> str:
    text = str(value).strip()
    if text not in spec.choices:
        raise _Problem("not_allowed", f"must be one of {', '.join(spec.choices)}")
    return text


def _image(spec: ClaimSpec, value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        if not value:
            raise _Problem("missing", "is an empty image")
        return photo_digest(bytes(value))
    if isinstance(value, str) and re.fullmatch(PHOTO_DIGEST_PREFIX + r"[A-Za-z0-9_-]{43}", value):
        return value
    raise _Problem("wrong_type", "must be image bytes or a sha256- digest")


_CONVERTERS: dict[str, Callable[[ClaimSpec, Any], Any]] = {
    "string": _string,
    "date": _date,
    "integer": _integer,
    "boolean": _boolean,
    "enum": _enum,
    "image_digest": _image,
}


def _years_later(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March in common years
        return date(born.year + years, 3, 1)


def _derive(rule: DerivedClaim, prepared: Mapping[str, Any], today: date) -> bool | None:
    source = prepared.get(rule.source)
    if source is None:
        return None
    return today >= _years_later(date.fromisoformat(source), rule.years)


def prepare_claims(card_type: CardType, raw: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """Validated, normalised claims plus derived ones; raises ClaimsInvalid listing every problem."""
    problems: list[ClaimProblem] = []
    known = {c.name for c in card_type.claims}
    derived_names = {d.name for d in card_type.derived}
    for name in raw:
        if name not in known:
            detail = (
                "is computed by the issuer" if name in derived_names else "is not a claim of this card type"
            )
            problems.append(ClaimProblem(name, "unknown", detail))
    prepared: dict[str, Any] = {}
    for spec in card_type.claims:
        value = raw.get(spec.name, spec.default)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                problems.append(ClaimProblem(spec.name, "missing", "is required"))
            continue
        try:
            prepared[spec.name] = _CONVERTERS[spec.kind](spec, value)
        except _Problem as problem:
            problems.append(ClaimProblem(spec.name, problem.code, problem.detail))
    today = now.astimezone(SEOUL).date()
    if card_type.birth_date_claim in prepared and prepared[card_type.birth_date_claim] > today.isoformat():
        problems.append(ClaimProblem(card_type.birth_date_claim or "", "out_of_range", "is in the future"))
    if problems:
        raise ClaimsInvalid(tuple(problems))
    for rule in card_type.derived:
        value = _derive(rule, prepared, today)
        if value is not None:
            prepared[rule.name] = value
    return prepared
