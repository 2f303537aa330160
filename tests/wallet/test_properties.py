"""Property tests: any subset of disclosures verifies, and any changed byte fails."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.card_types import builtin_card_types
from wallet.credentials import IssuerIdentity, issue_card
from wallet.holder import present
from wallet.keys import generate_signing_key
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import verify_presentation

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
LICENCE = builtin_card_types()["driver_license"]
ISSUER = IssuerIdentity("https://rta.example.kr", "Road Traffic Authority", generate_signing_key("ES256"))
HOLDER = generate_signing_key()
CARD = issue_card(
    LICENCE,
    {
        "name": "김민지",
        "birth_date": "2001-04-09",
        "license_number": "11-24-123456-78",
        "license_class": "1종 보통",
        "address": "서울특별시 마포구",
        "photo": b"face",
    },
    issuer=ISSUER,
    holder_jwk=HOLDER.public.jwk,
    now=NOW,
)
TRUSTED = TrustedIssuers([TrustedIssuer(ISSUER.issuer, ISSUER.name, (ISSUER.key.public,))])
SELECTIVE = sorted(LICENCE.selective_names)
FULL = present(CARD.sd_jwt, disclose=SELECTIVE, holder_key=HOLDER, aud="v", nonce="n", now=NOW)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~ =+/\x00é"


@settings(max_examples=120, deadline=None)
@given(st.sets(st.sampled_from(SELECTIVE)))
def test_any_subset_of_disclosures_verifies_and_shows_exactly_that_subset(chosen: set[str]) -> None:
    shown = present(CARD.sd_jwt, disclose=chosen, holder_key=HOLDER, aud="v", nonce="n", now=NOW)
    result = verify_presentation(shown, issuers=TRUSTED, now=NOW, expected_aud="v", expected_nonce="n")
    assert result.valid, result.reason
    assert set(result.disclosed_claims) == chosen


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(FULL) - 1), st.sampled_from(ALPHABET))
def test_any_changed_character_makes_the_presentation_invalid(index: int, replacement: str) -> None:
    if FULL[index] == replacement:
        replacement = "A" if FULL[index] != "A" else "B"
    tampered = FULL[:index] + replacement + FULL[index + 1 :]
    result = verify_presentation(tampered, issuers=TRUSTED, now=NOW, expected_aud="v", expected_nonce="n")
    assert not result.valid
    assert result.disclosed_claims == {}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = verify_presentation(text, issuers=TRUSTED, now=NOW)
    assert not result.valid
