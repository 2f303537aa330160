"""The results file of a batch holds text only: no cell starts a spreadsheet formula (OWASP CSV injection)."""

from __future__ import annotations

from wallet.batch import results_csv, spreadsheet_cell


def test_a_results_cell_that_would_start_a_formula_is_written_as_text() -> None:
    assert [spreadsheet_cell(cell) for cell in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＠A1", "a=1", 12)] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "'＠A1", "a=1", "12"]


def test_the_header_and_every_row_are_neutralised_and_still_quoted_as_csv() -> None:
    written = results_csv(["row", "detail"], [[2, '\t=HYPERLINK("x")']])
    assert written == b"row,detail\r\n2,\"'\t=HYPERLINK(\"\"x\"\")\"\r\n"
