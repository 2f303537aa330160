"""`jigap rentals`: a brand's back office on the command line.

    jigap rentals units BRAND [--csv FILE] [--import FILE [--result FILE]]
                                              the fleet, or units added from a CSV file (bot.commands.rental_units)
    jigap rentals contracts BRAND [--csv FILE]  every contract with payments paid, months overdue and interest owed
    jigap rentals schedule CONTRACT           a contract's instalments: paid, due or overdue (bot.commands.rental_contracts)
    jigap rentals close-month BRAND MONTH     book MONTH (2026-11): rent, depreciation, commissions, late
                                              interest and visit credits; a second run changes nothing
    jigap rentals report BRAND [--month MONTH] [--csv FILE]
                                              the closed months' figures (revenue, book value, utilisation,
                                              early terminations, overdue aging); --csv writes MONTH's lines,
                                              or every month's figures without --month (- for standard output)

BRAND is the brand's organisation slug (homeline) or its number. Exit status: 0 ok, 1 no such brand or month,
2 usage error (a malformed month, a month not over yet).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Services
from bot.commands import rental_contracts, rental_units
from subscriptions.money import Money, format_money
from subscriptions.rentals import report
from subscriptions.rentals.close import CloseKind, CloseSummary
from subscriptions.rentals.errors import InvalidMonth, MonthNotOver
from subscriptions.rentals.services import close

EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `rentals ...` on the jigap command line."""
    parser = subparsers.add_parser("rentals", help="a brand's back office: units, contracts, the month-end close and its report",
                                   description="A rental brand's back office.")
    actions = parser.add_subparsers(dest="rentals_command", metavar="ACTION", required=True)
    rental_units.add_units(actions)
    rental_contracts.add_contracts(actions)
    closing = actions.add_parser("close-month", help="book a month for a brand (idempotent)")
    closing.add_argument("brand", help="the brand's slug (homeline) or number")
    closing.add_argument("month", help="the month, YYYY-MM (2026-11)")
    closing.set_defaults(func=lambda args: rental_units.run_with_services(args, close_month_command))
    reporting = actions.add_parser("report", help="the closed months' figures, or a month's lines as CSV")
    reporting.add_argument("brand", help="the brand's slug (homeline) or number")
    reporting.add_argument("--month", help="one closed month, YYYY-MM (default: the last closed)")
    reporting.add_argument("--csv", metavar="FILE", help="write CSV to FILE (- for standard output)")
    reporting.set_defaults(func=lambda args: rental_units.run_with_services(args, report_command))


async def close_month_command(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    brand = await rental_units.brand_id_of(services, args.brand)
    if brand is None:
        sys.stderr.write(f"jigap rentals close-month: there is no brand called {args.brand}\n")
        return EXIT_UNKNOWN
    try:
        result = await close.close_month(services.rentals, brand, args.month)
    except InvalidMonth:
        sys.stderr.write(f"jigap rentals close-month: {args.month!r} is not a month; write it YYYY-MM (2026-11)\n")
        return EXIT_USAGE
    except MonthNotOver:
        sys.stderr.write(f"jigap rentals close-month: {args.month} is not over yet; close it once it has ended\n")
        return EXIT_USAGE
    closed = result.closed
    if result.already_closed:
        out.write(f"{args.brand} {closed.month} was closed on {closed.closed_at:%Y-%m-%d %H:%M} UTC "
                  f"({closed.lines} lines); nothing changed.\n")
        return EXIT_OK
    out.write(f"{args.brand} {closed.month} closed: {closed.lines} lines booked\n")
    if closed.summary is not None:
        _booked(closed.summary, out)
    return EXIT_OK


def _booked(summary: CloseSummary, out: TextIO) -> None:
    for kind in CloseKind:
        minor = summary.booked.get(kind.value, 0)
        if minor:
            out.write(f"  {kind.value}: {format_money(Money(minor, summary.currency), 'en')}\n")


async def report_command(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    brand = await rental_units.brand_id_of(services, args.brand)
    if brand is None:
        sys.stderr.write(f"jigap rentals report: there is no brand called {args.brand}\n")
        return EXIT_UNKNOWN
    months = await close.closed_months(services.rentals, brand, last=120)
    months = [one for one in months if one.summary is not None]
    if args.month is not None:
        months = [one for one in months if one.month == args.month.strip()]
    if not months:
        which = f" for {args.month}" if args.month else ""
        sys.stderr.write(f"jigap rentals report: {args.brand} has no closed month{which}; "
                         f"run jigap rentals close-month first\n")
        return EXIT_UNKNOWN
    if args.csv:
        text = (report.lines_csv(months[-1].month, await close.close_lines(services.rentals, brand, months[-1].month))
                if args.month else report.months_csv(months))
        if args.csv == "-":
            out.write(text)
        else:
            await asyncio.to_thread(Path(args.csv).write_text, text, encoding="utf-8")
            out.write(f"{args.brand}: {text.count(chr(10)) - 1} rows written to {args.csv}\n")
        return EXIT_OK
    for closed in months[-12:]:
        assert closed.summary is not None
        _month(closed.month, closed.summary, out)
    return EXIT_OK


def _month(month: str, summary: CloseSummary, out: TextIO) -> None:
    def money(minor: int) -> str:
        return format_money(Money(minor, summary.currency), "en")

    out.write(f"{month}: revenue {money(summary.revenue)}, book value {money(summary.book_value)}, "
              f"utilisation {summary.utilisation:.0%} ({summary.installed}/{summary.units} units), "
              f"{summary.early_terminations} early terminations\n")
    aging = ", ".join(f"{label} days {money(amount)} ({count})" for label, amount, count
                      in zip(report.aging_labels(), summary.aging_amounts, summary.aging_counts, strict=True))
    out.write(f"  overdue: {aging}\n")
