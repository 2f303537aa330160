"""Keys are found by the `kid` their JWKS declares (by their RFC 7638 thumbprint when they declare
none), for credentials and status list tokens; a header naming a kid no trusted key has is refused
saying so. The KB-JWT is checked against the holder's `cnf` key whatever kid it names."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.wallet.forge import AUD, ISS, NONCE, NOW, Forge
from wallet.errors import StatusListError
from wallet.jws import sign_compact
from wallet.keys import jwk_thumbprint
from wallet.status_list import (
    STATUS_LIST_TYP,
    StatusList,
    StatusListCache,
    StatusReference,
    verify_status_list,
)
from wallet.trust import TrustedIssuer, TrustedIssuers, trusted_issuer_from_metadata
from wallet.verifier import VerificationResult, verify_presentation

DECLARED = "rta-2026-signing-1"
STATUS_URI = "https://rta.example.kr/status/1"


@pytest.fixture(scope="module")
def forge() -> Forge:
    return Forge.fresh()


def _issuer_declaring(forge: Forge, kid: str | None) -> TrustedIssuer:
    """The issuer as its metadata describes it: its JWKS names the key `kid` (or names it not at all)."""
    entry = dict(forge.issuer.public.jwk) | ({"kid": kid} if kid is not None else {})
    metadata = {"issuer": ISS, "name": "Road Traffic Authority", "jwks": {"keys": [entry]}}
    return trusted_issuer_from_metadata(ISS, metadata)


def _verify(presentation: str, issuer: TrustedIssuer, **kw: object) -> VerificationResult:
    return verify_presentation(
        presentation,
        issuers=TrustedIssuers([issuer]),
        now=NOW,
        expected_aud=AUD,
        expected_nonce=NONCE,
        **kw,  # type: ignore[arg-type]
    )


def _signed_under(forge: Forge, kid: str) -> str:
    header = {"typ": "dc+sd-jwt", "alg": forge.issuer.alg, "kid": kid}
    return forge.present(forge.credential(header=header))


def test_a_credential_signed_under_the_kid_its_jwks_declares_is_valid(forge: Forge) -> None:
    result = _verify(_signed_under(forge, DECLARED), _issuer_declaring(forge, DECLARED))
    assert result.valid, result.reason


def test_a_key_that_declares_no_kid_is_found_by_its_thumbprint(forge: Forge) -> None:
    thumbprint = jwk_thumbprint(forge.issuer.public.jwk)
    result = _verify(_signed_under(forge, thumbprint), _issuer_declaring(forge, None))
    assert result.valid, result.reason


def test_a_kid_that_no_trusted_key_has_is_refused_saying_which(forge: Forge) -> None:
    result = _verify(_signed_under(forge, "rta-2019-retired"), _issuer_declaring(forge, DECLARED))
    assert result.failed_check == "untrusted_issuer"
    assert result.reason_params["detail"] == "no key with kid rta-2019-retired"
    assert result.reason == f"the issuer {ISS} is not trusted (no key with kid rta-2019-retired)"


def test_a_key_declaring_a_kid_is_not_found_by_its_thumbprint(forge: Forge) -> None:
    thumbprint = jwk_thumbprint(forge.issuer.public.jwk)
    result = _verify(_signed_under(forge, thumbprint), _issuer_declaring(forge, DECLARED))
    assert result.failed_check == "untrusted_issuer"
    assert result.reason_params["detail"] == f"no key with kid {thumbprint}"


def test_the_key_binding_jwt_is_checked_against_the_cnf_key_whatever_kid_it_names(forge: Forge) -> None:
    kb_header = {"typ": "kb+jwt", "alg": forge.holder.alg, "kid": "not-a-key-anyone-published"}
    shown = forge.present(forge.credential(), header=kb_header)
    assert _verify(shown, _issuer_declaring(forge, None)).valid
    stranger = Forge.fresh()
    forged = Forge(forge.issuer, stranger.holder).present(forge.credential(), header=kb_header)
    refused = _verify(forged, _issuer_declaring(forge, None))
    assert refused.failed_check == "key_binding"
    assert refused.reason_params["detail"] == "not signed by the holder's key"


def _status_token(forge: Forge, kid: str) -> str:
    payload = {
        "sub": STATUS_URI,
        "iss": ISS,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(days=1)).timestamp()),
        "ttl": 300,
        "status_list": StatusList.empty(64).to_claim(),
    }
    return sign_compact({"typ": STATUS_LIST_TYP, "kid": kid}, payload, forge.issuer)


def test_a_status_list_token_signed_under_its_declared_kid_verifies(forge: Forge) -> None:
    token = verify_status_list(
        _status_token(forge, DECLARED), uri=STATUS_URI, issuer=_issuer_declaring(forge, DECLARED), now=NOW
    )
    assert token.status_list.get(3) == 0


def test_a_status_list_token_naming_an_unknown_kid_says_which(forge: Forge) -> None:
    with pytest.raises(StatusListError, match="no key with kid rta-status-old"):
        verify_status_list(
            _status_token(forge, "rta-status-old"),
            uri=STATUS_URI,
            issuer=_issuer_declaring(forge, DECLARED),
            now=NOW,
        )


def test_a_status_check_against_a_token_of_an_unknown_kid_is_unavailable_and_says_why(forge: Forge) -> None:
    reference = StatusReference(3, STATUS_URI).to_claim()
    header = {"typ": "dc+sd-jwt", "alg": forge.issuer.alg, "kid": DECLARED}
    shown = forge.present(forge.credential({"status": reference}, header=header))
    lookup = StatusListCache(fetch=lambda uri: _status_token(forge, "rta-status-old"), clock=lambda: NOW)
    result = _verify(shown, _issuer_declaring(forge, DECLARED), status=lookup)
    assert result.failed_check == "status_unavailable"
    assert result.reason_params["detail"] == "no key with kid rta-status-old"
    lookup = StatusListCache(fetch=lambda uri: _status_token(forge, DECLARED), clock=lambda: NOW)
    assert _verify(shown, _issuer_declaring(forge, DECLARED), status=lookup).status == 0
