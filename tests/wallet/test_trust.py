"""Issuer metadata: where it lives and which documents are accepted."""

from __future__ import annotations

import pytest

from wallet.errors import KeyFormatError
from wallet.keys import generate_signing_key
from wallet.trust import TrustedIssuer, metadata_url, trusted_issuer_from_metadata


def test_the_well_known_segment_goes_between_host_and_path() -> None:
    assert metadata_url("https://rta.example.kr") == "https://rta.example.kr/.well-known/jwt-vc-issuer"
    assert (
        metadata_url("https://rta.example.kr/t/7/") == "https://rta.example.kr/.well-known/jwt-vc-issuer/t/7"
    )


@pytest.mark.parametrize("issuer", ["http://rta.example.kr", "ftp://x", "rta", "https://x/?q=1"])
def test_issuers_that_are_not_plain_https_urls_have_no_metadata(issuer: str) -> None:
    with pytest.raises(KeyFormatError):
        metadata_url(issuer)


def test_metadata_round_trips_and_must_name_the_same_issuer() -> None:
    key = generate_signing_key()
    document = TrustedIssuer("https://rta.example.kr", "Road Traffic Authority", (key.public,)).metadata()
    trusted = trusted_issuer_from_metadata("https://rta.example.kr", document)
    assert trusted.keys == (key.public,) and trusted.name == "Road Traffic Authority"
    with pytest.raises(KeyFormatError, match="another issuer"):
        trusted_issuer_from_metadata("https://evil.example", document)
    with pytest.raises(KeyFormatError):
        trusted_issuer_from_metadata(
            "https://rta.example.kr", {"issuer": "https://rta.example.kr", "jwks": {"keys": []}}
        )
