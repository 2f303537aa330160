"""A negative test for every verifier check, each asserting the failed check and its words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.wallet.conftest import WalletWorld
from wallet.encoding import b64url_decode, b64url_encode, json_dumps
from wallet.holder import present
from wallet.jws import sign_compact
from wallet.keys import generate_signing_key
from wallet.sd_jwt import Sd, issue_sd_jwt, make_disclosure, split_sd_jwt
from wallet.status_list import CredentialStatus, StatusCheck, StatusReference
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import MemoryNonceStore, VerificationResult, VerifierPolicy, verify_presentation

AUD = "jigap:verifier:bar-haneul"
NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # the fixture world's issuance moment


def _present(world: WalletWorld, disclose: tuple[str, ...] = ("age_over_19",), **kw: object) -> str:
    args = {"holder_key": world.holder, "aud": AUD, "nonce": "n-1", "now": NOW, **kw}
    return present(world.credential.sd_jwt, disclose=disclose, **args)  # type: ignore[arg-type]


def _verify(world: WalletWorld, presentation: str, **kw: object) -> VerificationResult:
    args = {"issuers": world.issuers, "now": NOW, "expected_aud": AUD, "expected_nonce": "n-1", **kw}
    return verify_presentation(presentation, **args)  # type: ignore[arg-type]


def _resign(
    world: WalletWorld, header: dict[str, object], payload: dict[str, object], disclosures: str
) -> str:
    jwt = sign_compact(header, payload, world.issuer.key)
    return f"{jwt}~{disclosures}"


def _jwt_parts(sd_jwt: str) -> tuple[dict[str, object], dict[str, object], str]:
    jwt, _, rest = sd_jwt.partition("~")
    header, payload, _sig = jwt.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), rest


def test_a_fresh_presentation_of_age_over_19_is_valid_and_shows_nothing_else(world: WalletWorld) -> None:
    result = _verify(world, _present(world))
    assert result.valid and result.reason == "valid"
    assert dict(result.disclosed_claims) == {"age_over_19": True}
    assert result.issuer_name == "Road Traffic Authority"
    assert result.vct == "urn:jigap:card:driver_license:1"


@pytest.mark.parametrize(
    "garbage", ["", "~", "not a credential", "a.b.c~", "eyJ~~~", "\u00e9~x~", "~~~~~~", "."]
)
def test_garbage_input_gives_an_invalid_result_instead_of_an_exception(
    world: WalletWorld, garbage: str
) -> None:
    result = _verify(world, garbage)
    assert not result.valid
    assert result.failed_check == "malformed"
    assert result.disclosed_claims == {}


def test_an_issuer_nobody_trusts_is_refused_by_name(world: WalletWorld) -> None:
    result = _verify(world, _present(world), issuers=TrustedIssuers())
    assert result.failed_check == "untrusted_issuer"
    assert result.reason == "the issuer https://rta.example.kr is not trusted"


def test_a_trusted_issuer_name_with_a_stranger_key_is_refused(world: WalletWorld) -> None:
    impostor = TrustedIssuers([TrustedIssuer(world.issuer.issuer, "RTA", (generate_signing_key().public,))])
    result = _verify(world, _present(world), issuers=impostor)
    assert result.failed_check == "untrusted_issuer"


def test_a_signature_from_another_key_of_the_same_kid_does_not_match(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(_present(world))
    forged = sign_compact({**header}, payload, generate_signing_key())
    # Keep the trusted kid so the verifier picks the real key and must reject the signature.
    protected, body, sig = forged.split(".")
    forged_header = b64url_encode(json_dumps({**header, "alg": "EdDSA"}))
    result = _verify(world, f"{forged_header}.{body}.{sig}~{rest}")
    assert result.failed_check == "signature"
    assert result.reason == "signature does not match"


def test_alg_none_is_refused(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(_present(world))
    unsigned = (
        b64url_encode(json_dumps({**header, "alg": "none"})) + "." + b64url_encode(json_dumps(payload)) + "."
    )
    result = _verify(world, f"{unsigned}~{rest}")
    assert result.failed_check == "alg"


def test_an_alg_outside_the_allowlist_is_refused_even_with_a_valid_signature(world: WalletWorld) -> None:
    result = _verify(world, _present(world), policy=VerifierPolicy(allowed_algs=("ES256",)))
    assert result.failed_check == "alg"
    assert result.reason == "the signing algorithm EdDSA is not accepted"


def test_a_header_claiming_es256_over_an_ed25519_key_is_not_trusted(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(_present(world))
    jwt = sign_compact(header, payload, world.issuer.key)
    protected, body, sig = jwt.split(".")
    lying = b64url_encode(json_dumps({**header, "alg": "ES256"}))
    result = _verify(world, f"{lying}.{body}.{sig}~{rest}")
    assert result.failed_check == "alg"
    assert result.reason == "the signing algorithm ES256 is not accepted"


def test_a_wrong_typ_is_refused(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(_present(world))
    result = _verify(world, _resign(world, {**header, "typ": "JWT"}, payload, rest))
    assert result.failed_check == "typ"


def test_an_expired_credential_says_when_it_expired(world: WalletWorld) -> None:
    later = world.credential.expires_at + timedelta(days=2)
    result = _verify(world, _present(world, now=later), now=later)
    assert result.failed_check == "expired"
    assert result.reason == f"expired on {world.credential.expires_at.date().isoformat()}"


def test_expiry_within_the_leeway_is_still_valid(world: WalletWorld) -> None:
    at = world.credential.expires_at + timedelta(seconds=20)
    assert _verify(world, _present(world, now=at), now=at).valid


def test_a_credential_before_its_nbf_is_not_yet_valid(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(world.credential.sd_jwt)
    payload["nbf"] = int((NOW + timedelta(days=1)).timestamp())
    result = _verify(
        world,
        present(
            _resign(world, header, payload, rest),
            disclose=["name"],
            holder_key=world.holder,
            aud=AUD,
            nonce="n-1",
            now=NOW,
        ),
    )
    assert result.failed_check == "not_yet_valid"


def test_a_duplicated_disclosure_is_refused(world: WalletWorld) -> None:
    parts = split_sd_jwt(world.credential.sd_jwt)
    doubled = f"{parts.issuer_jwt}~{parts.disclosures[0]}~{parts.disclosures[0]}~"
    result = _verify(world, doubled, policy=VerifierPolicy(require_key_binding=False))
    assert result.failed_check == "bad_disclosure"


def test_an_unreferenced_disclosure_is_refused(world: WalletWorld) -> None:
    parts = split_sd_jwt(world.credential.sd_jwt)
    stranger = make_disclosure("age_over_19", True).encoded
    result = _verify(
        world, f"{parts.issuer_jwt}~{stranger}~", policy=VerifierPolicy(require_key_binding=False)
    )
    assert result.failed_check == "bad_disclosure"
    assert "not referenced" in result.reason


@pytest.mark.parametrize("reserved", ["_sd", "..."])
def test_disclosures_named_sd_or_ellipsis_are_refused(world: WalletWorld, reserved: str) -> None:
    salt = b64url_encode(b"0123456789abcdef")
    disclosure = b64url_encode(json_dumps([salt, reserved, "x"]))
    from wallet.sd_jwt import digest_of

    header, payload, _ = _jwt_parts(world.credential.sd_jwt)
    payload["_sd"] = [*payload["_sd"], digest_of(disclosure)]  # type: ignore[list-item]
    forged = _resign(world, header, payload, f"{disclosure}~")
    result = _verify(world, forged, policy=VerifierPolicy(require_key_binding=False))
    assert result.failed_check == "bad_disclosure"


def test_a_digest_listed_twice_in_the_payload_is_refused(world: WalletWorld) -> None:
    header, payload, rest = _jwt_parts(world.credential.sd_jwt)
    payload["_sd"] = [*payload["_sd"], payload["_sd"][0]]  # type: ignore[index]
    result = _verify(
        world, _resign(world, header, payload, rest), policy=VerifierPolicy(require_key_binding=False)
    )
    assert result.failed_check == "bad_disclosure"


def test_nested_and_array_disclosures_are_processed_recursively(world: WalletWorld) -> None:
    claims = {
        "iss": world.issuer.issuer,
        "vct": "urn:test",
        "address": Sd({"city": Sd("Seoul"), "street": Sd("월드컵북로")}),
        "languages": [Sd("ko"), Sd("en"), "ja"],
    }
    issued = issue_sd_jwt(claims, issuer_key=world.issuer.key, holder_jwk=world.holder.public.jwk, decoys=1)
    shown = present(
        issued.sd_jwt, disclose=["city", "languages"], holder_key=world.holder, aud=AUD, nonce="n-1", now=NOW
    )
    result = _verify(world, shown)
    assert result.valid, result.reason
    assert dict(result.disclosed_claims) == {"address": {"city": "Seoul"}, "languages": ["ko", "en", "ja"]}


def test_an_object_disclosure_placed_in_an_array_is_refused(world: WalletWorld) -> None:
    wrong_shape = make_disclosure("lang", "ko")
    header, payload, _ = _jwt_parts(world.credential.sd_jwt)
    payload["languages"] = [{"...": wrong_shape.digest}]
    result = _verify(
        world,
        _resign(world, header, payload, f"{wrong_shape.encoded}~"),
        policy=VerifierPolicy(require_key_binding=False),
    )
    assert result.failed_check == "bad_disclosure"


def test_a_presentation_without_key_binding_is_refused_when_policy_requires_it(world: WalletWorld) -> None:
    unbound = present(
        world.credential.sd_jwt, disclose=["age_over_19"], holder_key=None, aud=AUD, nonce="x", now=NOW
    )
    result = _verify(world, unbound)
    assert result.failed_check == "key_binding"
    assert result.reason == "the holder's proof is missing or wrong (no key binding)"


def test_a_key_binding_signed_by_someone_else_is_refused(world: WalletWorld) -> None:
    result = _verify(world, _present(world, holder_key=generate_signing_key()))
    assert result.failed_check == "key_binding"
    assert "not signed by the holder's key" in result.reason


def test_a_key_binding_for_another_verifier_is_refused(world: WalletWorld) -> None:
    result = _verify(world, _present(world, aud="jigap:verifier:someone-else"))
    assert result.failed_check == "key_binding"
    assert "another verifier" in result.reason


def test_a_key_binding_with_a_stale_sd_hash_is_refused(world: WalletWorld) -> None:
    shown = _present(world, disclose=("age_over_19", "name"))
    parts = split_sd_jwt(shown)
    trimmed = f"{parts.issuer_jwt}~{parts.disclosures[0]}~{parts.kb_jwt}"
    result = _verify(world, trimmed)
    assert result.failed_check == "key_binding"
    assert "sd_hash" in result.reason


def test_a_key_binding_jwt_with_the_wrong_typ_is_refused(world: WalletWorld) -> None:
    parts = split_sd_jwt(_present(world))
    kb_payload = json.loads(b64url_decode(parts.kb_jwt.split(".")[1]))  # type: ignore[union-attr]
    wrong = sign_compact({"typ": "JWT"}, kb_payload, world.holder)
    result = _verify(world, parts.sd_hash_input + wrong)
    assert result.failed_check == "key_binding"
    assert "typ" in result.reason


def test_a_qr_photographed_and_shown_five_minutes_later_has_expired(world: WalletWorld) -> None:
    result = _verify(world, _present(world), now=NOW + timedelta(minutes=5))
    assert result.failed_check == "presentation_expired"
    assert result.reason == "this code has expired"


def test_a_key_binding_from_the_future_is_refused(world: WalletWorld) -> None:
    result = _verify(world, _present(world, now=NOW + timedelta(minutes=10)))
    assert result.failed_check == "key_binding"


def test_the_same_presentation_twice_is_refused_as_already_used(world: WalletWorld) -> None:
    store = MemoryNonceStore()
    shown = _present(world, nonce="once-only")
    assert _verify(world, shown, expected_nonce=None, nonce_store=store).valid
    again = _verify(world, shown, expected_nonce=None, nonce_store=store)
    assert again.failed_check == "replayed"
    assert again.reason == "this code was already used"


def test_a_refused_presentation_does_not_burn_the_nonce(world: WalletWorld) -> None:
    store = MemoryNonceStore()
    assert (
        _verify(
            world, _present(world, nonce="keep"), expected_aud="other", expected_nonce=None, nonce_store=store
        ).failed_check
        == "key_binding"
    )
    assert _verify(world, _present(world, nonce="keep"), expected_nonce=None, nonce_store=store).valid


def _status(answer: StatusCheck):  # type: ignore[no-untyped-def]
    def lookup(reference: StatusReference, issuer: TrustedIssuer) -> StatusCheck:
        assert reference == StatusReference(7, "https://rta.example.kr/status/1")
        return answer

    return lookup


def test_a_revoked_credential_says_when_and_by_whom(world: WalletWorld) -> None:
    revoked = _status(StatusCheck(CredentialStatus.INVALID, datetime(2026, 11, 2, 3, 0, tzinfo=UTC)))
    result = _verify(world, _present(world), status=revoked)
    assert result.failed_check == "revoked"
    assert result.reason == "revoked on 2026-11-02 by Road Traffic Authority"
    assert dict(result.reason_params) == {"issuer_name": "Road Traffic Authority", "revoked_on": "2026-11-02",
                                          "revoked_at": "2026-11-02T03:00:00+00:00"}  # shown in the reader's zone


def test_a_suspended_credential_is_not_valid(world: WalletWorld) -> None:
    result = _verify(world, _present(world), status=_status(StatusCheck(CredentialStatus.SUSPENDED)))
    assert result.failed_check == "suspended"
    assert result.reason == "suspended by Road Traffic Authority"


def test_a_status_list_that_cannot_be_fetched_makes_the_status_unavailable(world: WalletWorld) -> None:
    def broken(reference: StatusReference, issuer: TrustedIssuer) -> StatusCheck:
        raise ConnectionError("issuer offline")

    result = _verify(world, _present(world), status=broken)
    assert result.failed_check == "status_unavailable"


def test_a_verifier_that_requires_status_refuses_when_it_has_no_lookup(world: WalletWorld) -> None:
    result = _verify(world, _present(world), policy=VerifierPolicy(require_status=True))
    assert result.failed_check == "status_unavailable"


def test_a_valid_status_is_reported_in_the_result(world: WalletWorld) -> None:
    result = _verify(world, _present(world), status=_status(StatusCheck(CredentialStatus.VALID)))
    assert result.valid and result.status is CredentialStatus.VALID


def test_a_naive_now_is_a_programming_error_not_a_verdict(world: WalletWorld) -> None:
    from wallet.errors import NaiveDatetime

    with pytest.raises(NaiveDatetime):
        verify_presentation(_present(world), issuers=world.issuers, now=datetime(2026, 11, 25, 12, 4))


def test_an_issuer_lookup_that_fails_means_the_issuer_is_not_trusted(world: WalletWorld) -> None:
    def broken(issuer: str) -> TrustedIssuer | None:
        raise TimeoutError("registry unavailable")

    assert _verify(world, _present(world), issuers=broken).failed_check == "untrusted_issuer"


def test_claims_that_json_cannot_carry_are_an_issuance_error(world: WalletWorld) -> None:
    from wallet.errors import IssuanceError

    with pytest.raises(IssuanceError):
        issue_sd_jwt({"iss": "x", "when": Sd(datetime(2026, 1, 1, tzinfo=UTC))}, issuer_key=world.issuer.key)
    with pytest.raises(IssuanceError):
        issue_sd_jwt({"iss": "x", "score": float("nan")}, issuer_key=world.issuer.key)


def test_a_thirty_second_qr_is_accepted_at_thirty_seconds_and_refused_a_little_later(
    world: WalletWorld,
) -> None:
    shown = _present(world)
    assert _verify(world, shown, now=NOW + timedelta(seconds=30)).valid
    assert _verify(world, shown, now=NOW + timedelta(seconds=40)).failed_check == "presentation_expired"


def test_the_verifier_accepts_the_dense_qr_form_of_a_presentation(world: WalletWorld) -> None:
    from wallet.qr_payload import encode_qr_payload

    dense = encode_qr_payload(_present(world))
    result = _verify(world, dense)
    assert result.valid
    broken = _verify(world, dense[:-3] + ("AAA" if dense[-3:] != "AAA" else "BBB"))
    assert broken.failed_check == "malformed"


def test_a_caller_with_an_async_nonce_store_can_turn_a_valid_result_into_replayed(world: WalletWorld) -> None:
    from wallet.verifier import as_replayed

    result = _verify(world, _present(world))
    replayed = as_replayed(result)
    assert result.valid and not replayed.valid
    assert replayed.failed_check == "replayed" and replayed.reason == "this code was already used"
    assert replayed.disclosed_claims == {} and replayed.issuer_name == "Road Traffic Authority"
