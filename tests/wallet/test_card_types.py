"""Card types from data: the shipped three, a new one added from TOML, claim validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wallet.card_types import CardTypeRegistry, builtin_card_types, load_card_type
from wallet.claims import photo_digest, photo_matches, prepare_claims
from wallet.credentials import IssuerIdentity, issue_card, mask_number, present_card
from wallet.errors import CardTypeInvalid, ClaimsInvalid, UnknownCardType, UnknownPreset
from wallet.keys import generate_signing_key
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import verify_presentation

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)

LIBRARY_CARD = """
id = "library_card"
vct = "urn:example:library_card:1"
name = { en = "Library card", ko = "도서관 회원증" }
name_claim = "name"
number_claim = "member_number"
birth_date_claim = "birth_date"

[[claims]]
name = "name"
type = "string"
disclosure = "selective"
required = true
label = { en = "Name", ko = "성명" }

[[claims]]
name = "member_number"
type = "string"
disclosure = "always"
required = true
label = { en = "Member", ko = "회원번호" }

[[claims]]
name = "birth_date"
type = "date"
disclosure = "selective"
required = true
label = { en = "Born", ko = "생년월일" }

[[derived]]
name = "age_over_14"
rule = "age_over"
source = "birth_date"
years = 14
label = { en = "Over 14", ko = "만 14세 이상" }

[[presets]]
id = "teen_room"
claims = ["age_over_14"]
label = { en = "Teen room", ko = "청소년실" }

[layout]
background = "#333333"
background_end = "#555555"
text = "#FFFFFF"
accent = "#FFCC00"
front_fields = ["member_number"]
"""


def test_the_three_card_types_ship_with_korean_and_english_names() -> None:
    types = builtin_card_types()
    assert set(types) == {"driver_license", "student_id", "national_certificate"}
    assert types["driver_license"].name.text("ko") == "운전면허증"
    assert types["student_id"].preset("name_and_photo").label.text("en") == "Name and photo"


def test_a_new_card_type_from_data_issues_and_presents_without_code() -> None:
    library = load_card_type(LIBRARY_CARD)
    registry = CardTypeRegistry()
    registry.add(library)
    assert registry.by_vct("urn:example:library_card:1") is library
    issuer = IssuerIdentity("https://library.example", "City Library", generate_signing_key())
    holder = generate_signing_key()
    card = issue_card(
        library,
        {"name": "박지훈", "member_number": "L-0042", "birth_date": "2013-03-01"},
        issuer=issuer,
        holder_jwk=holder.public.jwk,
        now=NOW,
    )
    assert card.claims["age_over_14"] is False
    shown = present_card(
        card.sd_jwt, library, preset="teen_room", holder_key=holder, aud="desk", nonce="n", now=NOW
    )
    trusted = TrustedIssuers([TrustedIssuer(issuer.issuer, issuer.name, (issuer.key.public,))])
    result = verify_presentation(shown, issuers=trusted, now=NOW)
    assert dict(result.disclosed_claims) == {"member_number": "L-0042", "age_over_14": False}


def test_an_unknown_card_type_or_preset_is_a_named_error() -> None:
    with pytest.raises(UnknownCardType):
        CardTypeRegistry().get("passport")
    with pytest.raises(UnknownPreset):
        builtin_card_types()["driver_license"].preset("shoe_size")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ('front_fields = ["member_number"]', 'front_fields = ["shoe_size"]'),
        ('background = "#333333"', 'background = "grey"'),
        ('claims = ["age_over_14"]', 'claims = ["nickname"]'),
        ('type = "date"', 'type = "timestamp"'),
    ],
)
def test_an_inconsistent_card_type_file_is_refused(patch: str, message: str) -> None:
    with pytest.raises(CardTypeInvalid):
        load_card_type(LIBRARY_CARD.replace(patch, message))


def test_claims_are_validated_with_every_problem_named() -> None:
    licence = builtin_card_types()["driver_license"]
    with pytest.raises(ClaimsInvalid) as caught:
        prepare_claims(
            licence,
            {
                "birth_date": "2001-13-45",
                "license_number": "1124123456",
                "license_class": "3종",
                "age_over_19": True,
                "eye": "brown",
            },
            now=NOW,
        )
    problems = {(p.claim, p.code) for p in caught.value.problems}
    assert problems == {
        ("name", "missing"),
        ("birth_date", "not_a_date"),
        ("license_number", "pattern"),
        ("license_class", "not_allowed"),
        ("age_over_19", "unknown"),
        ("eye", "unknown"),
    }


def test_age_over_19_is_decided_on_the_seoul_calendar_day_of_issuance() -> None:
    licence = builtin_card_types()["driver_license"]
    base = {"name": "이서연", "license_number": "11-24-123456-78", "license_class": "2종 보통"}
    # 2026-04-08 15:30 UTC is already 9 April in Seoul: her 19th birthday.
    on_birthday_in_seoul = datetime(2026, 4, 8, 15, 30, tzinfo=UTC)
    claims = prepare_claims(licence, {**base, "birth_date": "2007-04-09"}, now=on_birthday_in_seoul)
    assert claims["age_over_19"] is True
    day_before = datetime(2026, 4, 8, 14, 30, tzinfo=UTC)
    assert (
        prepare_claims(licence, {**base, "birth_date": "2007-04-09"}, now=day_before)["age_over_19"] is False
    )


def test_a_leap_day_birthday_turns_over_on_the_first_of_march() -> None:
    licence = builtin_card_types()["driver_license"]
    base = {
        "name": "A",
        "license_number": "11-24-123456-78",
        "license_class": "2종 보통",
        "birth_date": "2008-02-29",
    }
    assert prepare_claims(licence, base, now=datetime(2027, 2, 28, 5, tzinfo=UTC))["age_over_19"] is False
    assert prepare_claims(licence, base, now=datetime(2027, 3, 1, 5, tzinfo=UTC))["age_over_19"] is True


def test_a_photo_is_signed_as_a_digest_that_the_photo_must_match() -> None:
    digest = photo_digest(b"jpeg bytes")
    assert digest.startswith("sha256-") and len(digest) == 50
    assert photo_matches(b"jpeg bytes", digest)
    assert not photo_matches(b"another face", digest)


def test_numbers_are_masked_keeping_separators() -> None:
    assert mask_number("11-24-123456-78", keep_start=4, keep_end=2) == "11-24-******-78"
    assert mask_number("2021123456", keep_start=4, keep_end=0) == "2021******"
