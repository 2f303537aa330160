"""RFC 9901's published examples: digests, issuer signatures and key-bound presentations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from wallet.keys import public_key_from_jwk
from wallet.sd_jwt import decode_disclosure, digest_of, split_sd_jwt
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import VerifierPolicy, verify_presentation

VECTORS = Path(__file__).parent / "vectors"
KB_IAT = 1748536865
RFC_NONCE = "1234567890"
RFC_AUD = "https://verifier.example.org"


def _load(case: str, name: str) -> Any:
    text = (VECTORS / case / name).read_text()
    return json.loads(text) if name.endswith(".json") else text.strip()


def _issuers(case: str, issuer: str) -> TrustedIssuers:
    key = public_key_from_jwk(_load(case, "issuer_jwk.json"))
    return TrustedIssuers([TrustedIssuer(issuer, "Example Issuer", (key,))])


def _at_presentation_time() -> datetime:
    return datetime.fromtimestamp(KB_IAT, UTC) + timedelta(seconds=5)


@pytest.mark.parametrize(
    "case", ["rfc9901_section5_simple", "rfc9901_a3_sd_jwt_vc", "rfc9901_section6_3_recursive"]
)
def test_every_disclosure_digest_equals_the_digest_printed_in_the_rfc(case: str) -> None:
    for entry in _load(case, "disclosures.json"):
        assert digest_of(entry["disclosure"]) == entry["digest"]
        assert decode_disclosure(entry["disclosure"]).digest == entry["digest"]


def test_section5_disclosures_are_exactly_those_carried_by_the_issued_sd_jwt() -> None:
    parts = split_sd_jwt(_load("rfc9901_section5_simple", "sd_jwt.txt"))
    listed = [entry["disclosure"] for entry in _load("rfc9901_section5_simple", "disclosures.json")]
    assert list(parts.disclosures) == listed
    assert parts.kb_jwt is None


def test_section5_presentation_verifies_with_the_rfc_key_and_yields_the_rfc_processed_payload() -> None:
    case = "rfc9901_section5_simple"
    result = verify_presentation(
        _load(case, "presentation.txt"),
        issuers=_issuers(case, "https://issuer.example.com"),
        now=_at_presentation_time(),
        policy=VerifierPolicy(accepted_typs=("example+sd-jwt",), allowed_algs=("ES256",), require_vct=False),
        expected_aud=RFC_AUD,
        expected_nonce=RFC_NONCE,
    )
    assert result.valid, result.reason
    expected = _load(case, "processed_payload.json")
    for technical in ("iss", "iat", "exp", "cnf"):
        expected.pop(technical)
    assert dict(result.disclosed_claims) == expected
    assert result.key_bound


def test_section5_full_sd_jwt_without_key_binding_verifies_when_policy_does_not_require_it() -> None:
    case = "rfc9901_section5_simple"
    result = verify_presentation(
        _load(case, "sd_jwt.txt"),
        issuers=_issuers(case, "https://issuer.example.com"),
        now=datetime(2023, 5, 2, 4, 0, tzinfo=UTC),
        policy=VerifierPolicy(
            accepted_typs=("example+sd-jwt",), require_key_binding=False, require_vct=False
        ),
    )
    assert result.valid, result.reason
    assert result.disclosed_claims["nationalities"] == ["US", "DE"]
    assert result.disclosed_claims["address"]["locality"] == "Anytown"


def test_a3_sd_jwt_vc_presentation_discloses_only_nationality_and_age_over_18() -> None:
    case = "rfc9901_a3_sd_jwt_vc"
    result = verify_presentation(
        _load(case, "presentation.txt"),
        issuers=_issuers(case, "https://pid-issuer.bund.de.example"),
        now=_at_presentation_time(),
        expected_aud=RFC_AUD,
        expected_nonce=RFC_NONCE,
        policy=VerifierPolicy(allowed_algs=("ES256",)),
    )
    assert result.valid, result.reason
    assert result.vct == "urn:eudi:pid:de:1"
    assert dict(result.disclosed_claims) == {"age_equal_or_over": {"18": True}, "nationalities": ["DE"]}


def test_a3_issued_sd_jwt_with_all_recursive_disclosures_rebuilds_nested_claims() -> None:
    case = "rfc9901_a3_sd_jwt_vc"
    result = verify_presentation(
        _load(case, "sd_jwt.txt"),
        issuers=_issuers(case, "https://pid-issuer.bund.de.example"),
        now=datetime(2024, 1, 1, tzinfo=UTC),
        policy=VerifierPolicy(require_key_binding=False),
    )
    assert result.valid, result.reason
    assert result.disclosed_claims["address"]["locality"] == "Köln"
    assert result.disclosed_claims["place_of_birth"] == {"locality": "Berlin", "country": "DE"}
    assert result.disclosed_claims["age_equal_or_over"]["65"] is False


def test_rfc_presentation_is_refused_after_its_expiry_claim() -> None:
    case = "rfc9901_section5_simple"
    result = verify_presentation(
        _load(case, "sd_jwt.txt"),
        issuers=_issuers(case, "https://issuer.example.com"),
        now=datetime.fromtimestamp(1883000000, UTC) + timedelta(days=1),
        policy=VerifierPolicy(
            accepted_typs=("example+sd-jwt",), require_key_binding=False, require_vct=False
        ),
    )
    assert result.failed_check == "expired"
    assert result.reason == "expired on 2029-09-01"


def test_rfc_presentation_with_a_nonce_the_verifier_never_issued_is_refused() -> None:
    case = "rfc9901_section5_simple"
    result = verify_presentation(
        _load(case, "presentation.txt"),
        issuers=_issuers(case, "https://issuer.example.com"),
        now=_at_presentation_time(),
        policy=VerifierPolicy(accepted_typs=("example+sd-jwt",), require_vct=False),
        expected_aud=RFC_AUD,
        expected_nonce="another-nonce",
    )
    assert result.failed_check == "key_binding"
    assert "wrong nonce" in result.reason
