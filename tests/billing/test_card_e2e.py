"""Subscribing and paying by card through the sandbox: invoice, receipt, renewal invoice, duplicates."""

from __future__ import annotations

from tests.billing.world import BillingWorld


async def test_alex_subscribes_to_the_cafe_pass_by_card_and_gets_a_receipt(world: BillingWorld) -> None:
    alex = await world.user("Alex")
    invoice = await world.subscribe(alex, "Cafe Onda", "20 Americanos")
    assert invoice.invoice is not None
    assert invoice.invoice["currency"] == "KRW" and invoice.invoice["total_amount"] == 45000
    assert invoice.buttons[0] == "Pay ₩45,000"
    paid = await alex.pay(invoice)
    assert paid.paid
    receipt = await alex.next_message()
    assert receipt.text.startswith("Receipt") and "₩45,000" in receipt.text and "Cafe Onda" in receipt.text
    assert paid.telegram_payment_charge_id in receipt.text
    thanks = await alex.next_message()
    assert "renews on Dec 25" in thanks.text
    subs = await world.subscriptions_of(alex)
    assert [(s.plan_id, s.status.value, s.provider) for s in subs] == [("americano20", "active", "card")]
    assert await world.payments_count() == 1 and await world.journal_count() == 1
