"""The other direction: the IETF reference implementation verifies what jigap issues and presents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from wallet.card_types import builtin_card_types
from wallet.credentials import IssuerIdentity, issue_card, present_card
from wallet.keys import generate_signing_key

NOW = datetime.now(UTC)


@pytest.mark.parametrize("issuer_alg", ["EdDSA", "ES256"])
def test_the_reference_verifier_accepts_a_jigap_presentation_and_sees_only_the_preset(
    issuer_alg: str,
) -> None:
    licence = builtin_card_types()["driver_license"]
    issuer = IssuerIdentity(
        "https://rta.example.kr", "Road Traffic Authority", generate_signing_key(issuer_alg)
    )  # type: ignore[arg-type]
    # The reference verifier checks key-binding JWTs as ES256 only.
    holder = generate_signing_key("ES256")
    card = issue_card(
        licence,
        {
            "name": "김민지",
            "birth_date": "2001-04-09",
            "license_number": "11-24-123456-78",
            "license_class": "1종 보통",
        },
        issuer=issuer,
        holder_jwk=holder.public.jwk,
        now=NOW,
    )
    shown = present_card(
        card.sd_jwt, licence, preset="name_and_photo", holder_key=holder, aud="v", nonce="n", now=NOW
    )
    issuer_jwk = JWK(**issuer.key.public.to_jwk())
    payload = SDJWTVerifier(
        shown, lambda iss, header: issuer_jwk, expected_aud="v", expected_nonce="n"
    ).get_verified_payload()
    assert payload["name"] == "김민지"
    assert "birth_date" not in payload and "license_number" not in payload and "age_over_19" not in payload
    assert payload["vct"] == licence.vct


def test_the_reference_verifier_rejects_a_jigap_presentation_for_another_nonce() -> None:
    licence = builtin_card_types()["driver_license"]
    issuer = IssuerIdentity("https://rta.example.kr", "RTA", generate_signing_key())
    holder = generate_signing_key("ES256")
    card = issue_card(
        licence,
        {
            "name": "A",
            "birth_date": "2001-04-09",
            "license_number": "11-24-123456-78",
            "license_class": "1종 보통",
        },
        issuer=issuer,
        holder_jwk=holder.public.jwk,
        now=NOW,
    )
    shown = present_card(
        card.sd_jwt, licence, preset="age_over_19_only", holder_key=holder, aud="v", nonce="n", now=NOW
    )
    issuer_jwk = JWK(**issuer.key.public.to_jwk())
    with pytest.raises(ValueError, match="nonce"):
        SDJWTVerifier(shown, lambda iss, header: issuer_jwk, expected_aud="v", expected_nonce="other")
