"""How an outbox row becomes a Bot API request (`api_call`), and why a claimed row is not sent (`Unsendable`) or
not yet (`Deferred`).

The rows themselves are built by handlers (`handlers.core.outbound`): a text or photo with buttons, an
invoice, a QR photo drawn at send time, or a Bot API call.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from handlers.core.charts import Charts
from handlers.core.limits import fit
from handlers.core.outbound import MessageError
from wallet.images.fonts import hangul_font_path
from wallet.images.qr import qr_png

QR_SIDE = 480


@dataclass(frozen=True)
class Unsendable:
    """A claimed row that will not become a message: "dropped" when there is nothing to say any more (its
    reminder went stale), "failed" when the message could not be written."""

    status: Literal["dropped", "failed"]
    reason: str


@dataclass(frozen=True)
class Deferred:
    """A claimed row that may not go out yet (the reader's quiet hours): it waits until `until`, no try counted."""

    until: datetime
    reason: str


def already_done(payload: Mapping[str, Any], description: str) -> bool:
    """Whether a refusal of this row's call says its work was done before (a refund already made)."""
    upper = description.upper()
    return any(marker.upper() in upper for marker in payload.get("done_if") or ())


def api_call(chat_id: int, payload: Mapping[str, Any],
             environ: Mapping[str, str] = os.environ) -> tuple[str, dict[str, Any]]:
    """The Bot API method and parameters that send `payload` to `chat_id`, within Telegram's limits."""
    method, params = _api_call(chat_id, payload, environ)
    return method, fit(method, params)


def _api_call(chat_id: int, payload: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    if "invoice" in payload:
        return "sendInvoice", _invoice_params(chat_id, payload, environ)
    if "call" in payload:
        call = payload["call"]
        return str(call["method"]), dict(call["params"])
    params: dict[str, Any] = {"chat_id": chat_id}
    if payload.get("reply_markup"):
        params["reply_markup"] = payload["reply_markup"]
    if payload.get("parse_mode"):
        params["parse_mode"] = payload["parse_mode"]
    if payload.get("photo_qr"):
        params["photo"] = qr_png(str(payload["photo_qr"]), target_side=QR_SIDE)  # uploaded as a file
        if payload.get("text"):
            params["caption"] = payload["text"]
        return "sendPhoto", params
    if payload.get("photo_chart"):
        params["photo"] = _charts().from_payload(payload["photo_chart"])  # drawn now, uploaded as a file
        if payload.get("text"):
            params["caption"] = payload["text"]
        return "sendPhoto", params
    if payload.get("photo"):
        params["photo"] = payload["photo"]
        if payload.get("text"):
            params["caption"] = payload["text"]
        return "sendPhoto", params
    if not payload.get("text"):
        raise MessageError("a message needs a text or a photo")
    params["text"] = payload["text"]
    return "sendMessage", params


def _invoice_params(chat_id: int, payload: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    params = {"chat_id": chat_id, **payload["invoice"]}
    variable = payload.get("provider_token_env")
    if variable:
        token = environ.get(variable, "").strip()
        if not token:
            raise MessageError(f"the card provider token ({variable}) is not set")
        params["provider_token"] = token
    return params


@functools.cache
def _charts() -> Charts:
    """Charts for messages drawn at send time, in the wallet's font with Hangul where the machine has one."""
    return Charts([path for path in dict.fromkeys((hangul_font_path(), hangul_font_path(bold=True))) if path])
