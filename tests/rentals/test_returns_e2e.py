"""A car comes back, through the sandbox on each backend. Minji's long-term car rental (deposit ₩3,000,000) ends
early: the pickup is booked at once a day ahead at least and she is told, with a button to move it. Kim, a
Homeline technician, uses /returns: Picked up, grade C, a photo, damage notes, and a charge (a negative one, a
word and one above the deposit are refused and change nothing). Minji sees the photo and the charge and accepts
it: her deposit comes back less the charge through billing's refund of the first payment, the ledger's deposit
is emptied, the contract is settled and both sides are told; the manager puts the unit back in stock.

Refused along the way, and audited: /returns and a Picked up press from someone who is not the brand's, a
forged grade, a technician choosing the unit's fate."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from sandbox.client import BotMessage, SandboxUser
from storage.core.tables import audit_log
from subscriptions.clock import FixedClock
from subscriptions.ledger import balance, merchant_account
from subscriptions.money import Money
from subscriptions.rentals.contracts import ContractStatus, deposit_account
from subscriptions.rentals.identity import IdentityPolicy
from subscriptions.rentals.returns import ReturnStatus
from subscriptions.rentals.services import applications
from subscriptions.rentals.services.demo import CAR
from subscriptions.rentals.stock import UnitStatus
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals.fleet_steps import end_contract
from tests.rentals.helpers import GOV, NOW, NamedBureau, signed_contract, to_signing
from tests.rentals.worlds import homeline_world

CONTRACT = "HL-2026-000077"
FRIDAY_14 = 4
DEPOSIT = Money(3_000_000, "KRW")


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    async with homeline_world(migrated_database_url, FixedClock(NOW), monkeypatch) as jigap:
        yield jigap


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def rented_car(world: Jigap, minji: SandboxUser, junho: SandboxUser) -> None:
    """Minji signs for the car, pays the first payment by card (the deposit in it) and it is installed."""
    steps = dataclasses.replace(world.services.rentals, bureau=NamedBureau(),
                                identity_policy=IdentityPolicy(frozenset({GOV})))
    held = await to_signing(steps, minji.id, CAR, name="Minji", slot_index=FRIDAY_14)
    await applications.sign_contract(steps, minji.id, held.id, signed_contract(CONTRACT))
    world.advance(hours=25)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    await minji.press("Pay now", reminder)
    await minji.next_message()  # the parts of the first payment
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 590_000 + 3_000_000
    assert (await minji.pay(invoice)).paid
    await receipt_and_reply(minji)
    await world.deliver()
    await minji.next_message()  # confirmed
    world.clock.set(NOW + timedelta(days=2, hours=5, minutes=30))  # Friday 15:00
    await junho.send(f"/installed {CONTRACT}")
    await world.deliver()
    await minji.next_message()  # installed


async def unit_status(world: Jigap) -> UnitStatus:
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None and contract.unit_id is not None
        unit = await uow.rental_units.get(contract.unit_id)
    assert unit is not None
    return unit.status


async def refused_actors(world: Jigap) -> set[tuple[int, str]]:
    async with world.services.uow() as uow:
        rows = (await uow.connection.execute(select(audit_log.c.actor_id, audit_log.c.outcome))).all()
    return {(row[0], row[1]) for row in rows}


async def test_a_car_comes_back_damaged_and_the_deposit_returns_less_the_charge(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    junho = await world.started_user("Junho", "en")
    await world.grant(junho, "brand_manager", "homeline")
    kim = await world.started_user("Kim", "en")
    await world.grant(kim, "technician", "homeline")
    stranger = await world.started_user("Stranger", "en")
    await rented_car(world, minji, junho)

    # The contract ends early (the money side's early termination): the pickup is booked and Minji told.
    world.advance(hours=20)  # Saturday morning: the week's slots from Sunday on are a day ahead
    assert (await kim.send("/returns")).text == "No pickup or return waits for you."
    await end_contract(world.services.rentals, CONTRACT, world.clock.now())
    await world.deliver()
    pickup = await minji.next_message()
    if pickup.text.startswith("Your rental of"):  # the ending itself, told first or second
        ending, pickup = pickup, await minji.next_message()
    else:
        ending = await minji.next_message()
    assert ending.text == ("Your rental of Homeline electric car, long-term has ended early, as you asked. The unit "
                           "will be picked up.")
    assert pickup.text.startswith("Your contract for Homeline electric car, long-term is ending. We pick the unit "
                                  "up on ")
    assert pickup.buttons == ["Move the pickup"]
    assert await unit_status(world) is UnitStatus.PICKUP_BOOKED

    # Minji looks at the other times (the booking stays where it is until she picks one).
    await minji.press("Move the pickup", pickup)
    choices = await minji.wait_for_edit(pickup)
    assert choices.text == "Pick a new pickup time:" and choices.buttons

    # Someone not of the brand is refused /returns and a forged Picked up, and both are audited.
    refused = await stranger.send("/returns")
    assert refused.text == "Sorry, only a brand's technicians can do this."
    queue = await kim.send("/returns")
    while "Pickup:" not in queue.text:
        queue = await kim.next_message()
    assert queue.buttons == ["Picked up"]
    answer = await world.forge_press(stranger, refused, f"rfr:{CONTRACT}:p")
    assert answer is not None and answer.text == "Sorry, only a brand's technicians can do this."
    assert (stranger.id, "refused") in await refused_actors(world)
    assert await unit_status(world) is UnitStatus.PICKUP_BOOKED

    await kim.press("Picked up", queue)
    graded = await kim.wait_for_edit(queue)
    assert graded.buttons == ["A: as new", "B: fair wear", "C: damaged", "D: badly damaged"]
    forged = await world.forge_press(kim, graded, f"rfr:{CONTRACT}:g:E")
    assert forged is not None and forged.text == "A grade is A, B, C or D."
    await kim.press("C: damaged", graded)
    prompt = await kim.wait_for_edit(graded)
    assert prompt.text.startswith("Grade C: damaged. Send photos of the damage")
    assert (await kim.send("Dent on the rear door")).text == "Send at least one photo of the damage first."
    kept = await kim.send_photo(png())
    assert kept.text == "Photo 1 kept. Send more, or type the damage notes."
    asked = await kim.send("Dent on the rear door")
    assert asked.text == "Type the damage charge in won (the deposit held is ₩3,000,000; 0 for none)."
    for typed, reason in (("-5", "Type the charge as a whole number of won, like 150000 (0 for none)."),
                          ("a lot", "Type the charge as a whole number of won, like 150000 (0 for none)."),
                          ("3,000,001", "The charge cannot be more than the deposit held.")):
        assert (await kim.send(typed)).text == reason
    done = await kim.send("450,000")
    assert done.text == "Inspection done. The charge of ₩450,000 is shown to the customer with the photos."
    assert await unit_status(world) is UnitStatus.INSPECTED

    await world.deliver()
    photo = await minji.next_message()
    assert photo.photo and photo.text == "Photo 1 of 1"
    charge = await minji.next_message()
    assert charge.text.splitlines() == [
        "The inspection of the returned Homeline electric car, long-term found damage: grade C: damaged.",
        "Notes: Dent on the rear door",
        "Damage charge: ₩450,000, taken from your deposit of ₩3,000,000; ₩2,550,000 comes back to you."]
    assert charge.buttons == ["Accept", "Dispute"]
    await minji.press("Accept", charge)
    accepted = await minji.wait_for_edit(charge)
    assert accepted.text == "You accepted the charge of ₩450,000. ₩2,550,000 of your deposit is refunded to your card."

    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None
        ret = await uow.rental_returns.get(CONTRACT)
        payment = await uow.payments.get(contract.first_payment_reference)
        journal = await uow.ledger.for_reference(contract.first_payment_reference)
        tasks = await uow.refund_tasks.open_for(None, 10)
    assert contract.status is ContractStatus.SETTLED
    assert ret is not None and ret.status is ReturnStatus.SETTLED and ret.charge == Money(450_000, "KRW")
    assert payment is not None and payment.refunded_amount == Money(2_550_000, "KRW")
    assert [task.amount for task in tasks] == [Money(2_550_000, "KRW")]
    assert balance(journal, deposit_account(CONTRACT), "KRW") == Money(0, "KRW")  # the deposit is emptied
    assert [t.kind for t in journal if t.kind in ("damage_charge", "deposit_return")] == [
        "damage_charge", "deposit_return"]
    brand = merchant_account(str(contract.brand_id))
    charged = next(t for t in journal if t.kind == "damage_charge")
    assert charged.amount_for(brand) == Money(-450_000, "KRW")

    await world.deliver()
    texts = [message.text for message in await minji.next_messages(2)]
    assert any(text.startswith("Homeline Rentals is to refund ₩2,550,000 to your card") for text in texts)  # billing's
    told = next(text for text in texts if text.startswith("Your return"))
    assert told == "Your return is settled: ₩2,550,000 of your deposit is refunded to your card (₩450,000 " \
                        "kept for damage)."
    settled_note = await junho.next_message()
    while "is settled" not in settled_note.text:
        settled_note = await junho.next_message()
    assert settled_note.text == (f"Contract {CONTRACT} is settled. Choose in /returns whether its unit is "
                                 "refurbished or written off.")

    # The unit's fate is the manager's: the technician is refused, Junho puts it back in stock.
    queue = await kim.send("/returns")
    answer = await kim.press("Refurbished, back in stock", queue)
    assert answer is not None and answer.text == "Sorry, only a brand's own people can do this."
    assert await unit_status(world) is UnitStatus.INSPECTED
    card = await junho.send("/returns")
    await junho.press("Refurbished, back in stock", card)
    back = await junho.wait_for_edit(card)
    assert back.text.endswith("is refurbished and back in stock.")
    assert await unit_status(world) is UnitStatus.IN_STOCK
    assert (kim.id, "refused") in await refused_actors(world)


async def _charge_message(world: Jigap, minji: SandboxUser) -> BotMessage:
    await world.deliver()
    await minji.next_message()  # the photo
    return await minji.next_message()


async def test_a_disputed_charge_goes_to_the_brand_and_a_manager_changes_it(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    junho = await world.started_user("Junho", "en")
    await world.grant(junho, "brand_manager", "homeline")
    await rented_car(world, minji, junho)
    await end_contract(world.services.rentals, CONTRACT, world.clock.now())
    await world.deliver()
    await minji.next_messages(2)  # the ending and the pickup
    queue = await junho.send("/returns")
    while "Pickup:" not in queue.text:
        queue = await junho.next_message()
    await junho.press("Picked up", queue)
    await junho.press("D: badly damaged", await junho.wait_for_edit(queue))
    await junho.wait_for_edit(queue)
    await junho.send_photo(png())
    await junho.send("Windscreen cracked")
    await junho.send("900000")
    charge = await _charge_message(world, minji)
    forged = await world.forge_press(junho, queue, f"rfc:{CONTRACT}:a")  # the charge is Minji's to accept
    assert forged is not None and forged.text == "There is no such return for you."
    await minji.press("Dispute", charge)
    disputed = await minji.wait_for_edit(charge)
    assert disputed.text.startswith("You disputed the charge.")
    await world.deliver()
    note = await junho.next_message()
    while "disputes" not in note.text:
        note = await junho.next_message()
    assert note.text == f"A customer disputes the damage charge of contract {CONTRACT}: see /returns."
    card = await junho.send("/returns")
    assert card.buttons == ["Uphold", "Change", "Waive"]
    await junho.press("Change", card)
    await junho.wait_for_edit(card)
    assert (await junho.send("3000001")).text == "The charge cannot be more than the deposit held."
    changed = await junho.send("300000")
    assert changed.text == ("Settled: ₩300,000 kept for damage, ₩2,700,000 of the deposit refunded to the "
                            "customer.")
    await world.deliver()
    texts = [message.text for message in await minji.next_messages(2)]
    assert any(text.startswith("The brand decided on your dispute. Your return is settled: ₩2,700,000")
               for text in texts)
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(CONTRACT)
        assert contract is not None
        payment = await uow.payments.get(contract.first_payment_reference)
    assert payment is not None and payment.refunded_amount == Money(2_700_000, "KRW")
