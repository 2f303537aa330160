"""Only what the holder's key signed reaches their History: the issuer-signed part of a presentation, pasted
again by whoever saw it, is refused and leaves the holder's History as it was."""

from __future__ import annotations

from tests.harness import Jigap
from tests.wallet_e2e.helpers import card_history, licence_in_wallet, show_qr
from wallet.qr_payload import decode_qr_payload
from wallet.qr_reader import read_qr
from wallet.records import HistoryEntry


async def _stored_history(world: Jigap) -> list[HistoryEntry]:
    async with world.services.uow() as uow:
        cards = await uow.wallet.credentials_of(world.minji.id)
        return await uow.wallet.history(cards[0].id)


async def test_the_issuer_signed_part_pasted_again_and_again_adds_nothing_to_the_holders_history(world: Jigap) -> None:
    await licence_in_wallet(world)
    code = read_qr(await world.file_bytes(await show_qr(world)))
    assert code is not None
    presentation = decode_qr_payload(code)
    checked = await world.bartender.send(f"/verify {presentation}")
    assert checked.text.startswith("유효한 카드예요.")
    issuer_signed = presentation[: presentation.rindex("~") + 1]  # the key binding JWT left off
    for _ in range(3):
        refused = await world.landlord.send(f"/verify {issuer_signed}")
        assert refused.text.startswith("Not valid")
    assert [(entry.verifier_name, entry.verdict) for entry in await _stored_history(world)] == [
        ("Bar Haneul", "valid")]
    assert await card_history(world.minji) == "Bar Haneul에서 확인, 21:04, 만 19세 이상"
