"""What the delivery outbox carries, as handlers build it: a text (or a photo) with inline buttons, an invoice,
or a Bot API call, each as the JSON the Bot API takes. The delivery engine (`bot.delivery`) sends them.

(A reminder's row carries only `{"reminder": id}`; its message is written when it is claimed.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class MessageError(Exception):
    """An outbound message that cannot be sent as built (no text and no photo, a button with no action)."""


@dataclass(frozen=True)
class Button:
    label: str
    callback_data: str | None = None
    url: str | None = None

    def as_json(self) -> dict[str, str]:
        if (self.callback_data is None) == (self.url is None):
            raise MessageError(f"button {self.label!r} needs exactly one of callback_data and url")
        if self.callback_data is not None:
            return {"text": self.label, "callback_data": self.callback_data}
        assert self.url is not None
        return {"text": self.label, "url": self.url}


@dataclass(frozen=True)
class OutboundMessage:
    """A message to send later: `text` (the caption when `photo` is a file id or URL) and button rows."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    photo: str | None = None
    parse_mode: str | None = None

    def payload(self) -> dict[str, Any]:
        if not self.text and not self.photo:
            raise MessageError("a message needs a text or a photo")
        body: dict[str, Any] = {"text": self.text}
        if self.buttons:
            body["reply_markup"] = {"inline_keyboard": [[b.as_json() for b in row] for row in self.buttons]}
        if self.photo:
            body["photo"] = self.photo
        if self.parse_mode:
            body["parse_mode"] = self.parse_mode
        return body


@dataclass(frozen=True)
class OutboundInvoice:
    """An invoice to send later (sendInvoice), its pay button first as Telegram requires.

    A card provider's token is a secret, so the row never holds it: it names the environment variable
    that does (`provider_token_env`), and the token is read only when the request is built. Stars
    invoices take no token.
    """

    title: str
    description: str
    invoice_payload: str
    currency: str
    prices: tuple[tuple[str, int], ...]  # (label, amount in minor units)
    pay_label: str
    provider_token_env: str | None = None

    def payload(self) -> dict[str, Any]:
        if not self.prices:
            raise MessageError("an invoice needs at least one price")
        invoice: dict[str, Any] = {
            "title": self.title, "description": self.description, "payload": self.invoice_payload,
            "currency": self.currency, "prices": [{"label": label, "amount": amount} for label, amount in self.prices],
            "reply_markup": {"inline_keyboard": [[{"text": self.pay_label, "pay": True}]]},
        }
        body: dict[str, Any] = {"invoice": invoice}
        if self.provider_token_env:
            body["provider_token_env"] = self.provider_token_env
        return body


def button_rows(rows: Sequence[Sequence[Mapping[str, str]]] | None) -> tuple[tuple[Button, ...], ...]:
    """Buttons stored as JSON rows ({"text", "callback_data" | "url"}) back into values."""
    return tuple(
        tuple(Button(b["text"], b.get("callback_data"), b.get("url")) for b in row) for row in rows or []
    )


@dataclass(frozen=True)
class ApiCall:
    """A Bot API call to make later (refund a Stars payment, cancel a Stars subscription). `done_if` names
    refusals that mean the call's work is already done ("CHARGE_ALREADY_REFUNDED"): such an answer counts as
    delivered, not failed."""

    method: str
    params: Mapping[str, Any]
    done_if: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"call": {"method": self.method, "params": dict(self.params)}}
        if self.done_if:
            body["done_if"] = list(self.done_if)
        return body


@dataclass(frozen=True)
class QrPhoto:
    """A photo of a QR code of `text` with a caption, drawn when it is sent (a gift link and its QR)."""

    text: str
    caption: str

    def payload(self) -> dict[str, Any]:
        return {"text": self.caption, "photo_qr": self.text}
