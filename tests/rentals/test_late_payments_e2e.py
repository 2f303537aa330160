"""Minji stops paying her purifier's rent, through the sandbox on each backend: the second month's invoice comes, her
card declines it, billing's dunning reminds her in English, the months fall overdue with late interest at 6% a
year by day, and when the third month is overdue the contract is provisionally terminated: she and Homeline's
manager are both told, the rent stops, the brand's /contracts card shows what is owed, and `jigap rentals
schedule` prints it. /contracts is refused (and audited) for her, and a search that finds nothing says so."""

from __future__ import annotations

import argparse
import io
from datetime import timedelta

from sqlalchemy import select

from bot.commands.rental_contracts import contracts_listing, schedule_listing
from bot.scheduler import rentals_tick
from sandbox.client import SandboxUser
from storage.core.tables import audit_log
from subscriptions.billing.subscription import Status
from subscriptions.money import Money
from subscriptions.rentals.accounting import late_interest
from subscriptions.rentals.contracts import ContractStatus, EndReason
from subscriptions.rentals.late import days_late
from subscriptions.rentals.services import schedules
from tests.harness import Jigap
from tests.rentals import test_contracts_e2e as contracts_e2e
from tests.rentals.test_contracts_e2e import CONTRACT, INSTALLED, manager, pay_first_payment, signed

# The bot on the sandbox with Homeline loaded, the fixture the contracts' end-to-end tests use.
world = contracts_e2e.world


async def installed(world: Jigap) -> tuple[SandboxUser, SandboxUser]:
    """Minji's purifier paid and installed on Friday at 15:00; Minji and the brand's manager, Junho."""
    minji = await world.started_user("Minji", "en")
    await signed(world, minji)
    await pay_first_payment(world, minji)
    world.clock.set(INSTALLED)
    junho = await manager(world)
    await junho.send(f"/installed {CONTRACT}")
    await world.deliver()
    assert (await minji.next_message()).text.startswith("Homeline water purifier is installed.")
    return minji, junho


