"""`jigap earnings ORG --csv FILE`: the merchant's statement for the books, from what the chat recorded."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from bot.cli import build_parser
from bot.commands.billing import EXIT_OK, EXIT_UNKNOWN, earnings
from tests.billing.steps import subscribe
from tests.harness import Jigap


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["earnings", *argv])


async def test_the_cafe_statement_exports_as_csv_with_exact_amounts(world: Jigap, tmp_path: Path) -> None:
    alex = await world.started_user("Alex", "en")
    invoice = await subscribe(world, alex, "Cafe Onda", "20 Americanos")
    paid = await alex.pay(invoice)
    assert paid.paid
    await alex.next_messages(2)
    target = tmp_path / "onda.csv"
    out = io.StringIO()
    assert await earnings(world.services, _args("cafe-onda", "--csv", str(target)), out) == EXIT_OK
    assert out.getvalue() == f"Cafe Onda: 1 lines written to {target}\n"
    header, line = target.read_text(encoding="utf-8").splitlines()
    assert header == "date,description,kind,reference,currency,amount,balance"
    assert line.startswith("2026-11-25T03:00:00+00:00,Cafe Onda monthly pass - 20 Americanos,payment,")
    assert line.endswith(",KRW,42750,42750")
    text = io.StringIO()
    assert await earnings(world.services, _args("cafe-onda"), text) == EXIT_OK
    assert text.getvalue().splitlines()[0] == "Cafe Onda (KRW): balance ₩42,750, 1 lines"


async def test_an_unknown_organisation_exits_with_1(world: Jigap) -> None:
    assert await earnings(world.services, _args("no-such-shop"), io.StringIO()) == EXIT_UNKNOWN
