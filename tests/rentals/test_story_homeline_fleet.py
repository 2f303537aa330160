"""The story "Homeline runs its fleet" end to end through the sandbox, on SQLite and on PostgreSQL, from late August
2026 on:

1. Junho, Homeline's manager, imports 200 purifiers from a CSV: a live progress message, then a result file in
   which two duplicate serials are refused.
2. Contracts fill the fleet: Minji and Jisoo rent purifiers, Sora the car, all installed on Friday 28 August.
   Jisoo's card declines her rent: billing's dunning reminds her, late interest runs at 6% a year by day, and when
   her third month is unpaid the contract is provisionally terminated, both sides told and the pickup booked.
3. `jigap rentals close-month homeline 2026-11` books November's rent, depreciation, commission amortisation and
   Jisoo's late interest; running it again changes nothing; the report shows revenue, book value, utilisation and
   overdue aging, and /rental_report draws them.
4. Minji asks at month 14 what ending early would cost: 10% of the rent left in the mandatory period and the
   removal fee; she confirms and pays, the pickup is booked and the sales agent's commission partly clawed back.
5. Sora ends her car early; Kim, the technician, picks it up and grades it C with a photo; the ₩450,000 charge is
   shown to her with the photo and she accepts it; her ₩3,000,000 deposit comes back less the charge; Junho puts
   the car back in stock, refurbished.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.commands.rentals import close_month_command, report_command
from bot.scheduler import rentals_tick
from sandbox.client import BotMessage, SandboxUser
from subscriptions.accounts.records import RoleGrant
from subscriptions.clock import FixedClock
from subscriptions.money import Money
from subscriptions.rentals.accounting import brand_account, late_interest
from subscriptions.rentals.applications import SignedContract
from subscriptions.rentals.contracts import ContractStatus, EndReason
from subscriptions.rentals.identity import IdentityPolicy
from subscriptions.rentals.services import applications, schedules
from subscriptions.rentals.services.demo import CAR, PURIFIER
from subscriptions.rentals.slots import week_of_slots
from subscriptions.rentals.stock import UnitStatus
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals.helpers import CONSENT, GOV, JWS, PDF, NamedBureau, to_signing
from tests.rentals.worlds import homeline_world

START = datetime(2026, 8, 26, 0, 30, tzinfo=UTC)  # a Wednesday, 09:30 in Seoul
INSTALLATION = datetime(2026, 8, 28, 6, 0, tzinfo=UTC)  # Friday 15:00 in Seoul
MINJI, JISOO, SORA = "HL-2026-000101", "HL-2026-000102", "HL-2026-000103"
SLOTS = {MINJI: 4, JISOO: 3, SORA: 5}  # Friday 14:00, 10:00 and 17:00 of the week shown on Wednesday
QUOTE_AT_14 = ["Ending now, after 14 months of rent:", "Rent left in the mandatory period: ₩657,800",
               "Early-termination fee (share of the rent left): ₩65,780", "Removal fee: ₩30,000", "Total: ₩95,780"]


@pytest.fixture
async def world(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Jigap]:
    async with homeline_world(migrated_database_url, FixedClock(START), monkeypatch) as jigap:
        yield jigap


def purifiers_csv() -> bytes:
    """200 purifiers bought in August; rows 57 and 140 repeat the serial before them."""
    lines = ["serial,product,cost,acquired_on,region"]
    for n in range(1, 201):
        serial = f"PF-2026-{n - 1 if n in (57, 140) else n:05d}"
        lines.append(f"{serial},homeline-purifier,{580_000 + n % 7 * 1_000},2026-08-0{1 + n % 9},seoul")
    return ("\n".join(lines) + "\n").encode()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def brand_id(world: Jigap) -> int:
    async with world.services.uow() as uow:
        found = await uow.organisations.get_by_slug("homeline")
    assert found is not None
    return found.id


async def add_calendar_week(world: Jigap, starts: datetime) -> None:
    """A week of Seoul slots from `starts` in Homeline's calendar, so that a pickup finds a time."""
    brand = await brand_id(world)
    async with world.services.uow() as uow:
        ids = [f"story-{starts:%Y%m%d}-{n:02d}" for n in range(21)]
        for slot in week_of_slots(ids, brand, "seoul", starts, "Asia/Seoul", hours=(10, 14, 17), capacity=3):
            await uow.rental_slots.add(slot)
        await uow.commit()


