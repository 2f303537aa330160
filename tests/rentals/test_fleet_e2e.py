"""Homeline's manager runs the fleet from the chat, through the sandbox on each backend: /units import, then 200
purifiers as a CSV with two duplicate serials (a progress message, then a result file naming the two refused
rows), the units stored with their cost and booked once; /units shows the fleet and /units SERIAL one unit with
its history and book value. A customer or a technician asking is refused and the refusal audited; a file that is
not a units CSV, or too big, is answered and changes nothing."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import build_parser
from bot.commands.rental_units import units_command
from bot.config import load_config
from bot.demo import load_demo_organisations, load_demo_rentals
from sandbox.client import SandboxUser
from storage.core.tables import audit_log
from storage.rentals.tables import rental_units
from subscriptions.clock import FixedClock
from subscriptions.money import Money
from tests.harness import Jigap, jigap_on, sandbox_running
from tests.rentals.fleet_steps import purifiers_csv
from tests.rentals.helpers import NOW

DEMO_UNITS = 22


@pytest.fixture
async def world(migrated_database_url: str) -> AsyncIterator[Jigap]:
    clock = FixedClock(NOW)
    base = load_config(environ={})
    config = base.replace(scheduler=dataclasses.replace(base.scheduler, tick_seconds=3600),
                          delivery=dataclasses.replace(base.delivery, chat_burst=100, chat_rate=100))
    async with (
        sandbox_running(clock=clock) as server,
        jigap_on(server, database_url=migrated_database_url, config=config, clock=clock) as jigap,
    ):
        jigap.services.delivery.start(jigap.application.bot.token)
        await load_demo_organisations(jigap.services)
        await load_demo_rentals(jigap.services)
        yield jigap


async def manager(world: Jigap) -> SandboxUser:
    junho = await world.started_user("Junho", "en")
    await world.grant(junho, "brand_manager", "homeline")
    return junho


async def test_the_manager_imports_200_purifiers_and_two_duplicates_are_refused(world: Jigap) -> None:
    junho = await manager(world)
    asked = await junho.send("/units import")
    assert asked.text.startswith("Send the units as a CSV file")
    await world.send_document(junho, purifiers_csv(200, duplicates=(57, 140)).encode(), "purifiers.csv")
    progress = await junho.next_message()
    assert progress.text == "Importing the units file…"
    counted = await junho.wait_for_edit(progress)
    assert counted.text == "Importing units: 200 of 200 rows"
    done = await junho.wait_for_edit(progress, containing="Done")
    assert done.text.startswith("Done: 198 units imported, 2 rows refused, for ₩")
    result = await junho.next_message()
    assert result.document is not None and result.document["file_name"] == "units-import-result.csv"
    rows = list(csv.DictReader(io.StringIO((await world.file_bytes(result)).decode())))
    assert len(rows) == 200 and sum(row["result"] == "imported" for row in rows) == 198
    refused = [(row["row"], row["serial"], row["reason"]) for row in rows if row["result"] == "refused"]
    assert refused == [("58", "PF-2026-00056", "the serial is in the file twice"),
                       ("141", "PF-2026-00139", "the serial is in the file twice")]
    assert await world.count(rental_units) == DEMO_UNITS + 198
    async with world.services.uow() as uow:
        homeline = await uow.organisations.get_by_slug("homeline")
        assert homeline is not None
        (unit,) = await uow.rental_units.by_serial(homeline.id, "PF-2026-00200")
        purchases = [entry for entry in await uow.ledger.for_reference(f"units-import-{NOW:%Y%m%d%H%M%S}")]
    assert unit.acquisition_cost == Money(580_000 + 200 % 7 * 1_000, "KRW") and unit.region == "seoul"
    (bought,) = purchases
    expected = sum(580_000 + n % 7 * 1_000 for n in range(1, 201) if n not in (57, 140))
    assert bought.amount_for(f"brand:{homeline.id}:asset:fleet") == Money(expected, "KRW")

    # Sending the same file again: every row is in the fleet already, nothing is added.
    await junho.send("/units import")
    await world.send_document(junho, purifiers_csv(200, duplicates=(57, 140)).encode(), "purifiers.csv")
    again = await junho.wait_for_edit(await junho.next_message(), containing="Done")
    assert again.text.startswith("Done: 0 units imported, 200 rows refused")
    await junho.next_message()  # its result file
    assert await world.count(rental_units) == DEMO_UNITS + 198

    overview = await junho.send("/units")
    assert overview.text.splitlines()[0].startswith(f"Your fleet: {DEMO_UNITS + 198} units. Cost ₩")
    seoul = 5 + sum(1 for n in range(1, 201) if n % 3 and n not in (57, 140))
    assert f"  Seoul: in stock {seoul}" in overview.text and overview.buttons == ["Import units (CSV)"]
    found = await junho.send("/units PF-2026-00200")
    assert found.text.splitlines()[:3] == [
        "Unit PF-2026-00200: Homeline water purifier", "Status: in stock, Seoul",
        "Bought 2026-11-03 for ₩584,000, written off over 60 months; book value today ₩584,000."]
    assert "History:" in found.text


async def test_a_file_that_is_not_a_units_csv_changes_nothing(world: Jigap) -> None:
    junho = await manager(world)
    await junho.send("/units import")
    await world.send_document(junho, b"name,email\nKim,kim@example.com\n", "people.csv")
    answered = await junho.wait_for_edit(await junho.next_message())
    assert answered.text == ("This file cannot be imported: missing columns: serial, product, cost, acquired_on, "
                             "region. Nothing was added.")
    await world.send_document(junho, b"\xff\xfe\x00binary", "units.csv")
    assert (await junho.next_message()).text == "This is not a CSV file in UTF-8."
    await world.send_document(junho, b"serial,product,cost,acquired_on,region\n" + b"x" * (2 * 1024 * 1024 + 1),
                              "huge.csv")
    assert (await junho.next_message()).text == "This file is too large (2 MB at most)."
    assert await world.count(rental_units) == DEMO_UNITS


async def test_units_are_refused_to_customers_and_technicians_and_audited(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    kim = await world.started_user("Kim", "en")
    await world.grant(kim, "technician", "homeline")
    for person in (minji, kim):
        refused = await person.send("/units import")
        assert refused.text == "Sorry, only a brand's own people can do this."
        await world.send_document(person, purifiers_csv(3).encode(), "purifiers.csv")
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(audit_log.c.actor_id, audit_log.c.outcome))).all()
    assert {(minji.id, "refused"), (kim.id, "refused")} <= {tuple(row) for row in rows}
    assert await world.count(rental_units) == DEMO_UNITS


def units_args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(**{"brand": "homeline", "csv": None, "import_file": None, "result": None, **given})


async def test_the_command_line_imports_and_lists_units_by_the_same_engine(world: Jigap, tmp_path: Path) -> None:
    source = tmp_path / "purifiers.csv"
    source.write_text(purifiers_csv(5, duplicates=(3,)) + "BAD SERIAL,homeline-purifier,1000,2026-01-01,seoul\n",
                      encoding="utf-8")
    out = io.StringIO()
    assert await units_command(world.services, units_args(import_file=source), out) == 0
    assert out.getvalue().splitlines() == [
        "checked 6 of 6 rows",
        f"4 units imported, 2 rows refused, for {sum(580_000 + n % 7 * 1_000 for n in (1, 2, 4, 5))} KRW; the "
        f"result of every row is in {tmp_path / 'purifiers-result.csv'}"]
    result = list(csv.DictReader(io.StringIO((tmp_path / "purifiers-result.csv").read_text(encoding="utf-8"))))
    assert [(row["row"], row["result"], row["reason"]) for row in result if row["result"] == "refused"] == [
        ("4", "refused", "the serial is in the file twice"),
        ("7", "refused", "the serial is empty, too long or has characters a serial cannot have")]
    listing = io.StringIO()
    assert await units_command(world.services, units_args(csv="-"), listing) == 0
    rows = list(csv.DictReader(io.StringIO(listing.getvalue())))
    assert len(rows) == DEMO_UNITS + 4
    one = next(row for row in rows if row["serial"] == "HL-PURIFIER-SEO-0001")
    assert (one["status"], one["cost"], one["book_value"]) == ("in_stock", "600000", "492000")
    table = io.StringIO()
    assert await units_command(world.services, units_args(), table) == 0
    assert table.getvalue().splitlines()[0].split() == ["serial", "product", "region", "status", "cost",
                                                          "book_value"]
    assert await units_command(world.services, units_args(brand="cafe-onda"), io.StringIO()) == 1
    parsed = build_parser().parse_args(["rentals", "units", "homeline", "--import", str(source)])
    assert parsed.import_file == source and parsed.func is not None
