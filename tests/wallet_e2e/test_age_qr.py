"""Issue 12: the age-only QR Minji shows at the bar comes from the age proof issued with her licence: a
version 22 (or smaller) symbol at error correction M that the bar's phone reads, and that stops working when
the licence is revoked."""

from __future__ import annotations

from sqlalchemy import select

from storage.wallet.tables import wallet_credentials
from tests.harness import Jigap
from tests.wallet_e2e.helpers import camera_shot, card_history, licence_in_wallet, show_qr
from wallet.images.qr import read_symbol


async def test_the_age_qr_reads_at_level_m_in_a_small_symbol_and_dies_with_the_licence(world: Jigap) -> None:
    await licence_in_wallet(world)
    async with world.services.uow() as uow:
        row = (await uow.connection.execute(select(wallet_credentials))).one()
    assert row.age_proof is not None and row.age_proof_digest is not None
    assert b"urn:jigap:age" not in row.age_proof  # sealed at rest like the card itself
    qr = await show_qr(world)
    symbol = read_symbol(await world.file_bytes(qr))
    assert symbol is not None and symbol.ec_level == "M" and symbol.version <= 22
    result = await world.bartender.send_photo(camera_shot(await world.file_bytes(qr)))
    assert result.text == "유효한 카드예요. 만 19세 이상: 예. 발급 기관: Road Traffic Authority (운전면허증 발급 인가 기관). 21:04에 확인했어요."
    later = camera_shot(await world.file_bytes(await show_qr(world)))
    listing = await world.officer.send("/revoke @minji")
    await world.officer.press("발급 취소", listing)
    await world.officer.wait_for_edit(listing)
    await world.officer.press("카드 폐기", listing)
    await world.officer.wait_for_edit(listing)
    refused = await world.bartender.send_photo(later)
    assert refused.text == "유효하지 않아요. Road Traffic Authority에서 11월 25일에 취소한 카드예요. 21:04에 확인했어요."
    lines = (await card_history(world.minji)).splitlines()
    # The proof's checks are in the card's history, newest first.
    assert lines == ["Bar Haneul에서 확인 거부, 21:04", "Bar Haneul에서 확인, 21:04, 만 19세 이상"]
