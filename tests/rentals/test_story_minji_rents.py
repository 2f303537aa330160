"""The story "Minji rents a water purifier" end to end through the sandbox, on SQLite and on PostgreSQL: the plans
compared in a picture, her licence shared with her PIN, the credit check, a Seoul address and Thursday 14:00, the
contract PDF signed with her PIN (`jigap contract verify` says she signed it then, and a changed PDF fails), the
first payment by card, /rentals with the next payment and the installation, the reminder the day before with the
time and the technician, and a week after the installation the cooling-off cancel: a full refund and the unit back
in stock. Jisoo's referral approved by the brand and a polite decline are in test_checkout_e2e."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from subscriptions.money import Money
from subscriptions.rentals.stock import UnitStatus
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals.test_checkout_e2e import (  # noqa: F401 (the fixtures of the checkout's tests)
    NOW,
    PRINTING,
    clock,
    consent,
    licensed,
    manager,
    open_purifier,
    share_identity,
    to_slots,
    world,
)
from tests.wallet_e2e.helpers import PIN, enter_pin

ROOT = Path(__file__).resolve().parents[2]


def contract_verify(pdf: Path, signature: Path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("JIGAP_")}
    return subprocess.run([sys.executable, "-m", "bot.cli", "contract", "verify", str(pdf), str(signature)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env={**clean, "PYTHONPATH": str(ROOT)})


async def test_minji_rents_a_water_purifier(world: Jigap, tmp_path: Path) -> None:  # noqa: F811 (the fixture)
    minji = await licensed(world, "김민지")
    seo = await manager(world)
    # 1-3. The plans in a picture, her licence shown with her PIN, the credit check.
    screen = await share_identity(world, minji, await open_purifier(minji))
    assert (await consent(minji, screen)).text == "Approved by the credit check."
    # 4. A Seoul address and Thursday 14:00.
    slots = await to_slots(minji)
    await minji.press("Thu 26 Nov 14:00", slots)
    pdf_message = await minji.next_message(PRINTING)
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(await world.file_bytes(pdf_message))
    # 5. She signs with her PIN and keeps her signature beside the PDF.
    await minji.press("Sign with PIN", await minji.next_message())
    signed = await enter_pin(minji, await minji.next_message(PRINTING), PIN)
    assert signed.text.startswith("You signed the contract.")
    signature_message = await minji.next_message()
    assert signature_message.document is not None and signature_message.document["file_name"].endswith(".jws")
    signature = tmp_path / "contract.jws"
    signature.write_bytes(await world.file_bytes(signature_message))
    checked = contract_verify(pdf, signature)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "signed by:    김민지" in checked.stdout and "2026-11-25 21:04:00 KST" in checked.stdout
    changed = tmp_path / "changed.pdf"
    tampered = bytearray(pdf.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01  # one bit of the document, anywhere
    changed.write_bytes(bytes(tampered))
    assert contract_verify(changed, signature).returncode == 1
    # 6. The registration fee and the first month by card; /rentals shows the contract.
    await minji.next_message()  # the first payment's parts
    paid = await minji.pay(await minji.next_message())
    assert paid.paid
    await receipt_and_reply(minji)
    await world.deliver()
    confirmation = await minji.next_message()
    assert confirmation.text.startswith("Your rental is confirmed: Homeline water purifier.")
    async with world.services.uow() as uow:
        (contract,) = await uow.rental_contracts.of_customer(minji.id)
    listing = await minji.send("/rentals")
    assert f"Contract number: {contract.id}" in listing.text and "Next payment: ₩29,900" in listing.text
    assert "Installation: Nov 26 14:00, technician" in listing.text
    # The day before, the reminder names the time and the technician.
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    assert reminder.text.splitlines()[0] == "Tomorrow your Homeline water purifier is installed."
    assert reminder.text.splitlines()[1] == f"Installation: Nov 26 14:00, technician {contract.technician}"
    # Homeline installs it on Thursday.
    world.clock.set(NOW + timedelta(hours=18))
    await seo.send(f"/installed {contract.id}")
    await world.deliver()
    await minji.next_message()  # "installed"
    # 7. A week later she changes her mind: cancel within the cooling-off period.
    world.advance(days=7)
    listing = await minji.send("/rentals")
    await minji.press("Cancel (cooling-off)", listing)
    await minji.press("Yes, cancel", await minji.wait_for_edit(listing))
    await world.deliver()
    # The refund is billing's, made when the dispatcher hands it the cancellation: a moment after the answer.
    for _ in range(100):
        async with world.services.uow() as uow:
            (payment,) = await uow.payments.for_user(minji.id, 5)
            unit = await uow.rental_units.get(contract.unit_id or "")
        if payment.refunded_amount.is_positive:
            break
        await asyncio.sleep(0.1)
    assert payment.refunded_amount == Money(79_900, "KRW")
    assert unit is not None and unit.status is UnitStatus.IN_STOCK