async def test_three_missed_months_terminate_the_contract_and_both_are_told(world: Jigap) -> None:
    minji, junho = await installed(world)
    view = await schedules.schedule_of(world.services.rentals, CONTRACT)
    second, _, fourth = view.instalments[1], view.instalments[2], view.instalments[3]

    # Three days before the second month: its invoice. Her card declines it.
    world.clock.set(second.due_at - timedelta(days=3))
    await world.tick()
    await world.deliver()
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 29_900
    declined = await minji.pay(invoice, fail=True)
    assert not declined.paid

    # A day after it fell due: billing's dunning, in her language; the month is overdue.
    world.clock.set(second.due_at + timedelta(days=1, minutes=1))
    await world.tick()
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    dunning = await minji.next_message()
    assert dunning.text == ("The payment for 홈라인 정수기 · 홈라인 정수기 has not arrived. Pay now to keep your "
                            "subscription.")
    async with world.services.uow() as uow:
        rent = await uow.subscriptions.get(f"rent-{CONTRACT}")
    assert rent is not None and rent.status is Status.PAST_DUE  # not suspended: the rentals rule acts first
    listing = await minji.send("/rentals")
    interest = late_interest(Money(29_900, "KRW"), 1)
    assert "Overdue: 1 month, ₩29,900" in listing.text.splitlines()
    assert interest.amount_minor == 4  # a day at 6% a year on ₩29,900
    assert f"Late interest owed (6% a year, by day): ₩{interest.amount_minor}" in listing.text.splitlines()

    # Two months overdue: nothing yet. The fourth month falls due unpaid: three missed, provisionally terminated.
    world.clock.set(fourth.due_at - timedelta(minutes=1))
    await world.tick()
    assert await rentals_tick(world.services) == 0
    world.clock.set(fourth.due_at + timedelta(minutes=1))
    await world.tick()
    assert await rentals_tick(world.services) == 1
    await world.deliver()
    told = await minji.next_message()
    assert told.text == ("Your rental of Homeline water purifier is provisionally terminated: three months of rent "
                         "are unpaid. The unit will be picked up; what is owed stays due.")
    # The managers hear of it, and that the calendar has no time left for the pickup (none was added).
    brand = sorted(message.text for message in await junho.next_messages(2))
    assert brand == [f"Contract {CONTRACT} is provisionally terminated for three unpaid months: the unit is to be "
                     "picked up.", f"No free time for the pickup of contract {CONTRACT}: add slots to the calendar."]
    assert await rentals_tick(world.services) == 0  # once

    after = await schedules.schedule_of(world.services.rentals, CONTRACT)
    assert after.contract.status is ContractStatus.ENDING and after.contract.end_reason is EndReason.NON_PAYMENT
    async with world.services.uow() as uow:
        rent = await uow.subscriptions.get(f"rent-{CONTRACT}")
    assert rent is not None and rent.status is Status.CANCELED
    now = world.clock.now()
    owed = sum(late_interest(Money(29_900, "KRW"), days_late(each.due_at, now)).amount_minor
               for each in after.instalments[1:4])
    assert after.interest == Money(owed, "KRW") and [each.number for each in after.instalments] == [1, 2, 3, 4]

    # The brand's card and schedule; Minji's /rentals.
    found = await junho.send(f"/contracts {CONTRACT}")
    assert found.text == "Contracts found:" and found.buttons == [f"{CONTRACT} · Minji"]
    await junho.press(found.buttons[0], found)
    card = await junho.wait_for_edit(found)
    assert card.text.splitlines()[1:] == [
        f"Contract number: {CONTRACT}", f"Customer: {minji.id}", "Status: ending: three months unpaid",
        "Paid: 1 of 4 payments", "Overdue: 3 months, ₩89,700",
        f"Late interest owed (6% a year, by day): ₩{owed:,}"]
    assert card.buttons == ["Card", "Schedule", "Quote"]
    await junho.press("Schedule", card)
    schedule = await junho.wait_for_edit(card)
    assert schedule.text.splitlines()[1].endswith("₩79,900 paid")
    assert schedule.text.splitlines()[2].startswith("2. Dec 27, 2026 ₩29,900 overdue (interest ₩")
    ended = await minji.send("/rentals")
    assert ended.text.splitlines()[-1] == "Ended: the unit is to be picked up."

    # The operator's command line reads the same.
    out = io.StringIO()
    assert await schedule_listing(world.services, argparse.Namespace(contract=CONTRACT), out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("ending") and "overdue" in lines[2] and lines[-1].startswith("  late interest owed: ₩")
    listing_out = io.StringIO()
    assert await contracts_listing(world.services, argparse.Namespace(brand="homeline", csv="-"), listing_out) == 0
    csv_lines = listing_out.getvalue().splitlines()
    assert csv_lines[0].startswith("contract_id,customer_id") and csv_lines[1].startswith(f"{CONTRACT},{minji.id},")
    assert f",4,1,3,89700,{owed}," in csv_lines[1]


async def test_contracts_is_refused_to_a_customer_and_finds_nothing_for_nothing(world: Jigap) -> None:
    minji, junho = await installed(world)
    refused = await minji.send(f"/contracts {CONTRACT}")
    assert refused.text == "Sorry, only a brand's own people can do this."
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(audit_log.c.actor_id, audit_log.c.outcome))).all()
    assert (minji.id, "refused") in [tuple(row) for row in rows]
    nothing = await junho.send("/contracts @nobody_here")
    assert nothing.text == "No contract of your brand matches that."
    by_name = await junho.send("/contracts minji")
    assert by_name.buttons == [f"{CONTRACT} · Minji"]
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        unit = await uow.rental_units.get(contract.unit_id or "") if contract else None
    assert unit is not None
    by_serial = await junho.send(f"/contracts {unit.serial.lower()}")
    assert by_serial.buttons == [f"{CONTRACT} · Minji"]
    forged = await world.forge_press(minji, by_serial, f"rbk:{CONTRACT}:c")
    assert forged is not None and forged.text == "Sorry, only a brand's own people can do this."
