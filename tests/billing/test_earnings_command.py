"""`jigap earnings ORG --csv FILE`: the merchant's statement for the books, from what the chat recorded."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from bot.cli import build_parser
from bot.commands.billing import EXIT_OK, EXIT_UNKNOWN, earnings
from subscriptions.billing import services as billing
from subscriptions.billing.payments import Payment, Purpose
from subscriptions.ledger import RevenueSplit, payment_transaction
from subscriptions.money import Money
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
    assert header == "date,description,kind,reference,currency,amount,balance,purpose"
    assert line.startswith("2026-11-25T03:00:00+00:00,Cafe Onda monthly pass - 20 Americanos,payment,")
    assert line.endswith(",KRW,42750,42750,new_subscription")
    text = io.StringIO()
    assert await earnings(world.services, _args("cafe-onda"), text) == EXIT_OK
    assert text.getvalue().splitlines()[0] == "Cafe Onda (KRW): balance ₩42,750, 1 lines"


async def test_every_payment_and_refund_line_names_its_purpose_even_one_billing_does_not_know(
        world: Jigap) -> None:
    alex = await world.started_user("Alex", "en")
    assert (await alex.pay(await subscribe(world, alex, "Cafe Onda", "20 Americanos"))).paid
    await alex.next_messages(2)
    async with world.services.uow() as uow:
        cafe = await uow.organisations.get_by_slug("cafe-onda")
    assert cafe is not None
    (payment,) = await billing.receipt_history(world.services.billing, user_id=alex.id)
    await billing.refund(world.services.billing, payment_id=payment.payment_id, amount=Money(5000, "KRW"))
    await _tip(world, str(cafe.id), alex.id)
    out = io.StringIO()
    assert await earnings(world.services, _args("cafe-onda", "--csv", "-"), out) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["kind"], row["amount"], row["purpose"]) for row in rows] == [
        ("payment", "42750", "new_subscription"), ("refund", "-4750", "new_subscription"), ("payment", "3000", "tip")]


async def _tip(world: Jigap, merchant_id: str, user_id: int) -> None:
    """A tip paid by card, as billing credits one."""
    tip = Payment(id="tip-1", charge_id="tip-charge-1", provider_charge_id="", provider="card", user_id=user_id,
                  merchant_id=merchant_id, offer_id="", checkout_id="", purpose=Purpose.TIP,
                  amount=Money(3000, "KRW"), paid_at=world.clock.now(), description="Tip")
    split = RevenueSplit.of(merchant=10000).split(tip.amount, has_curator=False)
    async with world.services.billing.uow() as uow:
        await uow.payments.add(tip)
        await uow.ledger.append(payment_transaction(
            transaction_id="txn-tip-1", payment_id=tip.id, provider="card", amount=tip.amount, split=split,
            merchant_id=merchant_id, curator_id=None, at=world.clock.now(), description="Tip"))
        await uow.commit()


async def test_an_unknown_organisation_exits_with_1(world: Jigap) -> None:
    assert await earnings(world.services, _args("no-such-shop"), io.StringIO()) == EXIT_UNKNOWN
