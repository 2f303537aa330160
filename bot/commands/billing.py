"""`jigap earnings`: a merchant's balance and statement, as text or as CSV for the books.

    jigap earnings ORG [--currency KRW] [--csv FILE] [--since YYYY-MM-DD] [--until YYYY-MM-DD]

ORG is the organisation's slug (e.g. cafe-onda). Without --currency every currency the merchant's
offers use or it was paid in is shown; --csv writes the statement of one currency (`-` for standard output) with ISO
dates in UTC and exact decimal amounts, and the purpose of each line's payment (new_subscription,
renewal, upgrade, gift, purchase, tip) in its last column. Dates are read in the configured default timezone.
Exit status: 0 ok, 1 no such organisation, 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from subscriptions.billing import services as billing
from subscriptions.ledger import Statement, merchant_account, statement, statement_csv
from subscriptions.money import format_money

EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE = 0, 1, 2


class EarningsUsageError(Exception):
    """The command line cannot be acted on (a bad date, CSV for several currencies)."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `earnings` on the jigap command line."""
    parser = subparsers.add_parser("earnings", help="a merchant's balance and statement (CSV with --csv)",
                                   description="Print a merchant's balance and statement, or export it as CSV.")
    parser.add_argument("organisation", help="the organisation's slug, e.g. cafe-onda")
    parser.add_argument("--currency", help="one currency (KRW, XTR, ...); default: all the merchant uses")
    parser.add_argument("--csv", metavar="FILE", help="write the statement as CSV to FILE (- for stdout)")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="first day of the statement")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="day after the last day of the statement")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)

    async def go() -> int:
        async with open_runtime(config) as services:
            return await earnings(services, args, sys.stdout)

    try:
        return asyncio.run(go())
    except EarningsUsageError as error:
        sys.stderr.write(f"jigap earnings: {error}\n")
        return EXIT_USAGE


def _day(text: str | None, timezone: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=ZoneInfo(timezone))
    except ValueError:
        raise EarningsUsageError(f"{text!r} is not a date like 2026-11-25") from None


async def statements(services: Services, merchant_id: str, currencies: list[str], since: datetime | None,
                     until: datetime | None) -> list[Statement]:
    async with services.billing.uow() as uow:
        account = merchant_account(merchant_id)
        journal = await uow.ledger.for_account(account)
    return [statement(journal, account, currency, since, until) for currency in currencies]


async def _currencies(services: Services, merchant_id: str) -> list[str]:
    """What the merchant's plans are priced in and whatever else it was paid in (tips in Stars, say)."""
    offers = await billing.merchant_offers(services.billing, merchant_id=merchant_id)
    async with services.billing.uow() as uow:
        paid = await uow.ledger.currencies(merchant_account(merchant_id))
    return sorted({plan.price.currency for offer in offers for plan in offer.plans} | set(paid))


async def earnings(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """The command's work on open services; `out` receives the text (or the CSV for `--csv -`)."""
    timezone = services.config.i18n.default_timezone
    since, until = _day(args.since, timezone), _day(args.until, timezone)
    async with services.uow() as uow:
        organisation = await uow.organisations.get_by_slug(args.organisation)
    if organisation is None:
        sys.stderr.write(f"jigap earnings: there is no organisation called {args.organisation}\n")
        return EXIT_UNKNOWN
    merchant_id = str(organisation.id)
    currencies = [args.currency.upper()] if args.currency else await _currencies(services, merchant_id)
    if args.csv and len(currencies) != 1:
        raise EarningsUsageError("--csv exports one currency: add --currency")
    found = await statements(services, merchant_id, currencies, since, until)
    if args.csv:
        purposes = await billing.payment_purposes(services.billing,
                                                  payment_ids=[line.reference for line in found[0].lines])
        text = statement_csv(found[0], purposes)
        if args.csv == "-":
            out.write(text)
        else:
            await asyncio.to_thread(Path(args.csv).write_text, text, encoding="utf-8")
            out.write(f"{organisation.name}: {len(found[0].lines)} lines written to {args.csv}\n")
        return EXIT_OK
    for result in found:
        out.write(f"{organisation.name} ({result.currency}): balance {format_money(result.closing, 'en')}, "
                  f"{len(result.lines)} lines\n")
        for line in result.lines:
            out.write(f"  {line.at.date().isoformat()}  {line.kind:<7} {format_money(line.amount, 'en'):>12}  "
                      f"{line.description}\n")
    return EXIT_OK
