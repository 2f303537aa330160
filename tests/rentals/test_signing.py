"""Signing a contract with the holder key after the PIN, and checking it offline: a round trip holds; a changed
PDF, other consents, a tampered payload, another key and garbage each fail, saying why."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.gateways.contracts import HolderKeySigner, check_contract_signature
from subscriptions.clock import FixedClock
from subscriptions.rentals.applications import consent_hash
from subscriptions.rentals.signing import (
    CONTRACT_SIGNATURE_TYP,
    ContractSigningRefused,
    Signer,
    SigningPayload,
    Verdict,
    signing_payload,
)
from tests.wallet_services.fakes import FakePerson, FakeWorld
from tests.wallet_services.test_wallet_services import Settings
from wallet.keys import generate_signing_key
from wallet.services import Wallet, pin_entry, pins
from wallet.services.signing import sign_bytes

NOW = datetime(2026, 11, 25, 12, 4, 7, 250_000, tzinfo=UTC)
MINJI, JISOO = 1, 2
PIN = "135790"
PDF = b"%PDF-1.3 a contract\n%%EOF\n"
CONSENTS = (consent_hash("credit check consent"), consent_hash("personal data consent"))


def _payload(pdf: bytes = PDF, consents: tuple[str, ...] = CONSENTS) -> SigningPayload:
    return signing_payload(contract_id="HL-2026-000123", pdf=pdf, consent_hashes=consents,
                           signer=Signer(MINJI, "김민지"), now=NOW, nonce="n-0001")


@pytest.fixture
async def wallet() -> Wallet:
    world = FakeWorld(people={MINJI: FakePerson(MINJI, "Minji Kim"), JISOO: FakePerson(JISOO, "Jisoo Park")})
    wallet = Wallet.create(world.uow, FixedClock(NOW), Settings())
    for holder in (MINJI, JISOO):
        async with world.uow() as uow:
            await uow.wallet.set_holder_key(holder, generate_signing_key(), now=NOW)
            await uow.commit()
        await pins.set_pin(wallet, holder, PIN)
    return wallet


async def _type(wallet: Wallet, holder: int, flow_id: str, pin: str) -> pin_entry.Outcome:
    outcome: pin_entry.Outcome = pin_entry.Stale()
    for digit in pin:
        outcome = await pin_entry.press(wallet, holder, flow_id, digit)
    return outcome


async def _signed(wallet: Wallet, payload: SigningPayload) -> str:
    signer = HolderKeySigner(wallet)
    flow_id = await signer.begin(MINJI, payload.subject, chat_id=MINJI, title="HL-2026-000123")
    assert isinstance(await _type(wallet, MINJI, flow_id, PIN), pin_entry.Unlocked)
    return await signer.sign(MINJI, flow_id, payload)


async def test_a_contract_signed_after_the_pin_verifies_offline_naming_signer_contract_and_time(wallet: Wallet) -> None:
    token = await _signed(wallet, _payload())
    check = check_contract_signature(PDF, token, expected_consent_hashes=CONSENTS)
    assert check.valid and check.verdict is Verdict.VALID
    assert check.payload is not None and check.payload.signer == Signer(MINJI, "김민지")
    assert check.payload.contract_id == "HL-2026-000123" and check.payload.consent_hashes == CONSENTS
    assert check.payload.signed_at == datetime(2026, 11, 25, 12, 4, 7, tzinfo=UTC)
    async with wallet.uow() as uow:
        key = await uow.wallet.holder_key(MINJI)
    assert key is not None and check.key_thumbprint == key.kid and check.algorithm == key.alg
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["typ"] == CONTRACT_SIGNATURE_TYP and header["jwk"] == dict(key.public.jwk)


async def test_the_pin_signs_once_and_only_the_document_it_was_typed_for(wallet: Wallet) -> None:
    signer = HolderKeySigner(wallet)
    payload = _payload()
    flow_id = await signer.begin(MINJI, payload.subject, chat_id=MINJI)
    with pytest.raises(ContractSigningRefused) as before_pin:
        await signer.sign(MINJI, flow_id, payload)
    assert before_pin.value.reason == "stale"
    await _type(wallet, MINJI, flow_id, PIN)
    with pytest.raises(ContractSigningRefused) as other:
        await signer.sign(MINJI, flow_id, _payload(pdf=PDF + b" "))
    assert other.value.reason == "other_document"
    with pytest.raises(ContractSigningRefused):
        await signer.sign(JISOO, flow_id, payload)  # someone else's keypad
    await signer.sign(MINJI, flow_id, payload)
    with pytest.raises(ContractSigningRefused) as again:
        await signer.sign(MINJI, flow_id, payload)  # a second tap on Sign
    assert again.value.reason == "stale"


async def test_a_wrong_pin_unlocks_nothing(wallet: Wallet) -> None:
    signer = HolderKeySigner(wallet)
    payload = _payload()
    flow_id = await signer.begin(MINJI, payload.subject, chat_id=MINJI)
    assert isinstance(await _type(wallet, MINJI, flow_id, "000001"), pin_entry.Keypad)
    with pytest.raises(ContractSigningRefused):
        await signer.sign(MINJI, flow_id, payload)


async def test_a_pdf_with_one_byte_changed_does_not_match_what_was_signed(wallet: Wallet) -> None:
    token = await _signed(wallet, _payload())
    changed = bytearray(PDF)
    changed[10] ^= 0x01
    check = check_contract_signature(bytes(changed), token)
    assert not check.valid and check.verdict is Verdict.DOCUMENT_CHANGED
    assert check.payload is not None and check.payload.signer.name == "김민지"


async def test_a_signature_over_other_consent_texts_fails(wallet: Wallet) -> None:
    token = await _signed(wallet, _payload(consents=(consent_hash("an older consent text"),)))
    check = check_contract_signature(PDF, token, expected_consent_hashes=CONSENTS)
    assert check.verdict is Verdict.CONSENTS_DIFFER


async def test_a_tampered_payload_is_a_bad_signature_not_a_changed_document(wallet: Wallet) -> None:
    header, body, signature = (await _signed(wallet, _payload())).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["signer"]["name"] = "박지수"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert check_contract_signature(PDF, f"{header}.{forged}.{signature}").verdict is Verdict.BAD_SIGNATURE


def test_a_signature_by_another_key_than_the_header_names_fails() -> None:
    mine, other = generate_signing_key(), generate_signing_key("ES256")
    token = sign_bytes(mine, _payload().to_bytes(), typ=CONTRACT_SIGNATURE_TYP)
    header, body, _ = token.split(".")
    _, _, foreign = sign_bytes(other, _payload().to_bytes(), typ=CONTRACT_SIGNATURE_TYP).split(".")
    assert check_contract_signature(PDF, f"{header}.{body}.{foreign}").verdict is Verdict.BAD_SIGNATURE
    es256 = sign_bytes(other, _payload().to_bytes(), typ=CONTRACT_SIGNATURE_TYP)
    assert check_contract_signature(PDF, es256).valid  # both kinds of holder key verify


@pytest.mark.parametrize("token", ["", "not a jws", "a.b", "a.b.c", "é.b.c", "x" * 20_000,
                                   "eyJhbGciOiJub25lIn0.e30.", "W10.e30.AA"])
def test_garbage_is_called_malformed_and_never_raises(token: str) -> None:
    check = check_contract_signature(PDF, token)
    assert check.verdict is Verdict.MALFORMED and check.reason


def test_the_payload_is_canonical_json_with_whole_second_iat() -> None:
    payload = _payload()
    assert payload.to_bytes() == json.dumps(payload.to_json(), sort_keys=True, separators=(",", ":"),
                                            ensure_ascii=False).encode()
    assert payload.to_json()["iat"] == int((NOW - timedelta(microseconds=250_000)).timestamp())
