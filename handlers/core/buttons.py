"""Typed buttons: one small class per kind of button, with a registered prefix and typed fields.

A button's callback data is `<prefix>:<field>:<field>` (Telegram allows 64 bytes, checked when the button is
built). Callback data is user input like any other: a client can send anything, so `parse` refuses whatever
does not fit the class exactly (an unknown step, a number that is not ASCII digits or is out of range, a
field too many) and handlers re-check ownership and permission on every press.

    @dataclass(frozen=True)
    class CardAction(ButtonData, prefix="wal"):
        step: CardStep       # a StrEnum: only its values parse
        card_id: str = ""    # a trailing field with a default may be left out

Fields are `str` (no ":"), `int` (0 to 2^63 - 1, ASCII digits) or a `StrEnum`. A prefix is registered once,
when its class is defined; a second class with the same prefix is refused (`ButtonPrefixTaken`).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from enum import Enum
from typing import Any, ClassVar, Self

from telegram import InlineKeyboardButton

from handlers.core.outbound import Button
from handlers.core.text import shorten
from subscriptions.numbers import LARGEST_ID, whole_number

MAX_BYTES = 64
# A label longer than this wraps or is cut mid-word by the apps on a phone; shorten it at a word instead.
LABEL_LIMIT = 48
SEPARATOR = ":"
PREFIX = re.compile(r"[a-z]{1,8}")
LARGEST = LARGEST_ID


class CallbackDataTooLong(Exception):
    """A button's data would exceed Telegram's 64 bytes: a programming error, caught when it is built."""


class ButtonPrefixTaken(Exception):
    """Two kinds of button claimed one prefix (or a prefix is malformed): refused at start-up."""


REGISTERED: dict[str, type[ButtonData]] = {}


class ButtonData:
    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not PREFIX.fullmatch(prefix):
            raise ButtonPrefixTaken(f"button prefix {prefix!r} is not 1-8 lower-case letters")
        taken = REGISTERED.get(prefix)
        if taken is not None and _name(taken) != _name(cls):  # the same class imported again is no conflict
            raise ButtonPrefixTaken(f"button prefix {prefix!r} belongs to {_name(taken)}")
        cls.prefix = prefix
        REGISTERED[prefix] = cls

    # --- building ------------------------------------------------------------------------------------

    def pack(self) -> str:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        parts = [str(getattr(self, field.name)) for field in fields]
        while parts and fields[len(parts) - 1].default is not dataclasses.MISSING and \
                getattr(self, fields[len(parts) - 1].name) == fields[len(parts) - 1].default:
            parts.pop()  # trailing fields left at their default are left out
        for part in parts:
            if SEPARATOR in part:
                raise ValueError(f"{type(self).__name__}: {part!r} holds {SEPARATOR!r}")
        data = SEPARATOR.join([self.prefix, *parts])
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataTooLong(data)
        return data

    def button(self, label: str) -> InlineKeyboardButton:
        """An inline button carrying this data (for a reply)."""
        return InlineKeyboardButton(shorten(label, LABEL_LIMIT), callback_data=self.pack())

    def outbound(self, label: str) -> Button:
        """The same button for a message the delivery outbox sends later (a reminder, a notice)."""
        return Button(shorten(label, LABEL_LIMIT), self.pack())

    # --- reading -------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The button `data` describes, or None when it is not exactly one of this class."""
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        prefix, *parts = data.split(SEPARATOR)
        if prefix != cls.prefix:
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        required = sum(1 for field in fields if field.default is dataclasses.MISSING)
        if not required <= len(parts) <= len(fields):
            return None
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for field, part in zip(fields, parts, strict=False):
            value = _read(hints[field.name], part)
            if value is None:
                return None
            values[field.name] = value
        return cls(**values)

    @classmethod
    def pattern(cls) -> str:
        """The CallbackQueryHandler pattern for this kind of button."""
        return f"^{cls.prefix}(:|$)"


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _read(kind: Any, part: str) -> Any:
    if kind is str:
        return part
    if kind is int:
        return whole_number(part)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(part)
        except ValueError:
            return None
    raise TypeError(f"buttons hold str, int or StrEnum fields, not {kind!r}")
