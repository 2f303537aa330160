"""Accepting an offered credential, CSV batches, and a verifier request's claims."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from wallet.batch import read_claims_csv
from wallet.card_types import builtin_card_types
from wallet.credentials import IssuerIdentity, accept_credential, issue_card, present_card
from wallet.errors import CredentialRejected, IssuanceError
from wallet.keys import generate_signing_key
from wallet.trust import TrustedIssuers
from wallet.verifier import verify_presentation

if TYPE_CHECKING:
    from tests.wallet.conftest import WalletWorld

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)


def test_the_holder_accepts_a_credential_bound_to_their_own_key(world: WalletWorld) -> None:
    held = accept_credential(
        world.credential.sd_jwt,
        issuers=world.issuers,
        holder_key=world.holder.public,
        now=NOW,
        expected_vct=world.licence.vct,
    )
    assert held.claims["name"] == "김민지"
    assert "license_number" in held.disclosable_names


def test_a_credential_bound_to_someone_else_is_rejected(world: WalletWorld) -> None:
    with pytest.raises(CredentialRejected) as caught:
        accept_credential(
            world.credential.sd_jwt, issuers=world.issuers, holder_key=generate_signing_key().public, now=NOW
        )
    assert caught.value.failed_check == "key_binding"


def test_a_credential_from_an_untrusted_issuer_or_of_another_type_is_rejected(world: WalletWorld) -> None:
    with pytest.raises(CredentialRejected) as caught:
        accept_credential(
            world.credential.sd_jwt, issuers=TrustedIssuers(), holder_key=world.holder.public, now=NOW
        )
    assert caught.value.failed_check == "untrusted_issuer"
    with pytest.raises(CredentialRejected):
        accept_credential(
            world.credential.sd_jwt,
            issuers=world.issuers,
            holder_key=world.holder.public,
            now=NOW,
            expected_vct="urn:other",
        )


def test_a_csv_batch_gives_a_result_for_every_row() -> None:
    licence = builtin_card_types()["driver_license"]
    text = (
        "\ufeffholder,name,birth_date,license_number,license_class\n"
        "@minji,김민지,2001-04-09,11-24-123456-78,1종 보통\n"
        "@seoyeon,이서연,2001-02-30,11-24-654321-01,2종 보통\n"
        ",박지훈,1999-12-01,11-24-111111-11,1종 대형\n"
    )
    rows = read_claims_csv(licence, text, now=NOW)
    assert [(r.line, r.holder, r.ok) for r in rows] == [
        (2, "@minji", True),
        (3, "@seoyeon", False),
        (4, "", False),
    ]
    assert rows[0].claims is not None and rows[0].claims["age_over_19"] is True
    assert [(p.claim, p.code) for p in rows[1].problems] == [("birth_date", "not_a_date")]
    assert [(p.claim, p.code) for p in rows[2].problems] == [("holder", "missing")]


def test_a_csv_without_a_holder_column_or_with_foreign_columns_is_refused() -> None:
    licence = builtin_card_types()["driver_license"]
    with pytest.raises(IssuanceError, match="holder"):
        read_claims_csv(licence, "name,birth_date\nA,2001-01-01\n", now=NOW)
    with pytest.raises(IssuanceError, match="age_over_19"):
        read_claims_csv(licence, "holder,name,age_over_19\n@a,A,yes\n", now=NOW)


def test_a_landlords_request_discloses_the_asked_claims_and_nothing_more() -> None:
    licence = builtin_card_types()["driver_license"]
    issuer = IssuerIdentity("https://rta.example.kr", "Road Traffic Authority", generate_signing_key())
    holder = generate_signing_key()
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
    asked = ("name", "age_over_19")
    audience, nonce = "jigap:verifier:7", "n-0f3a9c"
    shown = present_card(card.sd_jwt, licence, claims=asked, holder_key=holder, aud=audience, nonce=nonce, now=NOW)
    trusted = TrustedIssuers.trust_any_issuer_with({"keys": [issuer.key.public.to_jwk()]})
    result = verify_presentation(
        shown, issuers=trusted, now=NOW, expected_aud=audience, expected_nonce=nonce
    )
    assert result.valid
    assert set(asked) <= set(result.disclosed_claims)
    assert "license_number" not in result.disclosed_claims


def test_a_held_credential_knows_its_issuer_type_expiry_and_status_list(world: WalletWorld) -> None:
    held = accept_credential(
        world.credential.sd_jwt, issuers=world.issuers, holder_key=world.holder.public, now=NOW
    )
    assert held.issuer == "https://rta.example.kr"
    assert held.vct == "urn:jigap:card:driver_license:1"
    assert held.expires_at == world.credential.expires_at
    assert held.status is not None and (held.status.idx, held.status.uri) == (
        7,
        "https://rta.example.kr/status/1",
    )
