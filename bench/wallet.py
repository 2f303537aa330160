"""Wallet benchmark: issue, present and verify rates with p50, the IETF reference
implementation verifying the same presentations, and card plus QR render time.

    python bench/wallet.py [--quick]

The last lines are `verify_p50_ms=`, `verify_speedup_vs_reference=`, `render_p50_ms=`, and the QR of the
age-only preset as a verifier's reader decodes it: `age_qr_version=`, `age_qr_ecc=` (from the age proof issued
alongside the licence) and `age_qr_version_from_card=` (the same claim shown from the licence itself).
The holder key is ES256 because the reference verifier checks key-binding JWTs as ES256 only.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and "wallet.py" would shadow
# the wallet package: put the project root there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from jwcrypto.jwk import JWK  # noqa: E402
from sd_jwt.verifier import SDJWTVerifier  # noqa: E402

from wallet.card_types import (
    age_proof_type,  # noqa: E402
    builtin_card_types,  # noqa: E402
)
from wallet.credentials import IssuerIdentity, issue_age_proof, issue_card, present_card  # noqa: E402
from wallet.images.card import CardView, render_card_jpeg, render_card_png  # noqa: E402
from wallet.images.qr import presentation_qr_png, read_symbol  # noqa: E402
from wallet.keys import generate_signing_key  # noqa: E402
from wallet.status_list import StatusReference  # noqa: E402
from wallet.trust import TrustedIssuer, TrustedIssuers  # noqa: E402
from wallet.verifier import verify_presentation  # noqa: E402

CLAIMS = {
    "name": "김민지",
    "birth_date": "2001-04-09",
    "license_number": "11-24-123456-78",
    "license_class": "1종 보통",
    "address": "서울특별시 마포구 월드컵북로 396",
    "photo": b"\xff\xd8 photo bytes",
}
AUD, NONCE = "jigap:verifier:bench", "bench-nonce"


def timed(runs: int, work: Callable[[int], Any]) -> tuple[list[float], list[Any]]:
    """Milliseconds per call and the results."""
    times, results = [], []
    for i in range(runs):
        start = time.perf_counter()
        results.append(work(i))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def report(name: str, times: list[float]) -> float:
    p50 = statistics.median(times)
    rate = 1000 / statistics.mean(times)
    print(
        f"{name:<22} n={len(times):<5} p50={p50:.3f} ms  p95={sorted(times)[int(len(times) * 0.95) - 1]:.3f} ms  {rate:,.0f}/s"
    )
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (well under a minute)")
    args = parser.parse_args()
    rounds, render_rounds = (300, 40) if args.quick else (2000, 200)

    licence = builtin_card_types()["driver_license"]
    issuer = IssuerIdentity("https://rta.example.kr", "Road Traffic Authority", generate_signing_key("EdDSA"))
    holder = generate_signing_key("ES256")
    trusted = TrustedIssuers([TrustedIssuer(issuer.issuer, issuer.name, (issuer.key.public,))])
    now = datetime.now(UTC).replace(microsecond=0)

    issue_times, cards = timed(
        rounds, lambda i: issue_card(licence, CLAIMS, issuer=issuer, holder_jwk=holder.public.jwk, now=now)
    )
    report("issue", issue_times)
    presets = ("age_over_19_only", "name_and_photo", "everything")
    present_times, shown = timed(
        rounds,
        lambda i: present_card(
            cards[i].sd_jwt, licence, preset=presets[i % 3], holder_key=holder, aud=AUD, nonce=NONCE, now=now
        ),
    )
    report("present", present_times)
    verify_times, results = timed(
        rounds,
        lambda i: verify_presentation(
            shown[i], issuers=trusted, now=now, expected_aud=AUD, expected_nonce=NONCE
        ),
    )
    assert all(r.valid for r in results), results[0].reason
    ours = report("verify (jigap)", verify_times)

    issuer_jwk = JWK(**issuer.key.public.to_jwk())

    def reference(i: int) -> Any:
        checked = SDJWTVerifier(
            shown[i], lambda iss, header: issuer_jwk, expected_aud=AUD, expected_nonce=NONCE
        )
        return checked.get_verified_payload()

    ref_times, payloads = timed(rounds, reference)
    assert all(p["iss"] == issuer.issuer for p in payloads)
    theirs = report("verify (reference)", ref_times)

    view = CardView(licence, issuer.name, cards[0].claims, cards[0].expires_at)
    render_card_png(view)  # warm the font and background caches, as a running bot has them
    png_times, _ = timed(render_rounds, lambda i: render_card_png(view))
    report("card as PNG", png_times)
    # What the bot sends: the card as a JPEG photo and the QR as a 1-bit PNG.
    render_times, _ = timed(
        render_rounds, lambda i: (render_card_jpeg(view), presentation_qr_png(shown[i % len(shown)]))
    )
    render = report("card JPEG + QR PNG", render_times)
    print(f"presentation_chars_p50={statistics.median(len(s) for s in shown):.0f}")
    print(f"verify_p50_ms={ours:.3f}")
    print(f"verify_speedup_vs_reference={theirs / ours:.1f}")
    print(f"render_p50_ms={render:.1f}")
    age_qr(licence, issuer, holder, now)


def age_qr(licence: Any, issuer: IssuerIdentity, holder: Any, now: datetime) -> None:
    """The age-only QR as the bot shows it (its URLs, a status entry, a frame's nonce), decoded."""
    public_url = "https://jigap.example"
    status = StatusReference(48_213, f"{public_url}/status/road-authority")
    shown_by = IssuerIdentity(f"{public_url}/road-authority", issuer.name, issuer.key)
    card = issue_card(licence, CLAIMS, issuer=shown_by, holder_jwk=holder.public.jwk, now=now, status=status)
    proof = issue_age_proof(licence, card, issuer=shown_by, holder_jwk=holder.public.jwk)
    proof_type = age_proof_type(licence)
    assert proof is not None and proof_type is not None
    nonce = secrets.token_urlsafe(12)  # as each QR frame gets from wallet.ids.token(12)
    from_proof = present_card(proof, proof_type, preset="age_over_19_only", holder_key=holder, aud=public_url,
                              nonce=nonce, now=now)
    from_card = present_card(card.sd_jwt, licence, preset="age_over_19_only", holder_key=holder, aud=public_url,
                             nonce=nonce, now=now)
    proof_symbol, card_symbol = read_symbol(presentation_qr_png(from_proof)), read_symbol(presentation_qr_png(from_card))
    assert proof_symbol is not None and card_symbol is not None
    print(f"age_qr_version={proof_symbol.version}")
    print(f"age_qr_ecc={proof_symbol.ec_level}")
    print(f"age_qr_version_from_card={card_symbol.version}")


if __name__ == "__main__":
    main()
