"""The back office's money on each backend, through the services: the schedule written at the installation, a
rent's month marked paid once, the close's pages of late months and of commissions, three missed months, an
early termination paid (the commission clawed back in its transaction), and the end of a term."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.core.tables import events
from subscriptions.clock import FixedClock
from subscriptions.ledger import JournalTransaction
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.commissions import Settlement
from subscriptions.rentals.contracts import Contract, ContractStatus, EndReason
from subscriptions.rentals.errors import CommissionExists, CommissionTooLate, NotBrandManager
from subscriptions.rentals.services import applications, commissions, contracts, schedules, termination
from subscriptions.rentals.services.demo import AIR_PURIFIER, CLEANING, MATTRESS, PURIFIER
from subscriptions.rentals.services.schedules import RENT_DUNNING
from subscriptions.rentals.termination import term_end
from tests.rentals.helpers import APPLICANTS, MANAGER, signed_contract, to_signing

MINJI, JISOO, HANA = APPLICANTS[:3]
Homeline = tuple[Rentals, int]


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def _clock(rentals: Rentals) -> FixedClock:
    assert isinstance(rentals.clock, FixedClock)
    return rentals.clock


async def paid(rentals: Rentals, applicant_id: int, product_id: str = PURIFIER, *,
               agent: str | None = None) -> Contract:
    """A contract paid (with a commission recorded before the installation, if `agent`)."""
    held = await to_signing(rentals, applicant_id, product_id)
    await applications.sign_contract(rentals, applicant_id, held.id, signed_contract(f"c-{held.id}"[:40]))
    due = await applications.first_payment(rentals, applicant_id, held.id)
    contract = await contracts.record_first_payment(rentals, held.id, f"pay-{held.id}", due.total)
    if agent is not None:
        await commissions.record_commission(rentals, MANAGER, contract.id, agent, won(120_000))
    return contract


async def install(rentals: Rentals, *paid_ones: Contract) -> list[Contract]:
    """Each installed at its slot, in the order of their slots (the clock only moves on)."""
    done: dict[str, Contract] = {}
    for contract in sorted(paid_ones, key=lambda each: each.installation_at):
        _clock(rentals).set(max(rentals.clock.now(), contract.installation_at))
        done[contract.id] = await contracts.record_installation(rentals, MANAGER, contract.id)
    return [done[each.id] for each in paid_ones]


async def installed(rentals: Rentals, applicant_id: int, product_id: str = PURIFIER, *,
                    agent: str | None = None) -> Contract:
    (contract,) = await install(rentals, await paid(rentals, applicant_id, product_id, agent=agent))
    return contract


async def _event_kinds(rentals: Rentals) -> list[str]:
    async with rentals.uow() as uow:
        return [row.kind for row in await uow.connection.execute(select(events.c.kind))]  # type: ignore[attr-defined]


async def _ledger(rentals: Rentals, account: str) -> list[JournalTransaction]:
    async with rentals.uow() as uow:
        return await uow.ledger.for_account(account)


async def test_the_installation_writes_the_schedule_and_gives_the_rent_its_dunning(homeline: Homeline) -> None:
    rentals, _ = homeline
    contract = await installed(rentals, MINJI)
    view = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    assert len(view.instalments) == 36 and view.instalments[0].paid_at is not None
    assert all(each.paid_at is None for each in view.instalments[1:])
    assert view.instalments[1].due_at == contract.installed_at + timedelta(days=30)  # type: ignore[operator]
    async with rentals.uow() as uow:
        rent = await uow.subscriptions.get(contract.rent_subscription_id or "")
        term = await uow.rental_term_ends.get(contract.id)
    assert rent is not None and rent.dunning == RENT_DUNNING
    assert term is not None and not term.done and term.ends_at == term_end(view.contract)
    assert term.ends_at.month == 11 and term.ends_at.year == view.instalments[-1].due_at.year


async def test_a_rent_payment_marks_its_month_once_and_others_nothing(homeline: Homeline) -> None:
    rentals, _ = homeline
    contract = await installed(rentals, MINJI)
    at = contract.installed_at + timedelta(days=28)  # type: ignore[operator]
    assert await schedules.rent_paid(rentals, f"rent-{contract.id}", 2, at)
    assert not await schedules.rent_paid(rentals, f"rent-{contract.id}", 2, at + timedelta(days=1))
    assert not await schedules.rent_paid(rentals, "sub-cafe-pass", 2, at)
    view = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    assert view.instalments[1].paid_at == at and view.instalments[2].paid_at is None


async def test_late_months_come_in_keyset_pages_for_the_close(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    first, second = await install(rentals, await paid(rentals, MINJI), await paid(rentals, JISOO))
    start = first.installed_at + timedelta(days=60)  # type: ignore[operator]
    end = start + timedelta(days=35)  # month 4 falls due inside
    # Minji pays month 2 on time; month 3 late (inside the window), nothing after; Jisoo pays nothing.
    await schedules.rent_paid(rentals, f"rent-{first.id}", 2, first.installed_at + timedelta(days=29))  # type: ignore[operator]
    await schedules.rent_paid(rentals, f"rent-{first.id}", 3, start + timedelta(days=5))
    found, after = [], None
    async with rentals.read() as uow:
        while True:
            page = await uow.rental_instalments.late_in(brand_id, start, end, after, 2)
            found += page
            if len(page) < 2:
                break
            after = (page[-1].due_at, page[-1].contract_id, page[-1].number)
    order = [(each.due_at, each.contract_id, each.number) for each in found]
    assert order == sorted(order) and len(set(order)) == len(order)
    keys = [(each.contract_id, each.number) for each in found]
    by_contract = {contract_id: sorted(n for c, n in keys if c == contract_id) for contract_id, _ in keys}
    assert by_contract[first.id] == [3, 4] and by_contract[second.id] == [2, 3, 4]
    late = next(each for each in found if (each.contract_id, each.number) == (first.id, 3))
    assert late.paid_at == start + timedelta(days=5) and late.amount == won(29_900)


async def test_three_missed_months_terminate_provisionally_and_stop_the_rent(homeline: Homeline) -> None:
    rentals, _ = homeline
    contract = await installed(rentals, MINJI, agent="agent:kim")
    view = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    _clock(rentals).set(view.instalments[3].due_at - timedelta(seconds=1))
    assert await schedules.terminate_for_non_payment(rentals) == []  # two months overdue
    _clock(rentals).set(view.instalments[3].due_at)
    assert await schedules.terminate_for_non_payment(rentals) == [contract.id]
    assert await schedules.terminate_for_non_payment(rentals) == []  # once
    after = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    assert after.contract.status is ContractStatus.ENDING and after.contract.end_reason is EndReason.NON_PAYMENT
    assert [each.number for each in after.instalments] == [1, 2, 3, 4]  # what was overdue stays owed
    assert after.interest.is_positive
    async with rentals.uow() as uow:
        rent = await uow.subscriptions.get(contract.rent_subscription_id or "")
    assert rent is not None and not rent.is_live
    assert "ContractEnding" in await _event_kinds(rentals)
    assert after.commission is not None and after.commission.settlement is Settlement.CLAWED_BACK


async def test_a_payment_billing_holds_but_has_not_told_yet_saves_the_contract(homeline: Homeline) -> None:
    rentals, _ = homeline
    contract = await installed(rentals, MINJI)
    view = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    async with rentals.uow() as uow:
        rent = await uow.subscriptions.get(contract.rent_subscription_id or "")
        assert rent is not None
        before = rent.version
        rent.renew(amount=won(29_900), plan_version_id=rent.term.plan_version_id, now=view.instalments[1].due_at)
        await uow.subscriptions.save(rent, before)
        await uow.commit()
    _clock(rentals).set(view.instalments[3].due_at)
    assert await schedules.terminate_for_non_payment(rentals) == []
    assert (await schedules.schedule_for_customer(rentals, MINJI, contract.id)).instalments[1].paid_at is not None


async def test_a_commission_is_recorded_by_a_manager_at_the_start_and_capitalised(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract, other = await install(rentals, await paid(rentals, MINJI, agent="agent:kim"),
                                    await paid(rentals, JISOO, MATTRESS))
    with pytest.raises(CommissionExists):
        await commissions.record_commission(rentals, MANAGER, contract.id, "agent:lee", won(1_000))
    with pytest.raises(NotBrandManager):
        await commissions.record_commission(rentals, JISOO, other.id, "agent:lee", won(1_000))
    _clock(rentals).advance(timedelta(days=40))
    with pytest.raises(CommissionTooLate):
        await commissions.record_commission(rentals, MANAGER, other.id, "agent:lee", won(1_000))
    (entry,) = await _ledger(rentals, f"brand:{brand_id}:asset:commission")
    assert entry.amount_for(f"brand:{brand_id}:payable:agent:kim") == won(-120_000)
    async with rentals.read() as uow:
        page = await uow.rental_commissions.page_of_brand(brand_id, None, 10)
        rest = await uow.rental_commissions.page_of_brand(brand_id, page[-1].contract_id, 10)
    assert [each.contract_id for each in page] == [contract.id] and rest == []
    assert page[0].started_at == contract.installed_at


async def test_an_early_termination_paid_ends_the_contract_and_claws_back(homeline: Homeline) -> None:
    rentals, brand_id = homeline
    contract = await installed(rentals, MINJI, agent="agent:kim")
    view = await schedules.schedule_for_customer(rentals, MINJI, contract.id)
    for each in view.instalments[1:14]:
        await schedules.rent_paid(rentals, f"rent-{contract.id}", each.number, each.due_at)
    _clock(rentals).set(view.instalments[13].due_at + timedelta(days=2))  # month 14
    customer = await termination.quote_for_customer(rentals, MINJI, contract.id)
    brand = await termination.quote_for_brand(rentals, MANAGER, contract.id)
    assert customer.quote == brand.quote and customer.quote.total == won(95_780)
    with pytest.raises(NotBrandManager):
        await termination.quote_for_brand(rentals, JISOO, contract.id)
    ended = await termination.termination_paid(rentals, None, contract.id, "pay-t", won(95_780))  # type: ignore[arg-type]
    assert isinstance(ended, termination.Ended) and ended.contract.status is ContractStatus.ENDING
    assert ended.contract.end_reason is EndReason.EARLY_TERMINATION
    entries = await _ledger(rentals, f"brand:{brand_id}:payable:agent:kim")
    clawback = [each for each in entries if each.kind == "comm_clawback"]
    assert len(clawback) == 1 and clawback[0].amount_for(f"brand:{brand_id}:payable:agent:kim") == won(
        120_000 - 120_000 * 13 // 36)  # November to December 2027: 13 months amortised


async def test_the_end_of_the_term_passes_ownership_or_rolls_on(homeline: Homeline) -> None:
    rentals, _ = homeline
    owned, rolling, returned = await install(
        rentals, await paid(rentals, MINJI),  # the purifier is the customer's after 36 months
        await paid(rentals, JISOO, CLEANING),  # month to month after 12
        await paid(rentals, HANA, AIR_PURIFIER))  # returned after 18
    for contract in (owned, rolling, returned):
        view = await schedules.schedule_for_customer(rentals, contract.applicant_id, contract.id)
        for each in view.instalments[1:]:
            await schedules.rent_paid(rentals, f"rent-{contract.id}", each.number, each.due_at)
    cleaning = await schedules.schedule_for_customer(rentals, JISOO, rolling.id)
    _clock(rentals).set(cleaning.instalments[-1].due_at)  # its last month begins: one more is billed
    assert await termination.end_terms(rentals) == 1
    rolled = await schedules.schedule_for_customer(rentals, JISOO, rolling.id)
    assert len(rolled.instalments) == 13 and rolled.contract.status is ContractStatus.ACTIVE
    async with rentals.uow() as uow:
        rent = await uow.subscriptions.get(rolling.rent_subscription_id or "")
    assert rent is not None and rent.term_periods == 13
    _clock(rentals).set(rolled.instalments[-1].due_at)  # the term is over: month to month
    await termination.end_terms(rentals)
    rolled = await schedules.schedule_for_customer(rentals, JISOO, rolling.id)
    assert rolled.contract.status is ContractStatus.MONTH_TO_MONTH and len(rolled.instalments) == 14
    await termination.give_notice(rentals, JISOO, rolling.id)
    _clock(rentals).set(rolled.instalments[-1].due_at + timedelta(days=31))
    _clock(rentals).advance(timedelta(days=365 * 3))
    await termination.end_terms(rentals)
    ended = await schedules.schedule_for_customer(rentals, JISOO, rolling.id)
    assert ended.contract.status is ContractStatus.ENDING and ended.contract.end_reason is EndReason.TERM_END
    assert (await schedules.schedule_for_customer(rentals, MINJI, owned.id)).contract.status is ContractStatus.OWNED
    back = await schedules.schedule_for_customer(rentals, HANA, returned.id)
    assert back.contract.status is ContractStatus.ENDING and back.contract.end_reason is EndReason.TERM_END
    kinds = await _event_kinds(rentals)
    assert kinds.count("ContractOwned") == 1 and kinds.count("ContractEnding") == 2
