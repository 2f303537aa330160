"""Minji ends her purifier early at month 14, through the sandbox on each backend: Homeline's manager records the
sales agent's commission at the start, she pays every month's rent by card, asks what ending would cost (10% of
the rent left in the mandatory period and the removal fee), the brand's /contracts shows the very same quote, a
forged total and someone else's press are refused, she confirms and pays, the contract goes to `ending`, both are
told, the rent stops and the unamortised commission is clawed back from the agent; paying it again is refused."""

from __future__ import annotations

from datetime import timedelta

from sandbox.client import SandboxUser
from subscriptions.billing.subscription import Status
from subscriptions.money import Money
from subscriptions.rentals.contracts import ContractStatus, EndReason
from subscriptions.rentals.services import schedules
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals import test_contracts_e2e as contracts_e2e
from tests.rentals.test_contracts_e2e import CONTRACT, INSTALLED, manager, pay_first_payment, signed

# The bot on the sandbox with Homeline loaded, the fixture the contracts' end-to-end tests use.
world = contracts_e2e.world
QUOTE = ["Ending now, after 14 months of rent:", "Rent left in the mandatory period: ₩657,800",
         "Early-termination fee (share of the rent left): ₩65,780", "Removal fee: ₩30,000", "Total: ₩95,780"]


async def pay_month(world: Jigap, minji: SandboxUser, due_at_index: int) -> None:
    """Three days before month `due_at_index + 1` falls due its invoice comes; she pays it by card."""
    view = await schedules.schedule_of(world.services.rentals, CONTRACT)
    world.clock.set(view.instalments[due_at_index].due_at - timedelta(days=3))
    await world.tick()
    await world.deliver()
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 29_900
    assert (await minji.pay(invoice)).paid
    await receipt_and_reply(minji)
    await world.deliver()


