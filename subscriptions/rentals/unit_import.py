"""A brand's units from a CSV file: one unit a row, each row checked on its own.

The header names the columns, in any order: serial, product, cost (whole won), acquired_on (YYYY-MM-DD) and
region are required; useful_life_months and residual (won) may be left out or empty, and then the unit takes
the defaults (`fleet.DEFAULT_USEFUL_LIFE_MONTHS`, a residual of 10% of its cost). A row that cannot be a unit
is refused with the reason; the others go in. Reading the file is here; whether a serial is already in the
fleet is the storage's to say, so the service asks it for each product."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from subscriptions.money import Money
from subscriptions.rentals.errors import UnitsFileInvalid
from subscriptions.rentals.fleet import DEFAULT_USEFUL_LIFE_MONTHS, default_residual
from subscriptions.rentals.regions import Region
from subscriptions.rentals.stock import SERIAL_MAX

REQUIRED = ("serial", "product", "cost", "acquired_on", "region")
OPTIONAL = ("useful_life_months", "residual")
MAX_ROWS = 10_000
MAX_COST_WON = 10_000_000_000  # ten billion won: no single unit costs more
MAX_LIFE_MONTHS = 360
_SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_AMOUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


class RowRefusal(StrEnum):
    """Why a row was not imported (the result file says it in the manager's language)."""

    BAD_SERIAL = "bad_serial"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    ALREADY_IN_FLEET = "already_in_fleet"
    UNKNOWN_PRODUCT = "unknown_product"
    BAD_COST = "bad_cost"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    OUTSIDE_REGIONS = "outside_regions"
    BAD_LIFE = "bad_life"
    BAD_RESIDUAL = "bad_residual"


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A row of the file (`line` 2 is the first after the header) as read, and what it would become."""

    line: int
    serial: str
    product: str
    region: str = ""
    cost: Money | None = None
    acquired_on: date | None = None
    useful_life_months: int = 0
    residual: Money | None = None
    refusal: RowRefusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def read_units_csv(text: str, *, products: Collection[str], regions: Collection[Region], today: date,
                   currency: str = "KRW") -> list[UnitRow]:
    """Every row of the file, checked against the brand's products and service regions and against the rows
    before it; `UnitsFileInvalid` for a file that is not such a CSV at all (no header, a column missing,
    too many rows)."""
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise UnitsFileInvalid(str(error)) from error
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise UnitsFileInvalid("missing columns: " + ", ".join(missing))
    reader.fieldnames = header
    rows: list[UnitRow] = []
    seen: set[tuple[str, str]] = set()
    try:
        for number, raw in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise UnitsFileInvalid(f"more than {MAX_ROWS} rows")
            cells = {key: (value or "").strip() for key, value in raw.items() if isinstance(key, str)}
            if not any(cells.values()):
                continue  # a blank line
            row = _row(number, cells, products, regions, today, currency)
            if row.ok and (row.product, row.serial) in seen:
                row = _refused(row, RowRefusal.DUPLICATE_IN_FILE)
            seen.add((row.product, row.serial))
            rows.append(row)
    except csv.Error as error:
        raise UnitsFileInvalid(str(error)) from error
    return rows


def _refused(row: UnitRow, why: RowRefusal) -> UnitRow:
    return UnitRow(row.line, row.serial, row.product, row.region, refusal=why)


def _row(line: int, cells: dict[str, str], products: Collection[str], regions: Collection[Region], today: date,
         currency: str) -> UnitRow:
    serial, product = cells.get("serial", ""), cells.get("product", "")
    base = UnitRow(line, serial[:SERIAL_MAX + 1], product[:64], cells.get("region", "")[:32])
    if len(serial) > SERIAL_MAX or not _SERIAL.fullmatch(serial):
        return _refused(base, RowRefusal.BAD_SERIAL)
    if product not in products:
        return _refused(base, RowRefusal.UNKNOWN_PRODUCT)
    cost = _won(cells.get("cost", ""), currency)
    if cost is None or not cost.is_positive or cost.amount_minor > MAX_COST_WON:
        return _refused(base, RowRefusal.BAD_COST)
    acquired_on = _day(cells.get("acquired_on", ""))
    if acquired_on is None:
        return _refused(base, RowRefusal.BAD_DATE)
    if acquired_on > today:
        return _refused(base, RowRefusal.FUTURE_DATE)
    region = _region(cells.get("region", ""), regions)
    if region is None:
        return _refused(base, RowRefusal.OUTSIDE_REGIONS)
    life = _life(cells.get("useful_life_months", ""))
    if life is None:
        return _refused(base, RowRefusal.BAD_LIFE)
    residual = _won(cells["residual"], currency) if cells.get("residual") else default_residual(cost)
    if residual is None or residual > cost:
        return _refused(base, RowRefusal.BAD_RESIDUAL)
    return UnitRow(line, serial, product, region, cost, acquired_on, life, residual)


def _won(text: str, currency: str) -> Money | None:
    cleaned = text.strip().removeprefix("₩").strip()
    if not _AMOUNT.fullmatch(cleaned):
        return None
    return Money(int(cleaned.replace(",", "")), currency)


def _day(text: str) -> date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _region(text: str, regions: Collection[Region]) -> str | None:
    wanted = text.strip().lower()
    for region in regions:
        if wanted == region.code or wanted in region.names:
            return region.code
    return None


def _life(text: str) -> int | None:
    if not text:
        return DEFAULT_USEFUL_LIFE_MONTHS
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= MAX_LIFE_MONTHS:
        return None
    return int(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: the result file echoes what the manager's file held, and a serial
    typed `=cmd|...` must not run when the file is opened."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def result_csv(rows: Iterable[tuple[int, str, bool, str]]) -> bytes:
    """The import's result file: row, serial, imported or refused, and the reason (in the manager's words)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "serial", "result", "reason"])
    for line, serial, imported, reason in rows:
        writer.writerow([line, inert_cell(serial), "imported" if imported else "refused", inert_cell(reason)])
    return buffer.getvalue().encode("utf-8")
