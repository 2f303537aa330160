"""A CSV of licences: good rows become offers, bad rows are reported, progress is shown live, a result per row."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from storage.delivery.tables import outbox
from tests.harness import Jigap

ROWS = """holder,name,birth_date,license_number,license_class
@minji,김민지,2001-04-09,11-24-123456-78,1종 보통
@nobody_here,이름,1990-01-01,11-24-000000-00,1종 보통
@bar_staff,박바텐,1995-03-02,not-a-number,2종 보통
@landlord,Park Landlord,1970-05-05,12-00-654321-11,1종 대형
"""


async def test_a_csv_batch_offers_good_rows_and_reports_bad_ones(world: Jigap) -> None:
    officer = world.officer
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    await world.send_document(officer, ROWS.encode(), "licences.csv")
    progress = await officer.next_message()
    assert progress.text.startswith("발급 중:")
    done = await officer.wait_for_edit(progress)
    while not done.text.startswith("다 처리했어요"):
        done = await officer.wait_for_edit(progress)
    assert done.text == "다 처리했어요. 제안 2건, 문제 있음 2건이에요. 행마다의 결과는 아래 파일에서 볼 수 있어요."
    report = await officer.next_message()
    assert report.document is not None and report.document["file_name"] == "issue-results.csv"
    rows = list(csv.DictReader(io.StringIO((await world.file_bytes(report)).decode())))
    assert [(row["row"], row["holder"], row["result"]) for row in rows] == [
        ("2", "'@minji", "offered"), ("3", "'@nobody_here", "error"), ("4", "'@bar_staff", "error"),
        ("5", "'@landlord", "offered"),
    ]
    assert rows[2]["detail"] == "license_number: does not have the expected format"
    assert (await world.minji.next_message()).text == ("Road Traffic Authority에서 운전면허증을 발급해 드리려고 "
                                                       "해요.")
    offer = await world.landlord.next_message()
    assert offer.text == "Road Traffic Authority offers you a driver's licence."
    assert offer.buttons == ["Accept", "Decline"]
    # The offers left through the delivery outbox, one row each, keyed by the offer they announce.
    async with world.services.uow() as uow:
        keys = (await uow.connection.execute(select(outbox.c.idempotency_key).where(outbox.c.kind == "wallet"))).all()
    assert sorted(key for (key,) in keys) == sorted(f"offer:{row['detail']}" for row in rows if row["result"] == "offered")


async def test_a_file_without_a_holder_column_is_refused_whole(world: Jigap) -> None:
    officer = world.officer
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    await world.send_document(officer, b"name,birth_date\n\xea\xb9\x80,2001-04-09\n", "licences.csv")
    refused = await officer.next_message()
    assert refused.text == "이 파일은 쓸 수 없어요: the first row must name a 'holder' column"


async def test_cells_that_a_spreadsheet_would_run_as_formulas_come_back_as_plain_text(world: Jigap) -> None:
    officer = world.officer
    reply = await officer.send("/issue")
    await officer.press("운전면허증", reply)
    await officer.wait_for_edit(reply)
    rows = ("holder,name,birth_date,license_number,license_class\n"
            "\"=cmd|' /C calc'!A0\",a,2001-04-09,11-24-123456-78,1종 보통\n"
            "+SUM(1;2),a,2001-04-09,11-24-123456-78,1종 보통\n"
            "-2+3,a,2001-04-09,11-24-123456-78,1종 보통\n"
            "@SUM(1),a,2001-04-09,11-24-123456-78,1종 보통\n"
            "\"\t=1+1\",a,2001-04-09,11-24-123456-78,1종 보통\n"
            "\"\r=1+1\",a,2001-04-09,11-24-123456-78,1종 보통\n"
            "＝1+1,a,2001-04-09,11-24-123456-78,1종 보통\n"
            "plain_name,a,2001-04-09,11-24-123456-78,1종 보통\n")
    await world.send_document(officer, rows.encode(), "licences.csv")
    progress = await officer.next_message()
    done = await officer.wait_for_edit(progress)
    while not done.text.startswith("다 처리했어요"):
        done = await officer.wait_for_edit(progress)
    report = await officer.next_message()
    cells = list(csv.reader(io.StringIO((await world.file_bytes(report)).decode())))
    assert [row[1] for row in cells[1:]] == [
        "'=cmd|' /C calc'!A0", "'+SUM(1;2)", "'-2+3", "'@SUM(1)", "'=1+1", "'=1+1", "'＝1+1", "plain_name"]
    assert all(row[2] == "error" for row in cells[1:])
    formula_starts = ("=", "+", "-", "@", "\t", "\r", "＝")
    assert not [cell for row in cells for cell in row if cell.startswith(formula_starts)]
