"""Token Status List: bit packing, signed tokens, and a cache that honours ttl."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest

from wallet.encoding import b64url_decode
from wallet.errors import MalformedInput, StatusListError, StatusUnavailable
from wallet.jws import parse_compact, sign_compact
from wallet.keys import generate_signing_key
from wallet.status_list import (
    CredentialStatus,
    StatusList,
    StatusListCache,
    StatusReference,
    sign_status_list,
    verify_status_list,
)
from wallet.trust import TrustedIssuer

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
URI = "https://rta.example.kr/status/1"
KEY = generate_signing_key()
ISSUER = TrustedIssuer("https://rta.example.kr", "Road Traffic Authority", (KEY.public,))


def test_two_bit_entries_pack_least_significant_bits_first() -> None:
    statuses = (
        StatusList.empty(size=8).with_status(0, 1).with_status(1, 2).with_status(3, 3).with_status(7, 1)
    )
    assert statuses.packed == bytes([0b11001001, 0b01000000])
    assert [statuses.get(i) for i in range(8)] == [1, 2, 0, 3, 0, 0, 0, 1]


def test_the_lst_claim_is_base64url_of_zlib_of_the_bits() -> None:
    statuses = StatusList.empty(size=16).with_status(5, CredentialStatus.SUSPENDED)
    claim = statuses.to_claim()
    assert claim["bits"] == 2
    assert zlib.decompress(b64url_decode(claim["lst"])) == statuses.packed
    assert StatusList.from_claim(claim) == statuses


def test_a_signed_status_list_token_has_the_ietf_shape() -> None:
    token = sign_status_list(StatusList.empty(), uri=URI, issuer=ISSUER.issuer, key=KEY, now=NOW)
    jws = parse_compact(token)
    assert jws.typ == "statuslist+jwt"
    assert jws.payload["sub"] == URI
    assert jws.payload["ttl"] == 300
    assert jws.payload["exp"] > jws.payload["iat"]


def test_a_token_signed_by_another_key_is_refused() -> None:
    stranger = generate_signing_key()
    token = sign_status_list(StatusList.empty(), uri=URI, issuer=ISSUER.issuer, key=stranger, now=NOW)
    with pytest.raises(StatusListError, match=f"no key with kid {stranger.kid}"):
        verify_status_list(token, uri=URI, issuer=ISSUER, now=NOW)
    # Under the issuer's own kid, the stranger's signature is what gives it away.
    header, payload = parse_compact(token).header, parse_compact(token).payload
    forged = sign_compact({**header, "kid": KEY.kid}, payload, stranger)
    with pytest.raises(StatusListError, match="signature"):
        verify_status_list(forged, uri=URI, issuer=ISSUER, now=NOW)


@pytest.mark.parametrize("idx", [-1, 2**27, 2**64, True, 1.0, "3"])
def test_a_status_index_outside_any_list_is_malformed(idx: object) -> None:
    with pytest.raises(MalformedInput, match="idx"):
        StatusReference.from_claim({"status_list": {"idx": idx, "uri": URI}})
    assert StatusReference.from_claim({"status_list": {"idx": 2**27 - 1, "uri": URI}}).idx == 2**27 - 1


def test_a_token_for_another_list_or_past_its_exp_is_refused() -> None:
    token = sign_status_list(StatusList.empty(), uri=URI, issuer=ISSUER.issuer, key=KEY, now=NOW)
    with pytest.raises(StatusListError, match="another list"):
        verify_status_list(token, uri=URI + "0", issuer=ISSUER, now=NOW)
    with pytest.raises(StatusListError, match="expired"):
        verify_status_list(token, uri=URI, issuer=ISSUER, now=NOW + timedelta(days=2))


def test_an_index_outside_the_list_is_an_error_not_a_silent_valid() -> None:
    with pytest.raises(StatusListError):
        StatusList.empty(size=4).get(4)


class _Publisher:
    """The issuer's side: serves the current token and counts fetches."""

    def __init__(self) -> None:
        self.statuses = StatusList.empty(size=64)
        self.fetches = 0
        self.now = NOW

    def fetch(self, uri: str) -> str:
        self.fetches += 1
        return sign_status_list(
            self.statuses, uri=uri, issuer=ISSUER.issuer, key=KEY, now=self.now, ttl=timedelta(minutes=5)
        )


def test_the_cache_reuses_a_token_within_its_ttl_and_refetches_after() -> None:
    publisher = _Publisher()
    clock = {"now": NOW}
    cache = StatusListCache(fetch=publisher.fetch, clock=lambda: clock["now"])
    ref = StatusReference(9, URI)
    assert cache(ref, ISSUER).status == CredentialStatus.VALID
    publisher.statuses = publisher.statuses.with_status(9, CredentialStatus.INVALID)
    clock["now"] = NOW + timedelta(minutes=4)
    assert cache(ref, ISSUER).status == CredentialStatus.VALID  # still within ttl
    assert publisher.fetches == 1
    clock["now"] = NOW + timedelta(minutes=6)
    publisher.now = clock["now"]
    assert cache(ref, ISSUER).status == CredentialStatus.INVALID
    assert publisher.fetches == 2


def test_a_fetch_failure_surfaces_as_status_unavailable() -> None:
    def offline(uri: str) -> str:
        raise OSError("no route to host")

    cache = StatusListCache(fetch=offline, clock=lambda: NOW)
    with pytest.raises(StatusUnavailable):
        cache(StatusReference(0, URI), ISSUER)
