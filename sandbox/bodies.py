"""Request bodies read the way Telegram reads them: UTF-8 only, JSON without NaN, endless numbers or
endless nesting, forms and multipart that may be cut short. Whatever a body gets wrong becomes one
:class:`MalformedBody` with a description a person can act on, never an exception from deep inside a parser."""

from __future__ import annotations

import json
import math
import urllib.parse
from typing import Any

from aiohttp import web

from sandbox.errors import SandboxError

MAX_DEPTH = 100
NOT_UTF8 = "strings must be encoded in UTF-8"
NOT_JSON = "can't parse JSON object"
TOO_DEEP = "can't parse JSON object: it nests too deep"
NOT_MULTIPART = "can't parse the multipart form"


class MalformedBody(SandboxError):
    """A body (or query) that cannot be read; ``detail`` says why, in Telegram's words."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """JSON text as UTF-8 (whatever charset the header claims, as Telegram does), checked all the way down."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(NOT_UTF8) from exc
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError as exc:
        raise MalformedBody(TOO_DEEP) from exc
    except ValueError as exc:
        raise MalformedBody(NOT_JSON) from exc
    check_values(value)
    return value


def check_values(value: Any) -> None:
    """Refuse text no UTF-8 encoder can write back (a lone surrogate from a ``\\ud800`` escape) and nesting
    deeper than any Bot API object, so nothing later trips over them while answering."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise MalformedBody(TOO_DEEP)
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(str(key))
                pending.append((child, depth + 1))


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedBody(NOT_UTF8) from exc


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """A JSON object body; no body at all reads as ``{}``."""
    raw = await request.read()
    if not raw.strip():
        return {}
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise MalformedBody(NOT_JSON)
    return body


async def read_urlencoded(request: web.Request) -> dict[str, str]:
    raw = await request.read()
    try:
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                                       errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedBody(NOT_UTF8) from exc
    return dict(pairs)


async def read_multipart(request: web.Request) -> dict[str, Any]:
    """Text parts as strings, file parts as uploads; a form without its boundary, cut short or with
    parts that have no name is refused as a whole."""
    try:
        form = await request.post()
    except UnicodeDecodeError as exc:
        raise MalformedBody(NOT_UTF8) from exc
    except (ValueError, LookupError, AssertionError, RuntimeError) as exc:
        raise MalformedBody(NOT_MULTIPART) from exc
    values = {key: form[key] for key in form}
    check_values({key: value for key, value in values.items() if isinstance(value, str)})
    return values
