"""`jigap rentals contracts` and `jigap rentals schedule`: a brand's contracts on the command line.

    jigap rentals contracts BRAND [--csv FILE]
    jigap rentals schedule CONTRACT

BRAND is the brand's organisation slug (homeline) or number. `contracts` prints one line per contract (status,
payments paid of all, months overdue, the late interest owed); --csv writes the same as CSV (`-` for standard
output), amounts in minor units, read and written a page at a time. `schedule` prints a contract's instalments,
each paid, due or overdue with the interest it carries. Exit status: 0 ok, 1 no such brand or contract, 2 usage
error.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Services
from bot.commands.rental_units import brand_id_of, run_with_services
from subscriptions.billing_calendar import zone
from subscriptions.money import format_money
from subscriptions.rentals.errors import ContractNotFound
from subscriptions.rentals.late import InstalmentState
from subscriptions.rentals.services import brand_contracts, schedules
from subscriptions.rentals.services.schedules import ScheduleView

EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2
CSV_HEADER = ("contract_id", "customer_id", "product_id", "status", "end_reason", "signed_at", "installed_at",
              "monthly_fee_minor", "currency", "payments", "paid", "overdue", "overdue_minor", "interest_minor",
              "commission_agent", "commission_minor")


def add_contracts(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `rentals contracts` and `rentals schedule` beside the other actions of `jigap rentals`."""
    listing = actions.add_parser("contracts", help="every contract of a brand (CSV with --csv)")
    listing.add_argument("brand", help="the brand's slug (homeline) or number")
    listing.add_argument("--csv", metavar="FILE", help="write the contracts as CSV to FILE (- for stdout)")
    listing.set_defaults(func=run_contracts)
    schedule = actions.add_parser("schedule", help="a contract's schedule: paid, due, overdue, interest")
    schedule.add_argument("contract", help="the contract number (HL-2026-000001)")
    schedule.set_defaults(func=run_schedule)


def run_contracts(args: argparse.Namespace) -> int:
    return run_with_services(args, contracts_listing)


def run_schedule(args: argparse.Namespace) -> int:
    return run_with_services(args, schedule_listing)


def csv_row(view: ScheduleView) -> list[str]:
    contract, commission = view.contract, view.commission
    return [contract.id, str(contract.applicant_id), contract.product_id, contract.status.value,
            contract.end_reason.value if contract.end_reason else "", contract.signed_at.isoformat(),
            contract.installed_at.isoformat() if contract.installed_at else "",
            str(contract.terms.monthly_fee.amount_minor), contract.terms.currency, str(len(view.instalments)),
            str(view.count(InstalmentState.PAID)), str(view.count(InstalmentState.OVERDUE)),
            str(view.overdue_amount.amount_minor), str(view.interest.amount_minor),
            commission.agent if commission else "", str(commission.amount.amount_minor) if commission else ""]


def line(view: ScheduleView) -> str:
    contract = view.contract
    text = (f"{contract.id}  customer {contract.applicant_id}  {contract.status.value}  "
            f"paid {view.count(InstalmentState.PAID)}/{len(view.instalments)}")
    overdue = view.count(InstalmentState.OVERDUE)
    if overdue:
        text += f"  overdue {overdue} ({format_money(view.overdue_amount, 'en')})"
    if view.interest.is_positive:
        text += f"  interest {format_money(view.interest, 'en')}"
    return text


async def contracts_listing(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    brand_id = await brand_id_of(services, args.brand)
    if brand_id is None:
        sys.stderr.write(f"jigap rentals contracts: there is no brand called {args.brand}\n")
        return EXIT_UNKNOWN
    if not args.csv:
        async for view in brand_contracts.every_contract(services.rentals, brand_id):
            out.write(line(view) + "\n")
        return EXIT_OK
    if args.csv == "-":
        return await _write_csv(services, brand_id, out)
    # Opened off the event loop; rows are buffered by the file and written a page at a time.
    target = await asyncio.to_thread(Path(args.csv).open, "w", encoding="utf-8", newline="")
    try:
        await _write_csv(services, brand_id, target)
    finally:
        await asyncio.to_thread(target.close)
    out.write(f"{args.brand}: contracts written to {args.csv}\n")
    return EXIT_OK


async def _write_csv(services: Services, brand_id: int, target: TextIO) -> int:
    writer = csv.writer(target)
    writer.writerow(CSV_HEADER)
    async for view in brand_contracts.every_contract(services.rentals, brand_id):
        writer.writerow(csv_row(view))
    return EXIT_OK


async def schedule_listing(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    try:
        view = await schedules.schedule_of(services.rentals, args.contract)
    except ContractNotFound:
        sys.stderr.write(f"jigap rentals schedule: there is no contract {args.contract}\n")
        return EXIT_UNKNOWN
    contract = view.contract
    local = zone(contract.timezone)
    out.write(f"{contract.id}  {contract.product_id}  customer {contract.applicant_id}  {contract.status.value}\n")
    if not view.instalments:
        out.write("  the rent starts with the installation\n")
    for each in view.instalments:
        state = each.state(view.now).value
        paid = f" on {each.paid_at.astimezone(local).date().isoformat()}" if each.paid_at else ""
        interest = each.interest(view.now)
        extra = f"  interest {format_money(interest, 'en')}" if interest.is_positive else ""
        out.write(f"  {each.number:>3}  {each.due_at.astimezone(local).date().isoformat()}  {format_money(each.amount, 'en'):>12}  "
                  f"{state}{paid}{extra}\n")
    out.write(f"  late interest owed: {format_money(view.interest, 'en')}\n")
    return EXIT_OK
