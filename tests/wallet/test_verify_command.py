"""`jigap verify` (its `main`, with the command's own stdin, stdout and exit code) against presentations made by the IETF reference
implementation (PyPI `sd-jwt`): accepted when nonce and audience match; tampered, expired,
replayed, unbound and wrongly-bound ones are refused with the right reason."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer

from bot.commands.verify import main as verify_main
from wallet.images.qr import presentation_qr_png
from wallet.keys import SigningKey, build_jwks, generate_signing_key

ROOT = Path(__file__).resolve().parents[2]
NONCE, AUD = "n-7f3a", "https://bar-haneul.example"


def _jwcrypto(key: SigningKey) -> JWK:
    return JWK(**key.to_private_jwk())


def _reference_sd_jwt(issuer: SigningKey, holder: SigningKey, *, exp: int | None = None) -> str:
    now = int(time.time())
    claims: dict[Any, Any] = {
        "iss": "https://rta.example.kr",
        "vct": "urn:jigap:card:driver_license:1",
        "iat": now,
        "exp": exp if exp is not None else now + 3600,
        SDObj("name"): "김민지",
        SDObj("age_over_19"): True,
        SDObj("license_number"): "11-24-123456-78",
    }
    made = SDJWTIssuer(
        claims,
        _jwcrypto(issuer),
        holder_key=_jwcrypto(holder),
        sign_alg=issuer.alg,
        extra_header_parameters={"typ": "dc+sd-jwt"},
    )
    return str(made.sd_jwt_issuance)


def _reference_presentation(
    sd_jwt: str, holder: SigningKey | None, *, nonce: str = NONCE, aud: str = AUD
) -> str:
    wallet = SDJWTHolder(sd_jwt)
    if holder is None:
        wallet.create_presentation({"age_over_19": True})
    else:
        wallet.create_presentation(
            {"age_over_19": True}, nonce=nonce, aud=aud, holder_key=_jwcrypto(holder), sign_alg=holder.alg
        )
    return str(wallet.sd_jwt_presentation)


def _jigap_verify(
    tmp_path: Path, issuer: SigningKey, *args: str, stdin: str | None = None
) -> tuple[int, dict[str, Any]]:
    jwks = tmp_path / "issuer.jwks.json"
    jwks.write_text(json.dumps(build_jwks([issuer.public])))
    code, stdout, stderr = _verify_command([*args, "--issuer-jwks", str(jwks)], stdin=stdin)
    return code, json.loads(stdout) if stdout.strip() else {"stderr": stderr}


def _verify_command(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `jigap verify ARGS`, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = verify_main(args)
            except SystemExit as stopped:  # argparse's usage errors
                code = int(stopped.code or 0)
    finally:
        sys.stdin = saved_stdin
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module", params=["EdDSA", "ES256"])
def both_algs(request: pytest.FixtureRequest) -> tuple[SigningKey, SigningKey]:
    return generate_signing_key(request.param), generate_signing_key(request.param)


@pytest.fixture(scope="module")
def keys() -> tuple[SigningKey, SigningKey]:
    return generate_signing_key(), generate_signing_key()


def test_a_reference_presentation_with_matching_nonce_and_audience_is_valid(
    tmp_path: Path, both_algs: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = both_algs
    shown = _reference_presentation(_reference_sd_jwt(issuer, holder), holder)
    code, out = _jigap_verify(tmp_path, issuer, shown, "--nonce", NONCE, "--aud", AUD)
    assert code == 0, out
    assert out["verdict"] == "valid" and out["failed_check"] is None
    assert out["issuer"] == "https://rta.example.kr"
    assert out["type"] == "urn:jigap:card:driver_license:1"
    assert out["disclosed_claims"] == {"age_over_19": True}


def test_a_tampered_reference_presentation_is_refused(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = keys
    shown = _reference_presentation(_reference_sd_jwt(issuer, holder), holder)
    jwt, disclosure, kb = shown.split("~")
    # Re-encode the disclosure to say age_over_19 is something else: its digest no longer matches.
    forged = disclosure[:-3] + ("AAA" if disclosure[-3:] != "AAA" else "BBB")
    code, out = _jigap_verify(
        tmp_path, issuer, "-", "--nonce", NONCE, "--aud", AUD, stdin=f"{jwt}~{forged}~{kb}"
    )
    assert code == 1
    assert out["failed_check"] in ("bad_disclosure", "malformed")
    assert out["disclosed_claims"] == {}
    payload_flip = jwt[:40] + ("x" if jwt[40] != "x" else "y") + jwt[41:]
    code, out = _jigap_verify(
        tmp_path, issuer, f"{payload_flip}~{disclosure}~{kb}", "--nonce", NONCE, "--aud", AUD
    )
    assert code == 1 and out["failed_check"] in ("signature", "malformed")


def test_an_expired_reference_credential_is_refused_as_expired(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = keys
    shown = _reference_presentation(
        _reference_sd_jwt(issuer, holder, exp=int(time.time()) - 86400 * 3), holder
    )
    code, out = _jigap_verify(tmp_path, issuer, shown, "--nonce", NONCE, "--aud", AUD)
    assert code == 1
    assert out["failed_check"] == "expired"
    assert out["reason"].startswith("expired on ")


def test_a_replayed_reference_presentation_is_refused_the_second_time(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = keys
    shown = _reference_presentation(_reference_sd_jwt(issuer, holder), holder)
    store = str(tmp_path / "nonces.txt")
    first, _ = _jigap_verify(tmp_path, issuer, shown, "--aud", AUD, "--nonce-store", store)
    second, out = _jigap_verify(tmp_path, issuer, shown, "--aud", AUD, "--nonce-store", store)
    assert (first, second) == (0, 1)
    assert out["failed_check"] == "replayed"
    assert out["reason"] == "this code was already used"


def test_an_unbound_reference_presentation_is_refused(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = keys
    shown = _reference_presentation(_reference_sd_jwt(issuer, holder), None)
    code, out = _jigap_verify(tmp_path, issuer, shown, "--nonce", NONCE, "--aud", AUD)
    assert code == 1
    assert out["failed_check"] == "key_binding"
    assert out["reason"] == "the holder's proof is missing or wrong (no key binding)"


def test_wrongly_bound_reference_presentations_are_refused(
    tmp_path: Path, both_algs: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = both_algs
    sd_jwt = _reference_sd_jwt(issuer, holder)
    stranger = generate_signing_key(holder.alg)
    code, out = _jigap_verify(
        tmp_path, issuer, _reference_presentation(sd_jwt, stranger), "--nonce", NONCE, "--aud", AUD
    )
    assert (
        code == 1
        and out["reason"] == "the holder's proof is missing or wrong (not signed by the holder's key)"
    )
    code, out = _jigap_verify(
        tmp_path,
        issuer,
        _reference_presentation(sd_jwt, holder, nonce="other"),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
    )
    assert code == 1 and out["reason"] == "the holder's proof is missing or wrong (wrong nonce)"
    code, out = _jigap_verify(
        tmp_path,
        issuer,
        _reference_presentation(sd_jwt, holder, aud="https://elsewhere"),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
    )
    assert code == 1 and out["reason"] == "the holder's proof is missing or wrong (made for another verifier)"


def test_the_presentation_can_be_read_from_a_qr_image(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    issuer, holder = keys
    shown = _reference_presentation(_reference_sd_jwt(issuer, holder), holder)
    image = tmp_path / "qr.png"
    image.write_bytes(presentation_qr_png(shown))
    code, out = _jigap_verify(tmp_path, issuer, "--qr", str(image), "--nonce", NONCE, "--aud", AUD)
    assert code == 0, out
    assert out["disclosed_claims"] == {"age_over_19": True}


def test_usage_errors_exit_with_two(tmp_path: Path, keys: tuple[SigningKey, SigningKey]) -> None:
    issuer, _ = keys
    code, out = _jigap_verify(tmp_path, issuer)
    assert code == 2 and "give either PRESENTATION" in out["stderr"]
    code, out = _jigap_verify(tmp_path, issuer, "x~", "--at", "yesterday")
    assert code == 2 and "ISO 8601" in out["stderr"]
    code, out = _jigap_verify(tmp_path, issuer, "--qr", str(tmp_path / "missing.png"))
    assert code == 2


def test_an_issuer_is_trusted_for_being_on_the_trust_list_never_for_serving_metadata(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from wallet.trust import TrustedIssuer

    issuer_key, holder = generate_signing_key(), generate_signing_key()
    served: dict[str, bytes] = {}
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            requested.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        iss = f"http://127.0.0.1:{server.server_port}/issuers/rta"
        metadata = TrustedIssuer(iss, "Road Traffic Authority", (issuer_key.public,)).metadata()
        served["/.well-known/jwt-vc-issuer/issuers/rta"] = json.dumps(metadata).encode()
        now = int(time.time())
        made = SDJWTIssuer(
            {"iss": iss, "vct": "urn:jigap:card:driver_license:1", "iat": now, "exp": now + 600,
             SDObj("age_over_19"): True},
            _jwcrypto(issuer_key),
            holder_key=_jwcrypto(holder),
            sign_alg="EdDSA",
            extra_header_parameters={"typ": "dc+sd-jwt"},
        )
        shown = _reference_presentation(made.sd_jwt_issuance, holder)
        others = tmp_path / "others.json"
        stranger = TrustedIssuer("https://rta.example.kr", "RTA", (generate_signing_key().public,))
        others.write_text(json.dumps({"issuers": [stranger.metadata()]}))
        code, stdout, _ = _verify_command([shown, "--nonce", NONCE, "--aud", AUD, "--trust-list", str(others)])
        out = json.loads(stdout)
        assert code == 1 and out["failed_check"] == "untrusted_issuer" and out["issuer"] == iss
        assert requested == []  # the metadata the issuer serves was not even asked for
        listed = tmp_path / "trusted.json"
        listed.write_text(json.dumps({"issuers": [stranger.metadata(), metadata]}))
        code, stdout, _ = _verify_command([shown, "--nonce", NONCE, "--aud", AUD, "--trust-list", str(listed)])
        out = json.loads(stdout)
        assert code == 0, out
        assert out["issuer_name"] == "Road Traffic Authority"
        assert requested == []
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "document",
    ["not json", '{"keys": []}', '{"issuers": [{"name": "RTA"}]}', '{"issuers": [{"issuer": "https://a.example"}]}'],
)
def test_a_trust_list_that_cannot_be_read_is_a_usage_error(tmp_path: Path, document: str) -> None:
    listed = tmp_path / "trusted.json"
    listed.write_text(document)
    code, stdout, stderr = _verify_command(["x~", "--trust-list", str(listed)])
    assert (code, stdout) == (2, "")
    assert stderr.startswith(f"jigap verify: {listed} is not a trust list")


def test_without_a_trust_list_a_registry_that_cannot_be_opened_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[wallet]\nmaster_key_file = "{tmp_path / "no-such.key"}"\n')
    code, stdout, stderr = _verify_command(["x~", "--config", str(config)])
    assert (code, stdout) == (2, "")
    assert "cannot read the bot's issuer registry" in stderr and "--trust-list FILE" in stderr


def test_check_status_catches_a_revoked_card_and_a_saved_status_list_works_offline(tmp_path: Path) -> None:
    import threading
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from wallet.card_types import builtin_card_types
    from wallet.credentials import IssuerIdentity, issue_card, present_card
    from wallet.status_list import CredentialStatus, StatusList, StatusReference, sign_status_list

    published: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            body = published.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        uri = f"http://127.0.0.1:{server.server_port}/status/1"
        issuer = IssuerIdentity("https://rta.example.kr", "Road Traffic Authority", generate_signing_key())
        holder = generate_signing_key()
        now = datetime.now(UTC)
        licence = builtin_card_types()["driver_license"]
        claims = {
            "name": "김민지",
            "birth_date": "2001-04-09",
            "license_number": "11-24-123456-78",
            "license_class": "1종 보통",
        }
        card = issue_card(
            licence,
            claims,
            issuer=issuer,
            holder_jwk=holder.public.jwk,
            now=now,
            status=StatusReference(3, uri),
        )
        revoked = StatusList.empty(64).with_status(3, CredentialStatus.INVALID)
        token = sign_status_list(revoked, uri=uri, issuer=issuer.issuer, key=issuer.key, now=now)
        published["/status/1"] = token.encode()
        shown = present_card(
            card.sd_jwt, licence, preset="age_over_19_only", holder_key=holder, aud=AUD, nonce=NONCE, now=now
        )
        code, out = _jigap_verify(
            tmp_path, issuer.key, shown, "--nonce", NONCE, "--aud", AUD, "--check-status"
        )
        assert code == 1 and out["failed_check"] == "revoked"
        assert out["reason"] == "revoked by https://rta.example.kr"
        code, out = _jigap_verify(tmp_path, issuer.key, shown, "--nonce", NONCE, "--aud", AUD)
        assert code == 0 and out["status"] is None  # not asked to check: not checked
        saved = tmp_path / "status.jwt"
        saved.write_text(
            sign_status_list(StatusList.empty(64), uri=uri, issuer=issuer.issuer, key=issuer.key, now=now)
        )
        code, out = _jigap_verify(
            tmp_path, issuer.key, shown, "--nonce", NONCE, "--aud", AUD, "--status-list", str(saved)
        )
        assert code == 0 and out["status"] == "valid"
        published.clear()
        code, out = _jigap_verify(
            tmp_path, issuer.key, shown, "--nonce", NONCE, "--aud", AUD, "--check-status"
        )
        assert code == 1 and out["failed_check"] == "status_unavailable"
    finally:
        server.shutdown()
