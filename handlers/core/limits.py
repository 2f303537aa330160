"""Telegram's limits on what the bot sends, checked in one place before every Bot API call.

Telegram answers 400 to a text over 4,096 characters, a caption over 1,024, a callback answer over 200, an
invoice title over 32 or a description over 255, and a button whose callback data passes 64 bytes. What we
send is built from what people typed (a broadcast, a shop's name, an offer's title), so any of these can be
reached. `fit` runs on every call a handler makes (the bot's request path) and on every outbox row: a text
over its limit is shortened, ending in "…", so the person still gets the message; what cannot be shortened
without changing its meaning (callback data, an invoice payload, a text with formatting) is refused with
`OverLimit`, before Telegram is asked.

Lengths count as Telegram counts them: in UTF-16 code units (an emoji outside the Basic Multilingual Plane
counts two).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from handlers.core.outbound import MessageError

TEXT = 4096
CAPTION = 1024
CALLBACK_ANSWER = 200
CALLBACK_DATA_BYTES = 64
INVOICE_TITLE = 32
INVOICE_DESCRIPTION = 255
INVOICE_PAYLOAD_BYTES = 128
ELLIPSIS = "…"

_CAPTIONED = ("sendPhoto", "sendDocument", "sendVideo", "sendAnimation", "sendAudio", "sendVoice",
              "editMessageCaption", "copyMessage")
# Per Bot API method, the text fields and their limits in UTF-16 code units.
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "sendMessage": {"text": TEXT},
    "editMessageText": {"text": TEXT},
    "answerCallbackQuery": {"text": CALLBACK_ANSWER},
    "sendInvoice": {"title": INVOICE_TITLE, "description": INVOICE_DESCRIPTION},
    "createInvoiceLink": {"title": INVOICE_TITLE, "description": INVOICE_DESCRIPTION},
    **{method: {"caption": CAPTION} for method in _CAPTIONED},
}
# Fields whose text carries formatting (entities, or markup for parse_mode) that a cut could break.
_FORMATTED = {"text": ("entities",), "caption": ("caption_entities",)}


class OverLimit(MessageError):
    """A call that Telegram would refuse for its size and that cannot be shortened without changing it."""


def length(text: str) -> int:
    """`text`'s length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def shortened(text: str, limit: int) -> str:
    """`text` if it fits in `limit`, else as much of it as fits with "…" at the end."""
    if length(text) <= limit:
        return text
    kept: list[str] = []
    room = limit - length(ELLIPSIS)
    for character in text:
        room -= length(character)
        if room < 0:
            break
        kept.append(character)
    return "".join(kept).rstrip() + ELLIPSIS


def fit(method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` for `method` within Telegram's limits: texts shortened, what cannot be refused (`OverLimit`)."""
    fitted = dict(params)
    for name, limit in TEXT_LIMITS.get(method, {}).items():
        value = fitted.get(name)
        if not isinstance(value, str) or length(value) <= limit:
            continue
        if fitted.get("parse_mode") or any(fitted.get(entities) for entities in _FORMATTED.get(name, ())):
            raise OverLimit(f"{method}: {name} has {length(value)} characters with formatting, over {limit}")
        fitted[name] = shortened(value, limit)
    payload = fitted.get("payload") if method in ("sendInvoice", "createInvoiceLink") else None
    if isinstance(payload, str) and len(payload.encode()) > INVOICE_PAYLOAD_BYTES:
        raise OverLimit(f"{method}: the invoice payload passes {INVOICE_PAYLOAD_BYTES} bytes")
    for data in _callback_data(fitted.get("reply_markup")):
        if len(data.encode()) > CALLBACK_DATA_BYTES:
            raise OverLimit(f"{method}: callback data {data[:20]!r}… passes {CALLBACK_DATA_BYTES} bytes")
    return fitted


def _callback_data(markup: Any) -> Iterable[str]:
    """The callback data of an inline keyboard, given as the Bot API's JSON or as python-telegram-bot's object."""
    rows = markup.get("inline_keyboard") if isinstance(markup, Mapping) else getattr(markup, "inline_keyboard", None)
    for row in rows or ():
        for button in row:
            data = button.get("callback_data") if isinstance(button, Mapping) else getattr(button, "callback_data", None)
            if isinstance(data, str):
                yield data
