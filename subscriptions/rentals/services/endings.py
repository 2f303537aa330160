"""How a contract stops billing, whatever ended it (the customer's early termination, three missed months, the
end of a term with a return, a month-to-month contract after its notice): one transaction moves it to
`ending`, stops the rent, lets go of the months not yet due (those overdue stay owed), settles the
commission (clawed back or expensed) and records `ContractEnding` for the fleet, the customer and the brand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from subscriptions.rentals import Rentals
from subscriptions.rentals import commissions as commission_rules
from subscriptions.rentals.contracts import Contract, EndReason, ending
from subscriptions.rentals.errors import StepAlreadyTaken
from subscriptions.rentals.events import ContractEnding
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import log


async def end_contract(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, reason: EndReason,
                       at: datetime) -> Contract:
    """`contract` to `ending` for `reason` (`ContractNotActive` when it no longer bills; `StepAlreadyTaken`
    when another writer moved it first)."""
    after = ending(contract, reason, at)
    if not await uow.rental_contracts.save(after, expected_version=contract.version):
        raise StepAlreadyTaken(contract.id)
    await stop_rent(uow, after, at)
    await closed(uow, rentals, after, at)
    await uow.events.add([ContractEnding(after.id, after.applicant_id, after.brand_id, after.unit_id, reason.value,
                                         at)])
    await log(uow, rentals, after.application_id, "ending", {"reason": reason.value})
    return after


async def closed(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, at: datetime) -> None:
    """What every ending shares, ownership passing included: no more months, the term's sweep done, the
    commission settled."""
    await uow.rental_instalments.drop_unpaid_after(contract.id, at)
    term = await uow.rental_term_ends.get(contract.id)
    if term is not None and not term.done:
        await uow.rental_term_ends.put(replace(term, done=True))
    await settle_commission(uow, rentals, contract, at)


async def stop_rent(uow: RentalsUnitOfWork, contract: Contract, at: datetime) -> None:
    """Billing bills no more month of this contract (nothing is refunded: the months paid were used)."""
    if contract.rent_subscription_id is None:
        return
    sub = await uow.subscriptions.get(contract.rent_subscription_id)
    if sub is None or not sub.is_live:
        return
    before = sub.version
    events = sub.cancel_now(at, refund=None)
    await uow.subscriptions.save(sub, before)
    await uow.events.add(events)


async def settle_commission(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, at: datetime) -> None:
    commission = await uow.rental_commissions.get(contract.id)
    if commission is None or commission.started_at is None or commission.settlement is not None:
        return
    settled, how, left = commission_rules.settle_on_ending(commission, contract.end_reason, at)
    await uow.rental_commissions.save(settled)
    entry = commission_rules.settlement_entry(rentals.ids.new_id(), settled, how, left, at)
    if entry is not None:
        await uow.ledger.append(entry)
