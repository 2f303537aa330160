"""`jigap rentals units`: a rental brand's fleet on the command line.

    jigap rentals units BRAND [--csv FILE]
    jigap rentals units BRAND --import FILE [--result FILE]

BRAND is the brand's organisation slug (e.g. homeline) or its number. Without options it prints every unit (serial,
product, region, status, cost, book value today); --csv writes them as CSV to FILE (`-` for standard output).
--import adds the units of a CSV file (columns serial, product, cost, acquired_on, region, and optionally
useful_life_months and residual) by the same engine as /units import in the chat, printing progress, and writes
the result of every row to --result (default: FILE with `-result` before its extension). Exit status: 0 ok,
1 no such brand or the file cannot be imported, 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from subscriptions.money import Money
from subscriptions.numbers import whole_number
from subscriptions.rentals.errors import UnitsFileInvalid
from subscriptions.rentals.services import fleet
from subscriptions.rentals.unit_import import inert_cell, result_csv

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_FILE_BYTES = 20 * 1024 * 1024
REASONS = {  # the result file's reasons, in English as the operator reads them
    "bad_serial": "the serial is empty, too long or has characters a serial cannot have",
    "duplicate_in_file": "the serial is in the file twice",
    "already_in_fleet": "a unit of this product with this serial is in the fleet already",
    "unknown_product": "the brand has no such product",
    "bad_cost": "the cost is not a whole number of won above zero",
    "bad_date": "acquired_on is not a date written YYYY-MM-DD",
    "future_date": "acquired_on is in the future",
    "outside_regions": "the region is not one the brand serves",
    "bad_life": "useful_life_months is not a number of months from 1 to 360",
    "bad_residual": "the residual is not a whole number of won up to the cost",
}


def add_units(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `rentals units` beside the other actions of `jigap rentals`."""
    units = actions.add_parser("units", help="list a brand's units, or import units from a CSV file")
    units.add_argument("brand", help="the brand's slug (homeline) or number")
    units.add_argument("--csv", metavar="FILE", help="write the units as CSV to FILE (- for stdout)")
    units.add_argument("--import", dest="import_file", metavar="FILE", type=Path, help="import units from FILE")
    units.add_argument("--result", metavar="FILE", type=Path, help="where the import writes each row's result")
    units.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.import_file is not None and args.csv:
        sys.stderr.write("jigap rentals units: --import and --csv do not go together\n")
        return EXIT_USAGE
    return run_with_services(args, units_command)


Command = Callable[[Services, argparse.Namespace, TextIO], Awaitable[int]]


def run_with_services(args: argparse.Namespace, command: Command) -> int:
    """`command` with the bot's services opened from the configuration, printing to standard output: every
    `jigap rentals` action runs this way."""
    config = load_config(args.config)

    async def go() -> int:
        async with open_runtime(config) as services:
            return await command(services, args, sys.stdout)

    return asyncio.run(go())


async def brand_id_of(services: Services, name: str) -> int | None:
    async with services.uow() as uow:
        found = await uow.organisations.get_by_slug(name)
        number = whole_number(name)
        if found is None and number is not None:
            found = await uow.organisations.get(number)
    return found.id if found is not None and found.kind == "brand" else None


async def units_command(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    brand_id = await brand_id_of(services, args.brand)
    if brand_id is None:
        sys.stderr.write(f"jigap rentals units: there is no brand called {args.brand}\n")
        return EXIT_FAILURE
    if args.import_file is not None:
        return await import_file(services, brand_id, args.import_file, args.result, out)
    return await list_units(services, brand_id, args.csv, out)


def _won(amount: Money | None) -> str:
    return "" if amount is None else str(amount.amount_minor)


async def list_units(services: Services, brand_id: int, csv_path: str | None, out: TextIO) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["serial", "product", "region", "status", "cost", "book_value"])
    count = 0
    async for line in fleet.unit_lines(services.rentals, brand_id):
        writer.writerow([inert_cell(line.serial), line.product, line.region, line.status.value, _won(line.cost),
                         _won(line.book_value)])
        count += 1
    if csv_path is None or csv_path == "-":
        out.write(buffer.getvalue() if csv_path == "-" else _table(buffer.getvalue()))
        return EXIT_OK
    await asyncio.to_thread(Path(csv_path).write_text, buffer.getvalue(), encoding="utf-8")
    out.write(f"{count} units written to {csv_path}\n")
    return EXIT_OK


def _table(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in rows)


async def import_file(services: Services, brand_id: int, path: Path, result: Path | None, out: TextIO) -> int:
    try:
        if (await asyncio.to_thread(path.stat)).st_size > MAX_FILE_BYTES:
            sys.stderr.write(f"jigap rentals units: {path} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB\n")
            return EXIT_FAILURE
        text = (await asyncio.to_thread(path.read_bytes)).decode("utf-8-sig")
    except OSError as exc:
        sys.stderr.write(f"jigap rentals units: cannot read {path}: {exc.strerror}\n")
        return EXIT_FAILURE
    except UnicodeDecodeError:
        sys.stderr.write(f"jigap rentals units: {path} is not a CSV file in UTF-8\n")
        return EXIT_FAILURE

    async def progress(done: int, total: int) -> None:
        out.write(f"checked {done} of {total} rows\n")

    try:
        report = await fleet.import_units(services.rentals, None, brand_id, text, progress=progress)
    except UnitsFileInvalid as error:
        sys.stderr.write(f"jigap rentals units: {path} cannot be imported: {error}. Nothing was added.\n")
        return EXIT_FAILURE
    target = result or path.with_name(f"{path.stem}-result{path.suffix or '.csv'}")
    content = result_csv((row.line, row.serial, row.imported, REASONS[row.refusal.value] if row.refusal else "")
                         for row in report.rows)
    await asyncio.to_thread(target.write_bytes, content)
    out.write(f"{report.imported} units imported, {report.refused} rows refused, for {report.cost.amount_minor} "
              f"{report.cost.currency}; the result of every row is in {target}\n")
    return EXIT_OK
