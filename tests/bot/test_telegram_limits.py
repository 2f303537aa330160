"""Telegram's limits, checked in one place: over-long texts are shortened as Telegram counts length, what cannot
be shortened is refused before Telegram is asked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.messages import api_call
from handlers.core.limits import CAPTION, TEXT, OverLimit, fit, length, shortened
from handlers.core.outbound import Button, OutboundInvoice, OutboundMessage


def test_an_emoji_counts_two_as_telegram_counts_it() -> None:
    assert length("지갑") == 2 and length("👛") == 2
    cut = shortened("👛" * 3000, TEXT)
    assert length(cut) <= TEXT and cut.endswith("…") and cut.count("👛") == 2047


def test_an_outbox_row_over_the_limit_is_sent_shortened() -> None:
    method, params = api_call(42, OutboundMessage("가" * 5000).payload())
    assert method == "sendMessage" and length(params["text"]) == TEXT and params["text"].endswith("…")
    method, params = api_call(42, OutboundMessage("x" * 2000, photo="file-1").payload())
    assert method == "sendPhoto" and length(params["caption"]) == CAPTION


def test_an_invoice_title_and_description_are_shortened() -> None:
    invoice = OutboundInvoice("Cafe Onda monthly pass with forty Americanos", "d" * 400, "checkout:1", "KRW",
                              (("Pass", 45000),), "Pay")
    _, params = api_call(42, invoice.payload(), environ={})
    assert length(params["title"]) == 32 and length(params["description"]) == 255


def test_what_cannot_be_shortened_is_refused_before_telegram_is_asked() -> None:
    long_data = OutboundMessage("Hi", ((Button("Go", "x" * 65),),))
    with pytest.raises(OverLimit):
        api_call(42, long_data.payload())
    with pytest.raises(OverLimit):
        fit("sendMessage", {"text": "<b>" + "x" * 5000 + "</b>", "parse_mode": "HTML"})
    with pytest.raises(OverLimit):
        fit("sendInvoice", {"title": "t", "payload": "p" * 129})


def test_a_callback_answer_is_kept_to_200_characters() -> None:
    assert length(fit("answerCallbackQuery", {"text": "아" * 300})["text"]) == 200


@given(st.text(max_size=5000), st.sampled_from(["sendMessage", "editMessageText", "answerCallbackQuery",
                                                  "sendPhoto", "sendInvoice"]))
def test_any_text_fits_its_limit_and_a_text_that_fits_is_left_alone(text: str, method: str) -> None:
    field = {"sendPhoto": "caption", "sendInvoice": "description"}.get(method, "text")
    limit = {"sendMessage": 4096, "editMessageText": 4096, "answerCallbackQuery": 200, "sendPhoto": 1024,
             "sendInvoice": 255}[method]
    fitted = fit(method, {field: text})[field]
    assert length(fitted) <= limit
    assert fitted == text if length(text) <= limit else text.startswith(fitted[:-1].rstrip())
