"""`jigap shop report`: a shop's last 30 days in figures, or its redemptions and sales as CSV.

    jigap shop report SHOP [--csv FILE] [--days N]

SHOP is the shop's organisation slug (e.g. cafe-onda) or its number. --csv writes one line per redemption and per
payment (`-` for standard output), times in UTC, amounts in minor units. Exit status: 0 ok, 1 no such shop,
2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from subscriptions.money import format_money
from subscriptions.numbers import whole_number
from subscriptions.shops import reports
from subscriptions.shops.errors import ShopNotFound
from subscriptions.shops.services import stats

EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `shop report` on the jigap command line."""
    parser = subparsers.add_parser("shop", help="a shop's report (CSV with --csv)",
                                   description="Reports of a shop: its figures, its redemptions and sales.")
    actions = parser.add_subparsers(dest="shop_command", metavar="ACTION", required=True)
    report = actions.add_parser("report", help="the last days' figures, or every redemption and sale as CSV")
    report.add_argument("shop", help="the shop's slug (cafe-onda) or number")
    report.add_argument("--csv", metavar="FILE", help="write redemptions and sales as CSV to FILE (- for stdout)")
    report.add_argument("--days", type=int, default=90, help="how many days back (default 90)")
    report.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 3660:
        sys.stderr.write("jigap shop report: --days is 1 to 3660\n")
        return EXIT_USAGE
    config = load_config(args.config)

    async def go() -> int:
        async with open_runtime(config) as services:
            return await shop_report(services, args, sys.stdout)

    return asyncio.run(go())


async def _org_id(services: Services, name: str) -> int | None:
    async with services.uow() as uow:
        found = await uow.organisations.get_by_slug(name)
        number = whole_number(name)
        if found is None and number is not None:
            found = await uow.organisations.get(number)
    return found.id if found is not None and found.kind == "shop" else None


async def shop_report(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    org_id = await _org_id(services, args.shop)
    if org_id is None:
        sys.stderr.write(f"jigap shop report: there is no shop called {args.shop}\n")
        return EXIT_UNKNOWN
    shops = services.shops
    try:
        board = await stats.dashboard(shops, None, org_id)
    except ShopNotFound:
        sys.stderr.write(f"jigap shop report: {args.shop} has not opened its shop page yet\n")
        return EXIT_UNKNOWN
    if args.csv:
        lines = await stats.redemption_lines(shops, None, org_id, days=args.days)
        sales = await stats.sale_lines(shops, None, org_id, days=args.days)
        text = reports.report_csv(lines, sales)
        if args.csv == "-":
            out.write(text)
        else:
            await asyncio.to_thread(Path(args.csv).write_text, text, encoding="utf-8")
            out.write(f"{board.shop.name}: {len(lines)} redemptions and {len(sales)} sales written to {args.csv}\n")
        return EXIT_OK
    out.write(f"{board.shop.name}, the last {len(board.days)} days\n")
    out.write(f"  redemptions: {board.redemptions}\n  active passes: {board.active_passes}\n"
              f"  followers: {board.shop.followers}\n  revenue this month: {format_money(board.month_revenue, 'en')}\n")
    if board.busiest_hours:
        out.write("  busiest hours: " + ", ".join(f"{hour:02d}:00" for hour in board.busiest_hours) + "\n")
    names = {**board.product_names, stats.GIFT_CARDS: "gift cards", stats.OTHER: "other"}
    for key, amount in sorted(board.revenue.items(), key=lambda item: -item[1].amount_minor):
        out.write(f"  {names.get(key, key)}: {format_money(amount, 'en')}\n")
    return EXIT_OK
