"""Domain documents (a subscription, a gift, a payment as JSON) read back into the domain's dataclasses.

Aggregates are written by orjson straight from their dataclasses (`storage.json_text.to_json_text`). They are
read by msgspec, which builds one decoder per type from the dataclasses' own type hints and runs it in C:
a subscription decodes from its JSON text in about 3 µs, a quarter of what a decoder walking the hints in
Python took. A field the domain adds is written and read with no change here.

Documents written before money and intervals were objects hold `[45000, "KRW"]` and `"1 month"`, and those
written before user ids were numbers hold `"700000001"`; msgspec's strict types refuse those, and such a
document is read by `_legacy`, which accepts both forms.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import msgspec

from storage.json_text import from_json
from subscriptions.billing_calendar import Interval, Unit
from subscriptions.money import Money

T = typing.TypeVar("T")
Decoder = Callable[[Any], Any]


def decode(kind: type[T], raw: str | bytes | dict[str, Any]) -> T:
    """The `kind` a document holds, from its JSON text or from the dict a JSON column already parsed."""
    try:
        if isinstance(raw, str | bytes):
            decoded: T = _text_decoder(kind).decode(raw)
        else:
            decoded = msgspec.convert(raw, kind)
        return decoded
    except msgspec.ValidationError:
        legacy: T = _legacy(kind)(from_json(raw) if isinstance(raw, str | bytes) else raw)
        return legacy


def decode_list(kind: type[T], text: str | bytes) -> list[T]:
    """A JSON array of `kind` documents, decoded in one call (a batch the database packed into one text)."""
    try:
        decoded: list[T] = _list_decoder(kind).decode(text)
        return decoded
    except msgspec.ValidationError:
        return [decode(kind, item) for item in from_json(text)]


_TEXT_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}
_LIST_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def _text_decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    found = _TEXT_DECODERS.get(kind)
    if found is None:
        found = _TEXT_DECODERS[kind] = msgspec.json.Decoder(kind)
    return found


def _list_decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    found = _LIST_DECODERS.get(kind)
    if found is None:
        found = _LIST_DECODERS[kind] = msgspec.json.Decoder(list[kind])  # type: ignore[valid-type]
    return found


def money_from_document(raw: Any) -> Money:
    """Money as documents and messages hold it: `{"amount_minor": 45000, "currency": "KRW"}`, or `[45000, "KRW"]`
    in those written before."""
    if isinstance(raw, dict):
        return Money(int(raw["amount_minor"]), str(raw["currency"]))
    return Money(int(raw[0]), str(raw[1]))


# --- the tolerant reader, for documents written before money and intervals were objects ---------------

_LEGACY: dict[Any, Decoder] = {}


def _legacy(kind: Any) -> Decoder:
    found = _LEGACY.get(kind)
    if found is None:
        found = _LEGACY[kind] = _build_legacy(kind)
    return found


def _build_legacy(kind: Any) -> Decoder:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        inner_decoder = _legacy(inner)
        return lambda raw: None if raw is None else inner_decoder(raw)
    if origin in (tuple, list):
        item = _legacy(typing.get_args(kind)[0])
        make: Callable[[Iterable[Any]], Any] = tuple if origin is tuple else list
        return lambda raw: make(item(value) for value in raw)
    if kind is Money:
        return money_from_document
    if kind is datetime:
        return datetime.fromisoformat
    if kind is Interval:
        return _interval
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    if kind is int:
        return _whole_number
    return lambda raw: raw


def _whole_number(raw: Any) -> Any:
    """A number, or the digits of one: user ids were strings of digits in documents written before."""
    return int(raw) if isinstance(raw, str) and raw.lstrip("-").isdigit() else raw


def _interval(raw: str | dict[str, Any]) -> Interval:
    """`{"unit": "month", "count": 1}`, or `"1 month"`."""
    if isinstance(raw, str):
        return Interval.parse(raw)
    return Interval(Unit(raw["unit"]), int(raw["count"]))


def _dataclass(kind: Any) -> Decoder:
    hints = typing.get_type_hints(kind)
    plain = (str, bool)
    fields = {
        field.name: (None if hints[field.name] in plain else _legacy(hints[field.name]))
        for field in dataclasses.fields(kind)
    }

    def load(raw: Any) -> Any:
        values = {}
        for name, value in raw.items():
            if name in fields:
                field_decoder = fields[name]
                values[name] = value if field_decoder is None else field_decoder(value)
        return kind(**values)

    return load
