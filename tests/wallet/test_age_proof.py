"""The age proof issued with each card: only the age claims, the card's holder key and status entry, and an
age-only QR a phone reads at error correction M in a version 22 symbol or smaller (decoded for real)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from wallet.card_types import CardTypeRegistry, age_proof_type, builtin_card_types
from wallet.credentials import IssuedCredential, IssuerIdentity, issue_age_proof, issue_card, present_card
from wallet.holder import read_held_credential
from wallet.images.qr import presentation_qr_png, read_symbol
from wallet.keys import Algorithm, SigningKey, generate_signing_key
from wallet.qr_payload import decode_qr_payload
from wallet.status_list import StatusReference
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import verify_presentation

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
PUBLIC_URL = "https://jigap.example"
MINJI = {"name": "김민지", "birth_date": "2001-04-09", "license_number": "11-24-123456-78",
         "license_class": "1종 보통", "address": "서울특별시 마포구 월드컵북로 396", "photo": b"\xff\xd8 photo"}
NONCE = "Qm9vdHN0cmFwTm9u"  # 16 characters, as wallet.ids.token(12) makes for each QR frame


def _issued(holder_alg: Algorithm) -> tuple[IssuedCredential, str, SigningKey, TrustedIssuers]:
    licence = builtin_card_types()["driver_license"]
    issuer = IssuerIdentity(f"{PUBLIC_URL}/road-authority", "Road Traffic Authority", generate_signing_key())
    holder = generate_signing_key(holder_alg)
    status = StatusReference(48_213, f"{PUBLIC_URL}/status/road-authority")
    card = issue_card(licence, MINJI, issuer=issuer, holder_jwk=holder.public.jwk, now=NOW, status=status)
    proof = issue_age_proof(licence, card, issuer=issuer, holder_jwk=holder.public.jwk)
    assert proof is not None
    trusted = TrustedIssuers([TrustedIssuer(issuer.issuer, issuer.name, (issuer.key.public,))])
    return card, proof, holder, trusted


def test_the_age_proof_holds_only_the_age_claims_for_the_same_key_status_and_validity() -> None:
    card, proof, _, _ = _issued("EdDSA")
    held, whole = read_held_credential(proof), read_held_credential(card.sd_jwt)
    assert held.vct == "urn:jigap:age:driver_license:1"
    assert held.disclosable_names == frozenset({"age_over_19", "age_over_14"})
    assert {k: v for k, v in held.claims.items() if k.startswith("age_")} == {"age_over_19": True, "age_over_14": True}
    assert "name" not in held.claims and "birth_date" not in held.claims
    assert held.payload["cnf"] == whole.payload["cnf"]
    assert held.payload["status"] == whole.payload["status"]  # revoking the card's entry revokes the proof
    assert held.payload["exp"] == whole.payload["exp"]


def test_a_card_type_without_age_claims_gets_no_proof_and_the_registry_knows_each_proof() -> None:
    registry = CardTypeRegistry()
    licence = registry.get("driver_license")
    proof_type = registry.by_vct("urn:jigap:age:driver_license:1")
    assert proof_type is not None and proof_type.proof_of == "driver_license"
    assert registry.age_proof(licence) == proof_type and proof_type not in registry.all()
    assert [p.id for p in proof_type.presets] == ["age_over_19_only"]
    plain = dataclasses.replace(licence, id="plain", derived=())
    assert age_proof_type(plain) is None


@pytest.mark.parametrize("holder_alg", ["EdDSA", "ES256"])
def test_the_age_only_qr_reads_at_level_m_in_version_22_or_less(holder_alg: Algorithm) -> None:
    card, proof, holder, trusted = _issued(holder_alg)
    licence = builtin_card_types()["driver_license"]
    proof_type = age_proof_type(licence)
    assert proof_type is not None
    shown = present_card(proof, proof_type, preset="age_over_19_only", holder_key=holder, aud=PUBLIC_URL,
                         nonce=NONCE, now=NOW)
    symbol = read_symbol(presentation_qr_png(shown))
    assert symbol is not None and symbol.ec_level == "M" and symbol.version <= 22
    result = verify_presentation(decode_qr_payload(symbol.text), issuers=trusted, now=NOW, expected_aud=PUBLIC_URL,
                                 expected_nonce=NONCE)
    assert result.valid and dict(result.disclosed_claims) == {"age_over_19": True}
    from_card = present_card(card.sd_jwt, licence, preset="age_over_19_only", holder_key=holder, aud=PUBLIC_URL,
                             nonce=NONCE, now=NOW)
    card_symbol = read_symbol(presentation_qr_png(from_card))
    assert card_symbol is not None and card_symbol.version > 22  # why the proof exists