async def test_minji_ends_early_at_month_fourteen_and_the_commission_is_clawed_back(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    jisoo = await world.started_user("Jisoo", "en")
    await signed(world, minji)
    await pay_first_payment(world, minji)
    junho = await manager(world)
    recorded = await junho.send(f"/commission {CONTRACT} agent:kim 120,000")
    assert recorded.text == f"Commission of ₩120,000 for agent:kim recorded on contract {CONTRACT}."
    again = await junho.send(f"/commission {CONTRACT} agent:lee 5000")
    assert again.text == "This contract has its commission already."
    world.clock.set(INSTALLED)
    await junho.send(f"/installed {CONTRACT}")
    await world.deliver()
    await minji.next_message()  # installed

    for index in range(1, 14):  # months 2 to 14, each on its invoice
        await pay_month(world, minji, index)
    view = await schedules.schedule_of(world.services.rentals, CONTRACT)
    assert [each.paid_at is not None for each in view.instalments[:15]] == [True] * 14 + [False]
    world.clock.set(view.instalments[13].due_at + timedelta(days=2))  # month 14 runs

    listing = await minji.send("/rentals")
    await minji.press("What would ending early cost?", listing)
    quote = await minji.wait_for_edit(listing)
    assert quote.text.splitlines() == [*QUOTE, "This quote holds until the end of today."]
    assert quote.buttons == ["End it and pay ₩95,780", "Back"]

    # The brand's quote is the customer's.
    found = await junho.send(f"/contracts {CONTRACT}")
    await junho.press(found.buttons[0], found)
    card = await junho.wait_for_edit(found)
    assert "Commission: agent:kim, ₩120,000" in card.text.splitlines()
    await junho.press("Quote", card)
    brand_quote = await junho.wait_for_edit(card)
    assert brand_quote.text.splitlines() == [f"Quote for contract {CONTRACT}:", *QUOTE]

    # A forged total and someone else's press change nothing.
    day = (world.clock.now() + timedelta(hours=9)).date().isoformat()
    forged = await world.forge_press(minji, quote, f"rce:{CONTRACT}:{day}:1000")
    assert forged is not None and forged.text == "This quote is no longer valid. Please ask for it again."
    own = await jisoo.send("/rentals")  # a message of her own chat, to press the forged data on
    stranger = await world.forge_press(jisoo, own, f"rce:{CONTRACT}:{day}:95780")
    assert stranger is not None and stranger.text == "This contract is not one of yours."
    assert (await schedules.schedule_of(world.services.rentals, CONTRACT)).contract.is_billed

    # She confirms and pays: the contract ends, both are told.
    await minji.press("End it and pay ₩95,780", quote)
    assert (await minji.wait_for_edit(quote)).text.splitlines() == QUOTE
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 95_780
    paid = await minji.pay(invoice)
    assert paid.paid and paid.message_id is not None
    await receipt_and_reply(minji)
    await world.deliver()
    told = await minji.next_message()
    assert told.text == "Your rental of Homeline water purifier has ended early, as you asked. The unit will be picked up."
    # The managers hear of the ending, and that the calendar has no time left for the pickup (none was added).
    brand = sorted(message.text for message in await junho.next_messages(2))
    assert brand == [f"Contract {CONTRACT} was ended early by the customer, who paid the quote: the unit is to "
                     "be picked up.", f"No free time for the pickup of contract {CONTRACT}: add slots to the calendar."]

    after = await schedules.schedule_of(world.services.rentals, CONTRACT)
    assert after.contract.status is ContractStatus.ENDING and after.contract.end_reason is EndReason.EARLY_TERMINATION
    assert len(after.instalments) == 14  # the months not yet due are let go
    async with world.services.uow() as uow:
        rent = await uow.subscriptions.get(f"rent-{CONTRACT}")
        agent = await uow.ledger.for_account(f"brand:{after.contract.brand_id}:payable:agent:kim")
    assert rent is not None and rent.status is Status.CANCELED
    # Installed in November 2026, ended in December 2027 (month 14): 13 months amortised, 23 clawed back.
    assert [entry.kind for entry in agent] == ["commission", "comm_clawback"]
    clawed = agent[1].amount_for(f"brand:{after.contract.brand_id}:payable:agent:kim")
    assert clawed == Money(120_000 - 120_000 * 13 // 36, "KRW") == Money(76_667, "KRW")

    # Paying it again (the confirm pressed once more): refused, nothing more is invoiced.
    answer = await world.forge_press(minji, quote, f"rce:{CONTRACT}:{day}:95780")
    assert answer is not None and answer.text == "This contract has ended."
    # Telegram repeats the payment: credited once, the ending and the clawback once.
    await world.redeliver(minji, paid.message_id)
    await world.deliver()
    async with world.services.uow() as uow:
        agent = await uow.ledger.for_account(f"brand:{after.contract.brand_id}:payable:agent:kim")
        payments = await uow.payments.for_user(minji.id, 50)
    assert [entry.kind for entry in agent] == ["commission", "comm_clawback"]
    assert sum(1 for payment in payments if payment.amount == Money(95_780, "KRW")) == 1


async def test_a_second_invoice_of_the_termination_is_declined_once_the_first_is_paid(world: Jigap) -> None:
    minji = await world.started_user("Minji", "en")
    await signed(world, minji)
    await pay_first_payment(world, minji)
    world.clock.set(INSTALLED)
    junho = await manager(world)
    await junho.send(f"/installed {CONTRACT}")
    await world.deliver()
    await minji.next_message()  # installed
    invoices = []
    for hours in (8, 9.5):  # confirmed at 23:00 and at 00:30 the next day: two days' invoices, both open
        world.clock.set(INSTALLED + timedelta(days=20, hours=hours))
        listing = await minji.send("/rentals")
        await minji.press("What would ending early cost?", listing)
        quote = await minji.wait_for_edit(listing)
        await minji.press(quote.buttons[0], quote)
        await minji.wait_for_edit(quote)
        invoices.append(await minji.next_message())
    assert all(invoice.invoice is not None and invoice.invoice["total_amount"] == 134_650 for invoice in invoices)
    assert (await minji.pay(invoices[0])).paid
    await receipt_and_reply(minji)
    await world.deliver()
    assert (await minji.next_message()).text.startswith("Your rental of Homeline water purifier has ended early")
    # The other day's invoice is still open: paying it is declined before any money moves.
    second = await minji.pay(invoices[1])
    assert not second.paid and second.error_message == "You already own this. Nothing was charged."
    async with world.services.uow() as uow:
        payments = await uow.payments.for_user(minji.id, 50)
    kept = [payment for payment in payments if payment.amount == Money(134_650, "KRW")
            and payment.refundable_amount.is_positive]
    assert len(kept) == 1
    ended = await schedules.schedule_of(world.services.rentals, CONTRACT)
    assert ended.contract.status is ContractStatus.ENDING
