"""Batch issuance input: a CSV of holders and claims, checked row by row against a card type.

The first row names the columns: `holder` (who receives the offer, as the bot understands it:
a user id or @username) and the card type's claim names. Every row gets a result, valid or
with its problems, so an admin's 500-row upload reports each bad row instead of failing all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallet.card_types import CardType
from wallet.claims import prepare_claims
from wallet.errors import ClaimProblem, ClaimsInvalid, IssuanceError

HOLDER_COLUMN = "holder"
MAX_ROWS = 10_000
# A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection rule); the full-width
# forms are there because some spreadsheets read them as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class BatchRow:
    """One CSV row: `line` as the admin's spreadsheet numbers it (header is line 1)."""

    line: int
    holder: str
    claims: Mapping[str, Any] | None
    problems: tuple[ClaimProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.claims is not None


def read_claims_csv(card_type: CardType, text: str, *, now: datetime) -> tuple[BatchRow, ...]:
    """Parse and validate every row; raises IssuanceError only when the file itself is unusable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # spreadsheets like to add a BOM
    columns = reader.fieldnames or []
    if HOLDER_COLUMN not in columns:
        raise IssuanceError(f"the first row must name a '{HOLDER_COLUMN}' column")
    derived = {d.name for d in card_type.derived}
    unknown = [c for c in columns if c != HOLDER_COLUMN and (card_type.claim(c) is None or c in derived)]
    if unknown:
        raise IssuanceError(f"unknown columns for {card_type.id}: {', '.join(unknown)}")
    rows: list[BatchRow] = []
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise IssuanceError(f"at most {MAX_ROWS} rows per file")
        rows.append(_row(card_type, number, record, now))
    return tuple(rows)


def _row(card_type: CardType, line: int, record: Mapping[str, Any], now: datetime) -> BatchRow:
    holder = (record.get(HOLDER_COLUMN) or "").strip()
    raw = {k: v for k, v in record.items() if k not in (HOLDER_COLUMN, None) and v not in (None, "")}
    problems: list[ClaimProblem] = []
    if not holder:
        problems.append(ClaimProblem(HOLDER_COLUMN, "missing", "is required"))
    if None in record:
        problems.append(ClaimProblem("row", "too_long", "has more cells than the header"))
    try:
        claims = prepare_claims(card_type, raw, now=now)
    except ClaimsInvalid as invalid:
        problems.extend(invalid.problems)
    if problems:
        return BatchRow(line, holder, None, tuple(problems))
    return BatchRow(line, holder, claims)


def spreadsheet_cell(value: object) -> str:
    """A cell that a spreadsheet shows as the text it is: one that would start a formula gets a leading "'"."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def results_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The results file of a batch. It echoes what the admin's file held (a holder, a cell quoted in a
    problem), so every cell is written as inert text: a row typed `=cmd|...` must not run when it is opened."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(name) for name in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
