"""The dense `JG1:` QR payload: Base45 per RFC 9285 and a lossless round trip."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.encoding import b64url_encode
from wallet.errors import MalformedInput
from wallet.images.qr import qr_image
from wallet.qr_payload import base45_decode, base45_encode, decode_qr_payload, encode_qr_payload


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0")],
)
def test_base45_matches_the_rfc_9285_examples(raw: bytes, encoded: str) -> None:
    assert base45_encode(raw) == encoded
    assert base45_decode(encoded) == raw


@pytest.mark.parametrize("bad", ["GGW", "ZZZ", "A", "abc", "::::"])
def test_invalid_base45_is_refused(bad: str) -> None:
    with pytest.raises(MalformedInput):
        base45_decode(bad)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~", max_size=2500))
def test_any_presentation_text_survives_the_round_trip(text: str) -> None:
    payload = encode_qr_payload(text)
    assert payload.startswith("JG1:")
    assert set(payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert decode_qr_payload(payload) == text


def test_raw_text_passes_through_and_a_broken_payload_is_malformed() -> None:
    assert decode_qr_payload("eyJ.x.y~") == "eyJ.x.y~"
    with pytest.raises(MalformedInput):
        decode_qr_payload("JG1:" + base45_encode(b"not zlib"))
    with pytest.raises(MalformedInput):
        decode_qr_payload(encode_qr_payload("eyJ" * 300)[:-6])


def test_the_dense_payload_makes_a_smaller_qr_symbol() -> None:
    # Random base64url: signatures and digests are most of a presentation and do not compress.
    presentation = "eyJhbGciOiJFZERTQSJ9." + b64url_encode(os.urandom(1200)) + "~WyJzYWx0In0~"
    assert (
        qr_image(encode_qr_payload(presentation), target_side=1).width
        < qr_image(presentation, target_side=1).width
    )
