"""Issuer metadata and trust lists: where metadata lives and which documents are accepted."""

from __future__ import annotations

import json

import pytest

from wallet.errors import KeyFormatError
from wallet.keys import generate_signing_key, load_jwks
from wallet.trust import TrustedIssuer, load_trust_list, metadata_url, trusted_issuer_from_metadata


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


def test_a_trust_list_names_each_issuer_once_with_the_keys_its_entry_declares() -> None:
    key = generate_signing_key()
    entry = {"issuer": "https://rta.example.kr", "name": "Road Traffic Authority",
             "jwks": {"keys": [{**key.public.jwk, "kid": "rta-2026-1"}]}}
    trusted = load_trust_list(json.dumps({"issuers": [entry]}))
    issuer = trusted("https://rta.example.kr")
    assert issuer is not None and issuer.name == "Road Traffic Authority"
    assert [k.kid for k in issuer.keys_for("rta-2026-1", "EdDSA")] == ["rta-2026-1"]
    assert issuer.keys_for(key.kid, "EdDSA") == ()
    assert trusted("https://elsewhere.example") is None
    with pytest.raises(KeyFormatError, match="names https://rta.example.kr twice"):
        load_trust_list({"issuers": [entry, entry]})
    with pytest.raises(KeyFormatError, match="no usable keys"):
        load_trust_list({"issuers": [{**entry, "jwks": {"keys": []}}]})


@pytest.mark.parametrize("kid", [7, "", None])
def test_a_jwks_whose_kid_is_not_a_non_empty_string_or_names_two_keys_alike_is_refused(kid: object) -> None:
    first, second = generate_signing_key(), generate_signing_key()
    with pytest.raises(KeyFormatError, match="kid must be a non-empty string"):
        load_jwks({"keys": [{**first.public.jwk, "kid": kid}]})
    with pytest.raises(KeyFormatError, match="two keys of the JWKS are named 'same'"):
        load_jwks({"keys": [{**first.public.jwk, "kid": "same"}, {**second.public.jwk, "kid": "same"}]})
