"""`jigap contract verify CONTRACT.pdf SIGNATURE`, run as an operator would: a real contract PDF signed by a real
holder key says who signed it and when (exit 0); a changed PDF, other consents and a malformed signature say so
(exit 1); a missing file is a usage error (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.gateways.contracts import ContractFonts, ContractRenderer
from subscriptions.rentals.signing import CONTRACT_SIGNATURE_TYP, Signer, signing_payload
from tests.rentals.contract_samples import CONSENT_TEXTS, minji_contract
from wallet.keys import SigningKey, generate_signing_key
from wallet.services.signing import sign_bytes

ROOT = Path(__file__).resolve().parents[2]
SIGNED_AT = datetime(2026, 11, 25, 12, 9, 30, tzinfo=UTC)  # 21:09:30 in Seoul


def jigap(*args: str | Path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("JIGAP_")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**clean, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_signing_key()


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, key: SigningKey) -> tuple[Path, Path]:
    try:
        renderer = ContractRenderer(ContractFonts.from_machine())
    except Exception as missing:
        pytest.skip(f"no font with Hangul: {missing}")
    document = minji_contract()
    pdf = renderer.pdf(document)
    payload = signing_payload(contract_id=document.contract_id, pdf=pdf, consent_hashes=document.consent_hashes,
                              signer=Signer(1, document.customer.name), now=SIGNED_AT, nonce="cli-nonce")
    folder = tmp_path_factory.mktemp("contract")
    (folder / "contract.pdf").write_bytes(pdf)
    (folder / "contract.jws").write_text(sign_bytes(key, payload.to_bytes(), typ=CONTRACT_SIGNATURE_TYP) + "\n")
    for index, text in enumerate(CONSENT_TEXTS[document.language]):
        (folder / f"consent-{index}.txt").write_text(text, encoding="utf-8")
    return folder / "contract.pdf", folder / "contract.jws"


def test_a_signed_contract_verifies_and_says_who_signed_what_when(signed: tuple[Path, Path], key: SigningKey) -> None:
    pdf, signature = signed
    done = jigap("contract", "verify", pdf, signature)
    assert done.returncode == 0, done.stderr
    assert "The signature holds" in done.stdout
    assert "signed by:    김민지 (holder 1)" in done.stdout
    assert "contract:     HL-2026-000123" in done.stdout
    assert "signed at:    2026-11-25 21:09:30 KST (2026-11-25 12:09:30 UTC)" in done.stdout
    assert f"thumbprint {key.kid}" in done.stdout


def test_the_signature_may_be_given_as_text_and_the_consents_as_files(signed: tuple[Path, Path]) -> None:
    pdf, signature = signed
    consents = sorted(pdf.parent.glob("consent-*.txt"))
    done = jigap("contract", "verify", pdf, signature.read_text().strip(), *[f"--consent={c}" for c in consents])
    assert done.returncode == 0, done.stdout + done.stderr
    other = pdf.parent / "other-consent.txt"
    other.write_text("a consent text she never saw", encoding="utf-8")
    refused = jigap("contract", "verify", pdf, signature, "--consent", other)
    assert refused.returncode == 1 and "other consent texts" in refused.stdout


def test_a_changed_pdf_does_not_match_what_was_signed(signed: tuple[Path, Path], tmp_path: Path) -> None:
    pdf, signature = signed
    changed = bytearray(pdf.read_bytes())
    changed[len(changed) // 2] ^= 0x20
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    done = jigap("contract", "verify", tmp_path / "changed.pdf", signature)
    assert done.returncode == 1
    assert "The document does not match what was signed" in done.stdout and "this file:" in done.stdout


def test_a_malformed_signature_says_so(signed: tuple[Path, Path], tmp_path: Path) -> None:
    pdf, _ = signed
    (tmp_path / "garbage.jws").write_text("abc.def.ghi")
    done = jigap("contract", "verify", pdf, tmp_path / "garbage.jws")
    assert done.returncode == 1 and "The signature is malformed" in done.stdout


def test_a_missing_pdf_is_a_usage_error(signed: tuple[Path, Path], tmp_path: Path) -> None:
    _, signature = signed
    done = jigap("contract", "verify", tmp_path / "nowhere.pdf", signature)
    assert done.returncode == 2 and "cannot read" in done.stderr
