"""JSON columns written and read through orjson.

orjson encodes and decodes several times faster than the standard library, and writes dataclasses,
datetimes and enums by itself, in C. A value that is already JSON text (`JsonText`, say a domain
document encoded once when it was buffered) goes to the column as it is.
"""

from __future__ import annotations

from typing import Any

import orjson


class JsonText:
    """Text that is already a JSON document: a JSON column stores it verbatim instead of as a string."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonText) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"JsonText({self.text!r})"

    def parsed(self) -> Any:
        return orjson.loads(self.text)


def to_json_text(value: Any) -> JsonText:
    """`value` as JSON text. Dataclasses become objects of their fields, enums their values, tuples
    arrays, aware datetimes RFC 3339 strings."""
    return JsonText(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode())


def column_json(value: Any) -> str:
    """The engines' JSON serializer. Keys that are not strings are written as strings, as `json.dumps`
    does, so every JSON column reads back the same whichever way it was written."""
    if isinstance(value, JsonText):
        return value.text
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def from_json(text: str | bytes) -> Any:
    return orjson.loads(text)
