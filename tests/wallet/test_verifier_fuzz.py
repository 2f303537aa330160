"""Malformed and mutated presentations never crash the verifier and are never taken as valid.

A crash is an exception escaping `verify_presentation`, a verdict given by its last line of
defence (an exception no check expected), or a verdict that cannot be written as UTF-8 JSON.
Mutations that leave the signed bytes as they were (a non-canonical base64url tail, whitespace
around the text, bytes after the end of a QR payload's zlib stream) are refused too: a
presentation has one spelling.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.wallet.forge import AUD, NONCE, NOW, Forge, disclosure_text
from tests.wallet.mutations import (
    CHARACTERS,
    KINDS,
    Mutation,
    b64url_decode_lenient,
    crash_of,
    odd_cases,
    verify,
)
from wallet.encoding import MAX_DEPTH, b64url_decode, b64url_encode
from wallet.qr_payload import encode_qr_payload
from wallet.verifier import MemoryNonceStore, VerificationResult, verify_presentation

FORGE = Forge.fresh()
ES256 = Forge.fresh("ES256")
SHOWN = {forge.issuer.alg: forge.present(forge.credential()) for forge in (FORGE, ES256)}
ODD = odd_cases()

mutations = st.builds(
    Mutation,
    st.sampled_from(KINDS),
    st.integers(min_value=0, max_value=1 << 16),
    st.sampled_from(CHARACTERS),
    st.integers(min_value=0, max_value=1 << 16),
)


def test_the_presentations_the_mutations_start_from_are_valid() -> None:
    assert verify(SHOWN["EdDSA"], FORGE).valid
    assert verify(SHOWN["ES256"], ES256).valid
    assert verify(encode_qr_payload(SHOWN["EdDSA"]), FORGE).valid


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations, st.sampled_from(["EdDSA", "ES256"]))
def test_no_mutated_presentation_crashes_the_verifier_or_is_accepted(mutation: Mutation, alg: str) -> None:
    forge = FORGE if alg == "EdDSA" else ES256
    mutated = mutation.apply(SHOWN[alg])
    assert crash_of(mutated, forge) is None
    result = verify(mutated, forge)
    assert not result.valid, mutation
    assert result.disclosed_claims == {}


@pytest.mark.parametrize("name", sorted(ODD))
def test_no_presentation_signed_with_odd_claims_crashes_the_verifier_or_is_accepted(name: str) -> None:
    presentation = ODD[name](FORGE)
    assert crash_of(presentation, FORGE) is None
    assert not verify(presentation, FORGE).valid


@pytest.mark.parametrize("kind", ["whitespace", "non_canonical_tail", "qr_append"])
def test_a_second_spelling_of_the_same_signed_bytes_is_refused(kind: str) -> None:
    for at in range(8):
        respelt = Mutation(kind, at, " ", at).apply(SHOWN["EdDSA"])
        assert respelt != SHOWN["EdDSA"]
        result = verify(respelt, FORGE)
        # Refused as it is read: a re-spelt disclosure is no longer the one its digest names, and a
        # re-spelt KB-JWT is a malformed key binding.
        assert not result.valid and result.failed_check in ("malformed", "bad_disclosure", "key_binding"), respelt
        assert result.failed_check != "key_binding" or result.reason_params["detail"] == "the key binding JWT is malformed"


def test_a_non_canonical_tail_decodes_to_the_same_bytes_a_lax_decoder_would_accept() -> None:
    piece = SHOWN["EdDSA"].split("~")[0].split(".")[2]  # the issuer's signature, 86 characters
    respelt = Mutation("non_canonical_tail", 0, "A", 0).apply(piece)
    assert respelt != piece and b64url_decode_lenient(respelt) == b64url_decode_lenient(piece)


def test_nesting_deeper_than_the_limit_is_malformed_and_the_limit_itself_is_fine() -> None:
    def nested(depth: int) -> str:
        # The disclosure array is one level, the value the rest.
        inner = "[" * (depth - 1) + "]" * (depth - 1)
        return FORGE.present(FORGE.credential(disclosures=[disclosure_text(f'["c2FsdA","deep",{inner}]')]))

    assert verify(nested(MAX_DEPTH), FORGE).valid
    result = verify(nested(MAX_DEPTH + 1), FORGE)
    assert (result.failed_check, result.reason_params["detail"]) == ("bad_disclosure", "a disclosure is not base64url JSON")


@pytest.mark.parametrize("status", ["null", '{"status_list": {"idx": 18446744073709551616, "uri": "https://a.example/1"}}'])
def test_a_status_claim_of_the_wrong_shape_is_malformed_even_when_no_status_is_checked(status: str) -> None:
    shown = ODD["status=null"](FORGE) if status == "null" else FORGE.present(FORGE.credential(raw={"status": status}))
    result = verify(shown, FORGE)
    assert result.failed_check == "malformed"
    assert result.reason_params["detail"].startswith("status")



def test_a_mirrored_es256_key_binding_signature_is_the_same_proof_and_its_nonce_still_spends_once() -> None:
    # ECDSA signs twice over: (r, s) and (r, n - s) both hold for the same bytes. Issuers' and
    # holders' libraries write either, so both are accepted; the issuer's signature is covered by
    # the KB-JWT's sd_hash, and what the KB-JWT proves (holder, audience, nonce) is in its signed
    # bytes, so the mirror is a second spelling of the same proof that spends the same nonce.
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # the order of P-256
    shown = SHOWN["ES256"]
    head, signature = shown.rsplit(".", 1)
    raw = b64url_decode(signature)
    mirrored = f"{head}.{b64url_encode(raw[:32] + (n - int.from_bytes(raw[32:], 'big')).to_bytes(32, 'big'))}"
    assert mirrored != shown and verify(mirrored, ES256).valid
    store = MemoryNonceStore()
    assert _verify_once(shown, store).valid
    again = _verify_once(mirrored, store)
    assert (again.valid, again.failed_check) == (False, "replayed")


def _verify_once(presentation: str, store: MemoryNonceStore) -> VerificationResult:
    return verify_presentation(
        presentation, issuers=ES256.trusted, now=NOW, expected_aud=AUD, expected_nonce=NONCE, nonce_store=store
    )