async def rent(world: Jigap, person: SandboxUser, product: str, contract_id: str, name: str) -> None:
    """Walked to the signing step through the services (the checkout's screens are the checkout tests'), signed now."""
    steps = dataclasses.replace(world.services.rentals, bureau=NamedBureau(),
                                identity_policy=IdentityPolicy(frozenset({GOV})))
    held = await to_signing(steps, person.id, product, name=name, slot_index=SLOTS[contract_id])
    signature = SignedContract(contract_id, hashlib.sha256(PDF).hexdigest(), JWS,
                               (hashlib.sha256(CONSENT.encode()).hexdigest(),), world.clock.now())
    await applications.sign_contract(steps, person.id, held.id, signature)


async def pay_first(person: SandboxUser, total: int) -> None:
    reminder = await person.next_message()
    await person.press("Pay now", reminder)
    await person.next_message()  # the parts of the first payment
    invoice = await person.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == total
    assert (await person.pay(invoice)).paid
    await receipt_and_reply(person)


async def message_starting(person: SandboxUser, start: str) -> BotMessage:
    """The next message that starts with `start`, skipping the others (receipts, notes of other things)."""
    message = await person.next_message()
    while not message.text.startswith(start):
        message = await person.next_message()
    return message


async def end_with_quote(world: Jigap, person: SandboxUser, total: str) -> list[str]:
    """Ask /rentals what ending costs, confirm, pay by card; the quote's lines."""
    listing = await person.send("/rentals")
    await person.press("What would ending early cost?", listing)
    quote = await person.wait_for_edit(listing)
    await person.press(f"End it and pay {total}", quote)
    await person.wait_for_edit(quote)
    invoice = await person.next_message()
    assert invoice.invoice is not None
    assert (await person.pay(invoice)).paid
    await receipt_and_reply(person)
    await world.deliver()
    return quote.text.splitlines()


