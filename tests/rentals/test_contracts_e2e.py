"""Minji's rental after she signed, through the sandbox on each backend: the application waiting for its first
payment is reminded, she pays by card, the confirmation and /rentals show the contract with the next payment and
installation, a repeated payment changes nothing, the day before she is reminded with the time and technician,
the brand records the installation (the rent becomes billing's fixed-term subscription anchored on that day),
the termination quote follows the plan's formula, and cancelling a week after installation refunds the first
payment in full and puts the unit back in stock; after 14 days the cancel is refused.

The checkout up to the signed contract is set up through the domain's services on the bot's own storage."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from sandbox.client import BotMessage, SandboxUser
from storage.core.tables import audit_log
from storage.rentals.tables import rental_contracts
from subscriptions.billing.payments import Purpose
from subscriptions.billing.subscription import Status
from subscriptions.clock import FixedClock
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.identity import IdentityPolicy
from subscriptions.rentals.plans import termination_cost
from subscriptions.rentals.services import applications
from subscriptions.rentals.services.demo import PURIFIER, demo_terms
from subscriptions.rentals.stock import UnitStatus
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals.helpers import GOV, NOW, NamedBureau, signed_contract, to_signing
from tests.rentals.worlds import homeline_world

CONTRACT = "HL-2026-000001"
INSTALLED = NOW + timedelta(days=2, hours=5, minutes=30)  # Friday 15:00 in Seoul
FRIDAY_14 = 4  # the week's slots from Thursday: 10, 14 and 17 each day; Friday 14:00 is the fifth


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    async with homeline_world(migrated_database_url, FixedClock(NOW), monkeypatch) as jigap:
        yield jigap


def checkout_steps(world: Jigap) -> Rentals:
    """The bot's rentals with a bureau and an identity policy of the tests' own, for the steps before signing."""
    return dataclasses.replace(world.services.rentals, bureau=NamedBureau(),
                               identity_policy=IdentityPolicy(frozenset({GOV})))


async def signed(world: Jigap, minji: SandboxUser) -> str:
    """Minji's application for the purifier, signed, its installation on Friday at 14:00; its id."""
    steps = checkout_steps(world)
    held = await to_signing(steps, minji.id, PURIFIER, name="Minji", slot_index=FRIDAY_14)
    await applications.sign_contract(steps, minji.id, held.id, signed_contract(CONTRACT))
    return held.id


async def pay_first_payment(world: Jigap, minji: SandboxUser) -> tuple[int, BotMessage]:
    """A day later the application waiting for its first payment is reminded; Pay now, pay by card. The
    successful payment's message and the confirmation."""
    world.advance(hours=25)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    assert reminder.text == "Your contract for Homeline water purifier is signed and waits for its first payment."
    await minji.press("Pay now", reminder)
    parts = await minji.next_message()
    assert parts.text.splitlines() == ["First payment for Homeline water purifier:", "Registration fee: ₩50,000",
                                       "First month: ₩29,900", "Total: ₩79,900"]
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 79_900
    paid = await minji.pay(invoice)
    assert paid.paid and paid.message_id is not None
    receipt, _ = await receipt_and_reply(minji)
    assert "₩79,900" in receipt.text
    await world.deliver()
    return paid.message_id, await minji.next_message()


async def the_unit(world: Jigap) -> UnitStatus:
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None and contract.unit_id is not None
        unit = await uow.rental_units.get(contract.unit_id)
    assert unit is not None
    return unit.status


async def manager(world: Jigap) -> SandboxUser:
    junho = await world.started_user("Junho", "en")
    await world.grant(junho, "brand_manager", "homeline")
    return junho


