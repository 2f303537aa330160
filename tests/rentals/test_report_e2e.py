"""/rental_report through the sandbox on each backend: before any close a brand manager is offered to close last
month; pressing it books the month and shows the charts and the month in words; the month's lines come as CSV;
pressing close again changes nothing; a customer is refused (and audited), and a forged press for the brand
closes nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from storage.rentals.tables import rental_month_closes
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.services.demo import PURIFIER, demo_terms
from tests.harness import Jigap
from tests.rentals.test_checkout_e2e import clock, licensed, manager, world  # noqa: F401 (the fixtures)

OCTOBER_20 = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul: month 2 of its rent starts 20 November


async def _installed_contract(world: Jigap, customer_id: int) -> None:  # noqa: F811 (the fixture)
    async with world.services.uow() as uow:
        brand = await uow.organisations.get_by_slug("homeline")
        assert brand is not None
        terms = demo_terms()[PURIFIER]
        assert await uow.rental_contracts.add(Contract(
            "HL-2026-000077", "app-77", customer_id, brand.id, PURIFIER, "plan", "v1", terms, "seoul", None,
            OCTOBER_20, OCTOBER_20, "Asia/Seoul", "pay-77", terms.first_payment, "a" * 64, "h.p.s",
            installed_at=OCTOBER_20))
        await uow.commit()


async def test_a_manager_closes_november_and_reads_it_in_pictures(world: Jigap) -> None:  # noqa: F811
    seo = await manager(world)
    minji = await licensed(world, "김민지")
    await _installed_contract(world, minji.id)
    world.advance(days=6)  # 1 December, 09:30 in Seoul

    await seo.say("/rental_report")
    offer = await seo.next_message()
    assert offer.text.startswith("No month is closed yet.")
    assert offer.buttons == ["Close 2026-11 now"]
    forged = offer.button("Close 2026-11 now")["callback_data"]

    await seo.press("Close 2026-11 now", offer)
    closed = (await seo.wait_for_edit(offer)).text
    assert re.fullmatch(r"2026-11 is closed: \d+ lines booked\.", closed), closed  # the rent and the demo's units
    revenue, aging = await seo.next_messages(2)
    assert revenue.photo and aging.photo and revenue.media_group_id == aging.media_group_id
    assert revenue.text.splitlines()[:2] == ["2026-11, closed", "Revenue: ₩29,900"]
    details = await seo.next_message()
    assert details.buttons == ["The lines of 2026-11 (CSV)", "Every month's figures (CSV)"]

    await seo.press("The lines of 2026-11 (CSV)", details)
    sheet = await seo.next_message()
    assert sheet.document is not None and sheet.document["file_name"] == "close-2026-11.csv"
    rows = list(csv.DictReader(io.StringIO((await world.file_bytes(sheet)).decode())))
    assert [(row["kind"], row["subject"], row["amount"]) for row in rows if row["kind"] == "rent"] == [
        ("rent", "HL-2026-000077", "29900")]
    assert len(rows) == int(closed.split()[3]) and {row["kind"] for row in rows} == {"rent", "depreciation"}

    await world.forge_press(seo, details, forged)  # the close button of the first message, pressed again
    assert (await seo.wait_for_edit(details)).text == "2026-11 was closed already; nothing changed."
    async with world.services.uow() as uow:
        closes = (await uow.connection.execute(select(rental_month_closes))).all()
    assert [(row.month, row.lines) for row in closes] == [("2026-11", len(rows))]


async def test_the_report_is_refused_and_audited_for_a_customer_and_a_forged_close_does_nothing(
        world: Jigap) -> None:  # noqa: F811
    minji = await licensed(world, "김민지")
    await _installed_contract(world, minji.id)
    world.advance(days=6)
    await minji.say("/rental_report")
    refused = await minji.next_message()
    assert refused.text == "Sorry, only a brand's own people can do this."
    async with world.services.uow() as uow:
        audit = await uow.audit.recent(actor_id=minji.id)
        brand = await uow.organisations.get_by_slug("homeline")
    assert audit and audit[0].outcome == "refused" and audit[0].action == "rentals.manage"
    assert brand is not None
    forged = await world.forge_press(minji, refused, f"rrp:{brand.id}:c:2026-11")
    assert forged is not None and forged.text == "Sorry, only a brand's own people can do this."
    async with world.services.uow() as uow:
        assert (await uow.connection.execute(select(rental_month_closes))).all() == []