async def test_homeline_runs_its_fleet(world: Jigap, tmp_path: object) -> None:
    junho = await world.started_user("Junho", "en")
    await world.grant(junho, "brand_manager", "homeline")
    brand = await brand_id(world)

    # 1. 200 purifiers from a CSV: progress, then the result file with the two duplicates refused.
    assert (await junho.send("/units import")).text.startswith("Send the units as a CSV file")
    await world.send_document(junho, purifiers_csv(), "purifiers.csv")
    progress = await junho.next_message()
    done = await junho.wait_for_edit(progress, containing="Done")
    assert done.text.startswith("Done: 198 units imported, 2 rows refused, for ₩")
    result = await junho.next_message()
    rows = list(csv.DictReader(io.StringIO((await world.file_bytes(result)).decode())))
    assert [(row["serial"], row["reason"]) for row in rows if row["result"] == "refused"] == [
        ("PF-2026-00056", "the serial is in the file twice"), ("PF-2026-00139", "the serial is in the file twice")]

    # 2. Contracts fill the fleet: two purifiers and the car, installed on Friday at 15:00.
    minji = await world.started_user("Minji", "en")
    jisoo = await world.started_user("Jisoo", "en")
    sora = await world.started_user("Sora", "en")
    for person, product, contract_id in ((minji, PURIFIER, MINJI), (jisoo, PURIFIER, JISOO), (sora, CAR, SORA)):
        await rent(world, person, product, contract_id, person.first_name)
    world.advance(hours=25)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    for person, total in ((minji, 79_900), (jisoo, 79_900), (sora, 3_590_000)):
        await pay_first(person, total)
    await world.deliver()
    recorded = await junho.send(f"/commission {MINJI} agent:kim 120,000")
    assert recorded.text == f"Commission of ₩120,000 for agent:kim recorded on contract {MINJI}."
    world.clock.set(INSTALLATION)
    for contract_id in (MINJI, JISOO, SORA):
        await junho.send(f"/installed {contract_id}")
    await world.deliver()
    for person in (minji, jisoo, sora):
        await message_starting(person, "Homeline")  # "... is installed."

    # Sora ends her car early in September, after her cooling-off period (the return is step 5).
    world.clock.set(INSTALLATION + timedelta(days=20))
    await add_calendar_week(world, world.clock.now() + timedelta(days=1))
    await end_with_quote(world, sora, "₩5,566,000")
    pickup = await message_starting(sora, "Your contract for Homeline electric car, long-term is ending.")
    assert pickup.buttons == ["Move the pickup"]

    # Jisoo's card declines months 2, 3 and 4; Minji pays each. Dunning reminds Jisoo; interest runs by day.
    view = await schedules.schedule_of(world.services.rentals, JISOO)
    for index in (1, 2, 3):
        due = view.instalments[index].due_at
        world.clock.set(due - timedelta(days=3))
        await world.tick()
        await world.deliver()
        minjis = await message_starting(minji, "")
        assert minjis.invoice is not None and (await minji.pay(minjis)).paid
        await receipt_and_reply(minji)
        if index == 1:  # her only invoice: later months wait behind the unpaid one, as billing's dunning says
            jisoos = await message_starting(jisoo, "")
            assert jisoos.invoice is not None and not (await jisoo.pay(jisoos, fail=True)).paid
            world.clock.set(due + timedelta(days=1, minutes=1))
            await world.tick()
            await world.services.delivery.scheduler.sweep()
            await world.deliver()
            dunning = await message_starting(jisoo, "The payment for")
            assert dunning.text.endswith("has not arrived. Pay now to keep your subscription.")
            listing = await jisoo.send("/rentals")
            assert "Overdue: 1 month, ₩29,900" in listing.text.splitlines()
    fourth = view.instalments[3].due_at
    await add_calendar_week(world, fourth + timedelta(days=1))
    world.clock.set(fourth + timedelta(minutes=1))
    await world.tick()
    assert await rentals_tick(world.services) == 1
    await world.deliver()
    told = await message_starting(jisoo, "Your rental of Homeline water purifier is provisionally terminated")
    assert "three months of rent are unpaid" in told.text
    await message_starting(jisoo, "Your contract for Homeline water purifier is ending. We pick the unit up on ")
    after = await schedules.schedule_of(world.services.rentals, JISOO)
    assert (after.contract.status, after.contract.end_reason) == (ContractStatus.ENDING, EndReason.NON_PAYMENT)

    # 3. The close of November, on the command line: booked once, and the report.
    world.clock.set(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))  # noon on 1 December in Seoul
    out = io.StringIO()
    args = argparse.Namespace(brand="homeline", month="2026-11")
    assert await close_month_command(world.services, args, out) == 0
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("homeline 2026-11 closed: ")
    booked = {line.split(":")[0].strip() for line in printed[1:]}
    assert booked == {"rent", "depreciation", "amortisation", "interest"}
    async with world.services.uow() as uow:
        closed = await uow.rental_closes.get(brand, "2026-11")
        interest = await uow.ledger.for_account(brand_account(brand, "revenue:interest"))
    assert closed is not None and closed.summary is not None
    summary = closed.summary
    # November's rent: Minji's and Jisoo's fourth months began on 28 November (Jisoo's ended just after).
    assert summary.booked["rent"] == 2 * 29_900
    assert summary.booked["amortisation"] == 120_000 * 4 // 36 - 120_000 * 3 // 36  # month 4 of 36
    jisoo_interest = sum(
        (late_interest(Money(29_900, "KRW"), max(0, (datetime(2026, 11, 30, 15, 0, tzinfo=UTC) - due).days))
         - late_interest(Money(29_900, "KRW"), max(0, (datetime(2026, 10, 31, 15, 0, tzinfo=UTC) - due).days))
         ).amount_minor for due in (view.instalments[1].due_at, view.instalments[2].due_at, fourth))
    assert summary.booked["interest"] == jisoo_interest
    assert [t.amount_for(brand_account(brand, "revenue:interest")) for t in interest] == [
        Money(-jisoo_interest, "KRW")]
    assert summary.aging_counts[:3] == (1, 1, 1) and summary.units == 22 + 198
    again = io.StringIO()
    assert await close_month_command(world.services, args, again) == 0
    assert again.getvalue().endswith("nothing changed.\n")
    report = io.StringIO()
    assert await report_command(world.services, argparse.Namespace(brand="homeline", month=None, csv=None),
                                report) == 0
    assert report.getvalue().startswith("2026-11: revenue ₩")
    assert "utilisation" in report.getvalue() and "overdue: 1-30 days ₩29,900 (1)" in report.getvalue()
    revenue = await junho.send("/rental_report")
    aging = await junho.next_message()
    assert revenue.photo and aging.photo
    assert "Book value of the fleet: ₩" in revenue.text and "Overdue: ₩89,700" in revenue.text

    # 4. Minji at month 14: the quote, her confirmation and payment; the pickup; the commission clawed back.
    for index in range(4, 14):
        due = (await schedules.schedule_of(world.services.rentals, MINJI)).instalments[index].due_at
        world.clock.set(due - timedelta(days=3))
        await world.tick()
        await world.deliver()
        invoice = await message_starting(minji, "")
        while invoice.invoice is None:
            invoice = await minji.next_message()
        assert (await minji.pay(invoice)).paid
        await receipt_and_reply(minji)
    month_14 = (await schedules.schedule_of(world.services.rentals, MINJI)).instalments[13].due_at
    world.clock.set(month_14 + timedelta(days=2))
    await add_calendar_week(world, world.clock.now() + timedelta(days=1))
    assert await end_with_quote(world, minji, "₩95,780") == [*QUOTE_AT_14, "This quote holds until the end of today."]
    await message_starting(minji, "Your contract for Homeline water purifier is ending. We pick the unit up on ")
    async with world.services.uow() as uow:
        agent = await uow.ledger.for_account(brand_account(brand, "payable:agent:kim"))
    assert [entry.kind for entry in agent] == ["commission", "comm_clawback"]
    assert agent[1].amount_for(brand_account(brand, "payable:agent:kim")) == Money(120_000 - 120_000 * 13 // 36, "KRW")

    # 5. Sora's car comes back damaged: grade C with a photo, the charge accepted, the deposit back less it.
    kim = await world.started_user("Kim", "en")
    async with world.services.uow() as uow:
        await uow.roles.grant(RoleGrant(kim.id, "technician", brand), granted_by=None, now=world.clock.now())
        await uow.commit()
    queue = await kim.send("/returns")
    while SORA not in queue.text:
        queue = await kim.next_message()
    await kim.press("Picked up", queue)
    await kim.press("C: damaged", await kim.wait_for_edit(queue))
    await kim.wait_for_edit(queue, containing="Grade C")
    await kim.send_photo(png())
    await kim.send("Dent on the rear door")
    done = await kim.send("450,000")
    assert done.text == "Inspection done. The charge of ₩450,000 is shown to the customer with the photos."
    await world.deliver()
    photo = await message_starting(sora, "Photo 1 of 1")
    assert photo.photo
    charge = await sora.next_message()
    assert charge.text.splitlines()[-1] == ("Damage charge: ₩450,000, taken from your deposit of ₩3,000,000; "
                                            "₩2,550,000 comes back to you.")
    await sora.press("Accept", charge)
    await sora.wait_for_edit(charge)
    async with world.services.uow() as uow:
        contract = await uow.rental_contracts.get(SORA)
        assert contract is not None and contract.unit_id is not None
        payment = await uow.payments.get(contract.first_payment_reference)
    assert contract.status is ContractStatus.SETTLED
    assert payment is not None and payment.refunded_amount == Money(2_550_000, "KRW")
    await world.deliver()
    card = await junho.send("/returns")
    while "Refurbished, back in stock" not in card.buttons:
        card = await junho.next_message()
    await junho.press("Refurbished, back in stock", card)
    assert (await junho.wait_for_edit(card)).text.endswith("is refurbished and back in stock.")
    async with world.services.uow() as uow:
        unit = await uow.rental_units.get(contract.unit_id)
    assert unit is not None and unit.status is UnitStatus.IN_STOCK
