"""Strict base64url and JSON helpers shared by the JWS, SD-JWT and status list code.

Decoding is strict on purpose: a base64url string must be canonical (re-encoding gives the
same text), so flipping an unused trailing bit can never yield a second accepted spelling of
the same signature. JSON is read as I-JSON (RFC 7493) would have it: duplicate member names,
numbers beyond a float (1e999), lone surrogates (`"\\ud800"`) and nesting deeper than
`MAX_DEPTH` are refused, so whatever is accepted can be checked, written back out as JSON and
as UTF-8.
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

from wallet.errors import MalformedInput

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# For a text of length 4k+2 (or 4k+3) the last character carries 4 (or 2) unused low bits,
# which a canonical encoder leaves at zero.
_CANONICAL_TAIL = {
    2: frozenset(c for i, c in enumerate(_ALPHABET) if i & 0b1111 == 0),
    3: frozenset(c for i, c in enumerate(_ALPHABET) if i & 0b11 == 0),
}


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing padding, foreign characters and non-canonical tails."""
    if not isinstance(text, str) or _B64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise MalformedInput("not base64url")
    tail = _CANONICAL_TAIL.get(len(text) % 4)
    if tail is not None and text[-1] not in tail:
        raise MalformedInput("non-canonical base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _no_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedInput(f"duplicate JSON member {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise MalformedInput(f"JSON constant {name} is not allowed")


def _finite_float(text: str) -> float:
    # Python reads 1e999 as infinity, which no JSON text can carry back out.
    value = float(text)
    if not math.isfinite(value):
        raise MalformedInput("a JSON number is too large")
    return value


# Credentials nest a few levels (an address in a claim); the checks that walk them recurse.
MAX_DEPTH = 32

# One decoder for every call: building a JSONDecoder per call costs more than small parses.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_members, parse_constant=_refuse_constant, parse_float=_finite_float
)


def _plain(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH, and a lone surrogate in any name or text."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise MalformedInput(f"JSON is nested more than {MAX_DEPTH} deep")
            members = [*item, *item.values()] if isinstance(item, dict) else item
            pending.extend((member, depth + 1) for member in members)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise MalformedInput("JSON text carries a lone surrogate") from exc


def json_loads(raw: bytes | str) -> Any:
    """Parse JSON, refusing duplicate member names, NaN/Infinity, numbers too large for a float
    (1e999), invalid UTF-8, lone surrogates (`"\\ud800"`) and nesting deeper than MAX_DEPTH."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        if isinstance(exc, MalformedInput):
            raise
        raise MalformedInput("invalid JSON") from exc
    # A surrogate can only arrive as a \u escape (UTF-8 cannot spell one), and a text with few
    # brackets cannot nest deep: most texts skip the walk.
    if "\\u" in text or text.count("[") + text.count("{") > MAX_DEPTH:
        _plain(value)
    return value


def json_dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON (no spaces; Hangul stays as UTF-8, which is shorter than escapes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
