"""Property tests on structure: nested and array disclosures, status list packing, and signed
payloads of any shape never crashing the verifier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.holder import present
from wallet.jws import sign_compact
from wallet.keys import generate_signing_key
from wallet.sd_jwt import Sd, issue_sd_jwt
from wallet.status_list import StatusList
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import VerifierPolicy, verify_presentation

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
ISSUER = generate_signing_key()
HOLDER = generate_signing_key()
TRUSTED = TrustedIssuers([TrustedIssuer("https://issuer.example", "Issuer", (ISSUER.public,))])
NAMES = st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])
LEAVES = st.one_of(st.integers(-5, 5), st.text(max_size=4), st.booleans(), st.none())


def _claims(depth: int) -> st.SearchStrategy[Any]:
    """Objects whose members may be Sd(...)-wrapped, arrays whose elements may be Sd(...)."""
    if depth == 0:
        return LEAVES
    inner = _claims(depth - 1)
    member = st.one_of(inner, inner.map(Sd))
    objects = st.dictionaries(NAMES, member, max_size=4)
    arrays = st.lists(st.one_of(inner, inner.map(Sd)), max_size=3)
    return st.one_of(LEAVES, objects, arrays)


def _unwrap(value: Any) -> Any:
    if isinstance(value, Sd):
        return _unwrap(value.value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, st.one_of(_claims(2), _claims(2).map(Sd)), max_size=5), st.sets(NAMES))
def test_nested_and_array_disclosures_verify_for_any_choice_of_names(
    claims: dict[str, Any], chosen: set[str]
) -> None:
    body = {"iss": "https://issuer.example", "vct": "urn:test", "claims": claims}
    issued = issue_sd_jwt(body, issuer_key=ISSUER, holder_jwk=HOLDER.public.jwk, decoys=1)
    everything = present(issued.sd_jwt, disclose={"claims"}, holder_key=HOLDER, aud="v", nonce="n", now=NOW)
    full = verify_presentation(everything, issuers=TRUSTED, now=NOW, expected_aud="v", expected_nonce="n")
    assert full.valid, full.reason
    assert full.disclosed_claims["claims"] == _unwrap(claims)
    partial = present(
        issued.sd_jwt, disclose=chosen & _names_in(claims), holder_key=HOLDER, aud="v", nonce="n", now=NOW
    )
    assert verify_presentation(partial, issuers=TRUSTED, now=NOW, expected_aud="v", expected_nonce="n").valid


def _names_in(value: Any) -> set[str]:
    if isinstance(value, Sd):
        return _names_in(value.value)
    if isinstance(value, dict):
        return set(value) | {n for v in value.values() for n in _names_in(v)}
    if isinstance(value, list):
        return {n for v in value for n in _names_in(v)}
    return set()


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.dictionaries(st.integers(0, 255), st.integers(0, 255), max_size=40))
def test_a_status_list_round_trips_through_its_compressed_claim(bits: int, updates: dict[int, int]) -> None:
    statuses = StatusList.empty(size=256, bits=bits)
    expected = [0] * 256
    for idx, status in updates.items():
        value = status % (1 << bits)
        statuses = statuses.with_status(idx, value)
        expected[idx] = value
    decoded = StatusList.from_claim(statuses.to_claim())
    assert [decoded.get(i) for i in range(256)] == expected


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=8),
        st.sampled_from(["_sd", "...", "sha-256"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["_sd", "...", "_sd_alg", "x", "cnf"]), children, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    JSON,
    st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=30),
        max_size=3,
    ),
)
def test_a_signed_payload_of_any_shape_gives_a_result_never_an_exception(
    extra: Any, disclosures: list[str]
) -> None:
    payload = {"iss": "https://issuer.example", "vct": "urn:test", "body": extra, "_sd": extra}
    jwt = sign_compact({"typ": "dc+sd-jwt"}, payload, ISSUER)
    text = jwt + "~" + "".join(f"{d}~" for d in disclosures if d)
    result = verify_presentation(
        text, issuers=TRUSTED, now=NOW, policy=VerifierPolicy(require_key_binding=False)
    )
    assert result.valid in (True, False)
    if not result.valid:
        assert result.failed_check is not None and result.reason
