"""The dense `JG1:` and `JG2:` QR payloads: Base45 per RFC 9285 and a lossless round trip."""

from __future__ import annotations

import os
import zlib

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
    assert payload[:4] in ("JG1:", "JG2:")
    assert set(payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert decode_qr_payload(payload) == text


def test_raw_text_passes_through_and_a_broken_payload_is_malformed() -> None:
    assert decode_qr_payload("eyJ.x.y~") == "eyJ.x.y~"
    with pytest.raises(MalformedInput):
        decode_qr_payload("JG1:" + base45_encode(b"not zlib"))
    with pytest.raises(MalformedInput):
        decode_qr_payload(encode_qr_payload("eyJ" * 300)[:-6])


def test_a_presentation_goes_in_segments_and_an_odd_text_still_round_trips() -> None:
    presentation = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0." + b64url_encode(os.urandom(64)) + "~WyJzYWx0In0~"
    assert encode_qr_payload(presentation).startswith("JG2:")
    assert decode_qr_payload(encode_qr_payload(presentation)) == presentation
    for odd in ("a.b.c~", "eyJ.x.y~", "AB~"):  # a segment of impossible length, non-canonical base64
        assert decode_qr_payload(encode_qr_payload(odd)) == odd
    for broken in (b"\x01\x01\x09ab", b"\x01\x01\x02ab~", b"\x01\x80"):  # short, trailing, cut varint
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        with pytest.raises(MalformedInput):
            decode_qr_payload("JG2:" + base45_encode(packer.compress(broken) + packer.flush()))


def test_the_dense_payload_makes_a_smaller_qr_symbol() -> None:
    # Random base64url: signatures and digests are most of a presentation and do not compress.
    presentation = "eyJhbGciOiJFZERTQSJ9." + b64url_encode(os.urandom(1200)) + "~WyJzYWx0In0~"
    assert (
        qr_image(encode_qr_payload(presentation), target_side=1).width
        < qr_image(presentation, target_side=1).width
    )