async def test_minji_pays_is_reminded_of_the_installation_and_cancels_a_week_after_it(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    await signed(world, minji)
    paid_message, confirmation = await pay_first_payment(world, minji)
    assert confirmation.text.splitlines() == [
        "Your rental is confirmed: Homeline water purifier.", f"Contract number: {CONTRACT}",
        "Installation: Nov 27 14:00, technician 박지훈", "Next payment: ₩29,900 on Dec 27"]

    listing = await minji.send("/rentals")
    assert listing.text.splitlines() == ["Homeline water purifier", f"Contract number: {CONTRACT}",
                                         "Next payment: ₩29,900 on Dec 27",
                                         "Installation: Nov 27 14:00, technician 박지훈"]
    assert listing.buttons == ["Reschedule installation", "Cancel (cooling-off)", "What would ending early cost?"]
    assert await the_unit(world) is UnitStatus.RESERVED

    # Telegram repeats the payment: nothing more is credited, no second contract or confirmation.
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None
        purchases = await uow.purchases.of_merchant(str(contract.brand_id), Purpose.PURCHASE, 10, 0)
    assert len(purchases) == 1
    await world.redeliver(minji, paid_message)
    again = await minji.send("/rentals")
    assert again.text == listing.text and await world.count(rental_contracts) == 1

    # Thursday 14:00, the day before: the time and the technician.
    world.clock.set(NOW + timedelta(days=1, hours=4, minutes=30))
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    assert reminder.text.splitlines() == ["Tomorrow your Homeline water purifier is installed.",
                                          "Installation: Nov 27 14:00, technician 박지훈"]
    await world.services.delivery.scheduler.sweep()  # once, however often it sweeps

    # Friday 15:00: Minji cannot record it herself; the brand's manager does, and the rent starts.
    world.clock.set(INSTALLED)
    refused = await minji.send(f"/installed {CONTRACT}")
    assert refused.text == "Sorry, only a brand's own people can do this."
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(audit_log.c.actor_id, audit_log.c.outcome))).all()
    assert (minji.id, "refused") in [tuple(row) for row in rows]
    junho = await manager(world)
    done = await junho.send(f"/installed {CONTRACT}")
    assert done.text == f"Installation of contract {CONTRACT} recorded. The monthly rent runs from today."
    await world.deliver()
    installed = await minji.next_message()
    assert installed.text.splitlines() == ["Homeline water purifier is installed.", "Next payment: ₩29,900 on Dec 27"]
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None and contract.installed_at == INSTALLED
        rent = await uow.subscriptions.get(contract.rent_subscription_id or "")
    assert rent is not None and rent.status is Status.ACTIVE and rent.provider == "card"
    assert rent.calendar.anchor == contract.installed_at and rent.term_periods == 36 and rent.terms_left == 35
    assert rent.term.start == INSTALLED and rent.term.end == INSTALLED + timedelta(days=30)  # Dec 27, 15:00
    assert rent.term.amount == Money(29_900, "KRW") and rent.user_id == minji.id
    assert await the_unit(world) is UnitStatus.INSTALLED

    # What ending early would cost, by the plan's formula after the first month.
    cost = termination_cost(demo_terms()[PURIFIER], 1)
    await minji.press("What would ending early cost?", again)
    quote = await minji.wait_for_edit(again)
    assert quote.text.splitlines() == [
        "Ending now, after 1 month of rent:", "Rent left in the mandatory period: ₩1,046,500",
        "Early-termination fee (share of the rent left): ₩104,650", "Removal fee: ₩30,000", "Total: ₩134,650",
        "This quote holds until the end of today."]
    assert quote.buttons == ["End it and pay ₩134,650", "Back"]
    assert cost.total == Money(134_650, "KRW")

    # A week after the installation: cancel in the cooling-off period.
    world.advance(days=7)
    listing = await minji.send("/rentals")
    assert listing.buttons == ["Cancel (cooling-off)", "What would ending early cost?"]
    await minji.press("Cancel (cooling-off)", listing)
    asked = await minji.wait_for_edit(listing)
    assert asked.buttons == ["Yes, cancel", "Back"]
    await minji.press("Yes, cancel", asked)
    canceled = await minji.wait_for_edit(asked)
    assert canceled.text.startswith("Canceled within the cooling-off period. Your first payment of ₩79,900")
    await world.deliver()
    async with world.services.uow() as uow:
        (payment,) = await uow.payments.for_user(minji.id, 5)
        rent = await uow.subscriptions.get(f"rent-{CONTRACT}")
        tasks = await uow.refund_tasks.open_for(None, 10)
    assert payment.refunded_amount == Money(79_900, "KRW") and not payment.refundable_amount.is_positive
    assert [task.amount for task in tasks] == [Money(79_900, "KRW")]
    assert rent is not None and rent.status is Status.CANCELED
    assert await the_unit(world) is UnitStatus.IN_STOCK


async def test_after_fourteen_days_the_cooling_off_cancel_is_refused(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    await signed(world, minji)
    await pay_first_payment(world, minji)
    junho = await manager(world)
    world.clock.set(INSTALLED)
    await junho.send(f"/installed {CONTRACT}")
    world.advance(days=15)
    listing = await minji.send("/rentals")
    await minji.press("Cancel (cooling-off)", listing)
    refused = await minji.wait_for_edit(listing)
    assert refused.text == ("The 14-day cooling-off period is over, so this contract cannot be canceled with a full "
                            "refund. Ask what ending early would cost instead.")
    assert await the_unit(world) is UnitStatus.INSTALLED
    async with world.services.uow() as uow:
        (payment,) = await uow.payments.for_user(minji.id, 5)
    assert payment.refunded_amount == Money(0, "KRW")


async def test_before_the_installation_minji_moves_it_to_another_free_time(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    await signed(world, minji)
    await pay_first_payment(world, minji)
    listing = await minji.send("/rentals")
    await minji.press("Reschedule installation", listing)
    times = await minji.wait_for_edit(listing)
    assert times.text == "Pick a new installation time:"
    assert "Nov 27 14:00" not in times.buttons and times.buttons[-1] == "Back"
    await minji.press("Nov 28 10:00", times)
    asked = await minji.wait_for_edit(times)
    assert asked.text == "Move the installation to Nov 28 10:00?"
    await minji.press("Move it", asked)
    moved = await minji.wait_for_edit(asked)
    assert moved.text.splitlines()[2:] == ["Next payment: ₩29,900 on Dec 28",  # the rent's anchor moved with it
                                           "Installation: Nov 28 10:00, technician 박지훈"]
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        old = await uow.rental_slots.free(contract.brand_id, contract.region, NOW, NOW + timedelta(days=7),
                                          world.clock.now()) if contract else []
    assert contract is not None and contract.slot_id == "homeline-seoul-2026-11-26-06"
    assert {each.slot.id: each.free for each in old}["homeline-seoul-2026-11-26-04"] == 2  # the old place is free


async def test_a_first_payment_for_an_application_that_ended_meanwhile_is_refunded_in_full(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    application_id = await signed(world, minji)
    world.advance(hours=25)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    await minji.press("Pay now", reminder)
    await minji.next_message()  # the parts
    invoice = await minji.next_message()
    # Between the invoice and the payment the application ends (she canceled it in another chat window).
    await applications.cancel_application(world.services.rentals, minji.id, application_id)
    paid = await minji.pay(invoice)
    assert paid.paid
    await receipt_and_reply(minji)
    await world.deliver()
    told = await minji.next_message()
    assert told.text == ("Your payment of ₩79,900 came after your rental application had ended, so it is refunded "
                         "in full. You can start a new application from Rentals.")
    async with world.services.uow() as uow:
        (payment,) = await uow.payments.for_user(minji.id, 5)
        contract = await uow.rental_contracts.by_application(application_id)
    assert payment.refunded_amount == Money(79_900, "KRW") and contract is None
