"""Signed claims of the wrong kind are refused with a named check, never taken as valid.

`iat`, `exp` and `nbf` are RFC 7519 NumericDates: a JSON number of seconds since the epoch, not a
bool, text or array; here also not negative and not past the year 9999. SD-JWT VC requires `iss`
and `vct` as non-empty strings. A KB-JWT needs a NumericDate `iat` and string `aud` and `nonce`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.wallet.forge import AUD, DROP, NONCE, NOW, Forge, disclosure_text
from wallet.trust import TrustedIssuers
from wallet.verifier import VerificationResult, VerifierPolicy, verify_presentation

FORGE = Forge.fresh()
# As JSON text: some of these (a 400-digit number) have no Python spelling json.dumps would write.
NOT_NUMERIC_DATES = [
    "true",
    "false",
    "null",
    '""',
    f'"{int(NOW.timestamp())}"',
    "[]",
    "{}",
    f"[{int(NOW.timestamp())}]",
    "1e308",
    "-1",
    "-100000000000000000000",
    "100000000000000000000",
    "18446744073709551616",
    "9" * 400,
]


def _verify(presentation: str, **kw: Any) -> VerificationResult:
    args: dict[str, Any] = {"issuers": FORGE.trusted, "now": NOW, "expected_aud": AUD, "expected_nonce": NONCE}
    return verify_presentation(presentation, **(args | kw))


def _refused(result: VerificationResult, check: str, detail: str) -> None:
    assert not result.valid, f"accepted: {result.to_json()}"
    assert (result.failed_check, result.reason_params.get("detail")) == (check, detail)
    assert result.disclosed_claims == {}


@pytest.mark.parametrize("claim", ["iat", "exp", "nbf"])
@pytest.mark.parametrize("value", NOT_NUMERIC_DATES)
def test_a_credential_time_that_is_not_a_numeric_date_is_malformed(claim: str, value: str) -> None:
    shown = FORGE.present(FORGE.credential({claim: DROP}, raw={claim: value}))
    _refused(_verify(shown), "malformed", f"{claim} is not a NumericDate")


@pytest.mark.parametrize("value", NOT_NUMERIC_DATES)
def test_a_key_binding_iat_that_is_not_a_numeric_date_is_refused_as_key_binding(value: str) -> None:
    shown = FORGE.present(FORGE.credential(), {"iat": DROP}, raw={"iat": value})
    _refused(_verify(shown), "key_binding", "iat is not a NumericDate")


@pytest.mark.parametrize("value", ["1e999", "-1e999"])
def test_a_number_too_large_for_a_float_is_refused_wherever_it_is_signed(value: str) -> None:
    # Read as infinity it could never be written back out as JSON: refused as the JSON is read.
    in_credential = FORGE.present(FORGE.credential({"exp": DROP}, raw={"exp": value}))
    _refused(_verify(in_credential), "malformed", "a JSON number is too large")
    in_key_binding = FORGE.present(FORGE.credential(), {"iat": DROP}, raw={"iat": value})
    _refused(_verify(in_key_binding), "key_binding", "the key binding JWT is malformed")
    shown = FORGE.present(FORGE.credential(disclosures=[disclosure_text(f'["c2FsdA","weight",{value}]')]))
    _refused(_verify(shown), "bad_disclosure", "a disclosure is not base64url JSON")


@pytest.mark.parametrize("where", ["iss", "vct", "claim name", "claim value"])
def test_a_lone_surrogate_is_refused_not_carried_to_the_screen(where: str) -> None:
    if where in ("iss", "vct"):
        shown = FORGE.present(FORGE.credential({where: DROP}, raw={where: '"rta\\ud800"'}))
        _refused(_verify(shown), "malformed", "JSON text carries a lone surrogate")
        return
    content = '["c2FsdA","\\udc00",1]' if where == "claim name" else '["c2FsdA","name","\\ud800"]'
    shown = FORGE.present(FORGE.credential(disclosures=[disclosure_text(content)]))
    _refused(_verify(shown), "bad_disclosure", "a disclosure is not base64url JSON")


@pytest.mark.parametrize("fraction", [0.25, 0])
def test_integer_and_fractional_numeric_dates_are_both_accepted(fraction: float) -> None:
    value = NOW.timestamp() - 1 + fraction
    shown = FORGE.present(FORGE.credential({"iat": value, "nbf": 0}), {"iat": value})
    assert _verify(shown).valid


@pytest.mark.parametrize("claim", ["iss", "vct"])
@pytest.mark.parametrize("value", ["", 7, True, None, [], ["https://rta.example.kr"], {}, DROP])
def test_a_credential_without_a_usable_iss_or_vct_is_malformed(claim: str, value: object) -> None:
    shown = FORGE.present(FORGE.credential({claim: value}))
    _refused(_verify(shown), "malformed", f"{claim} must be a non-empty string")


@pytest.mark.parametrize("value", ["", 7, None, DROP])
def test_an_empty_iss_is_refused_even_by_a_verifier_that_vouches_for_any_issuer_with_these_keys(
    value: object,
) -> None:
    from wallet.keys import build_jwks

    anyone = TrustedIssuers.trust_any_issuer_with(json.dumps(build_jwks([FORGE.issuer.public])))
    shown = FORGE.present(FORGE.credential({"iss": value}))
    _refused(_verify(shown, issuers=anyone), "malformed", "iss must be a non-empty string")


def test_a_verifier_that_does_not_require_vct_still_refuses_a_vct_of_the_wrong_kind() -> None:
    relaxed = VerifierPolicy(require_vct=False)
    assert _verify(FORGE.present(FORGE.credential({"vct": DROP})), policy=relaxed).valid
    _refused(
        _verify(FORGE.present(FORGE.credential({"vct": 7})), policy=relaxed),
        "malformed",
        "vct must be a non-empty string",
    )


@pytest.mark.parametrize("claim", ["aud", "nonce"])
@pytest.mark.parametrize("value", ["", 7, True, None, [], ["x"], {}, DROP])
def test_a_key_binding_aud_or_nonce_that_is_not_a_non_empty_string_is_refused(claim: str, value: object) -> None:
    shown = FORGE.present(FORGE.credential(), {claim: value})
    # Without an expected value the type alone must refuse it.
    result = _verify(shown, expected_aud=None, expected_nonce=None)
    _refused(result, "key_binding", f"{claim} must be a non-empty string")
