"""The refreshing presentation QR and verifier deep links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallet.errors import DeepLinkInvalid, RequestExpired
from wallet.qr_session import (
    QrSession,
    encode_deep_link,
    new_presentation_request,
    parse_deep_link,
)

START = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)


def test_a_qr_is_replaced_every_thirty_seconds_for_three_minutes_then_expires() -> None:
    session = QrSession(START)
    assert session.frame_count == 6
    frames = [session.frame_at(START + timedelta(seconds=s)) for s in (0, 29, 30, 179)]
    assert [f.index for f in frames if f] == [0, 0, 1, 5]
    assert session.next_refresh(START + timedelta(seconds=10)) == START + timedelta(seconds=30)
    assert (
        session.next_refresh(START + timedelta(seconds=170)) is None
    )  # the last frame: next is "show again"
    assert session.frame_at(START + timedelta(minutes=3)) is None
    assert session.is_over(START + timedelta(minutes=3))


def test_each_frame_is_valid_for_exactly_its_thirty_seconds() -> None:
    frame = QrSession(START).frame_at(START + timedelta(seconds=95))
    assert frame is not None
    assert (frame.shown_at, frame.valid_until) == (
        START + timedelta(seconds=90),
        START + timedelta(seconds=120),
    )


def test_a_verifier_request_travels_as_a_short_deep_link_payload() -> None:
    request = new_presentation_request(
        verifier_id="42", verifier_name="Landlord Park", claims=("name", "age_over_19"), now=START
    )
    payload = encode_deep_link("vr", request.request_id)
    assert len(payload) <= 64
    assert payload.replace("_", "").replace("-", "").isalnum()
    link = parse_deep_link(payload)
    assert (link.kind, link.token) == ("vr", request.request_id)
    assert request.nonce != request.request_id
    assert request.audience == "jigap:verifier:42"


def test_an_expired_request_is_refused() -> None:
    request = new_presentation_request(verifier_id="42", verifier_name="x", claims=(), now=START)
    request.ensure_open(START + timedelta(minutes=9))
    with pytest.raises(RequestExpired):
        request.ensure_open(START + timedelta(minutes=10))


@pytest.mark.parametrize(
    "payload",
    ["", "vr_", "xx_abcdefghijklmnopqrstuv", "vr_abc", "vr_" + "a" * 62, "vr_abcdefghijklmnop!rstuv"],
)
def test_foreign_deep_link_payloads_are_refused(payload: str) -> None:
    with pytest.raises(DeepLinkInvalid):
        parse_deep_link(payload)
