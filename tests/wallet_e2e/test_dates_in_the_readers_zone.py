"""Dates and times read in the reader's own zone: a Korean reader in Seoul sees the Seoul day of a revocation and
the Seoul time of an audit entry, not the UTC ones, and a day in another year with its year."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from subscriptions.clock import FixedClock
from tests.harness import Jigap
from tests.wallet_e2e.helpers import PIN, camera_shot, enter_pin, licence_in_wallet, show_qr

# Still Nov 25 in UTC, already 01:30 on Nov 26 in Seoul: a date shown in UTC would be a day early.
AFTER_MIDNIGHT_IN_SEOUL = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)


async def test_a_korean_reader_sees_the_revocation_day_and_the_audit_time_in_seoul(world: Jigap) -> None:
    assert isinstance(world.clock, FixedClock)
    world.clock.set(AFTER_MIDNIGHT_IN_SEOUL)
    await licence_in_wallet(world)
    shot = camera_shot(await world.file_bytes(await show_qr(world)))
    officer = world.officer
    listing = await officer.send("/revoke @minji")
    await officer.press("발급 취소", listing)
    await officer.wait_for_edit(listing)
    await officer.press("카드 폐기", listing)
    await officer.wait_for_edit(listing)
    result = await world.bartender.send_photo(shot)
    assert result.text == "유효하지 않아요. Road Traffic Authority에서 11월 26일에 취소한 카드예요. 01:30에 확인했어요."

    admin = await world.started_user("Admin", "ko", username="admin")
    await world.make_platform_admin(admin)
    menu = await admin.send("/admin")
    await admin.press("감사 기록", menu)
    screen = (await admin.wait_for_edit(menu)).text.splitlines()
    assert screen[0] == "감사 기록"
    log = screen[screen.index("검색: 전체, 최신순") + 1:]
    revocations = [line for line in log if "wallet.status" in line]
    assert revocations and all(line.startswith("11월 26일 01:30 · ") for line in revocations), log
    # Every line names its day: the demo issuers' accreditations were recorded the evening before.
    assert log and all(re.match(r"\d+월 \d+일 \d\d:\d\d · ", line) for line in log), log


async def test_a_day_in_another_year_shows_its_year_and_a_day_this_year_does_not(world: Jigap) -> None:
    await licence_in_wallet(world)  # on Nov 25, 2026; a driver's licence is valid for 3650 days
    minji = world.minji
    listing = await minji.send("/wallet")
    await minji.press(listing.buttons[0], listing)
    card = await minji.next_message()
    assert "유효기간 2036년 11월 22일 · 유효" in card.text
    await minji.press("상세 정보", card)
    details = (await enter_pin(minji, await minji.next_message(), PIN)).text
    assert "발급일 11월 25일" in details and "유효기간 2036년 11월 22일" in details
