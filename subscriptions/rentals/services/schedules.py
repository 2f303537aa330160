"""A contract's schedule and its late payments: the rows written when the rent starts, each month marked paid
when billing records the rent's term, the schedule as a customer or a brand reads it, and the sweep that
provisionally terminates a contract three months behind.

Billing dunns the rent as any subscription (its reminders, in the customer's language), under the rent's own
dunning policy (`RENT_DUNNING`), whose suspension comes after three missed months: the rentals rule acts
first, and a suspended rent (which billing would restart on a new anchor) never happens to a running contract.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from subscriptions.billing.subscription import DunningPolicy
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.commissions import Commission
from subscriptions.rentals.contracts import Contract, EndReason, rent_subscription_id
from subscriptions.rentals.errors import ContractNotFound, RentalError
from subscriptions.rentals.late import (
    MISSED_MONTHS_TO_TERMINATE,
    InstalmentState,
    ScheduledInstalment,
    instalments_of,
    interest_owed,
    missed_enough,
)
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.commissions import capitalise_commission
from subscriptions.rentals.services.common import require_brand_manager
from subscriptions.rentals.services.endings import end_contract
from subscriptions.rentals.termination import TermEnd, first_act, term_end

# Reminders a day, three days and a week after a missed month, and on; suspended only after 92 days, past
# the third missed month (two months are at most 62 days), canceled for want of payment after 120.
RENT_DUNNING = DunningPolicy(steps_days=(1, 3, 7, 14, 30, 60, 92), cancel_after_days=120)
SWEEP_BATCH = 200


async def start_schedule(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> None:
    """The rent started: the schedule's rows (the first payment paid), the term's end, and the commission
    capitalised, in the installation's transaction."""
    assert contract.installed_at is not None
    await uow.rental_instalments.add_many(instalments_of(contract, contract.signed_at))
    ends = term_end(contract)
    await uow.rental_term_ends.put(TermEnd(contract.id, contract.brand_id, ends, first_act(contract)))
    await capitalise_commission(uow, rentals, contract)


def contract_of_rent(subscription_id: str) -> str | None:
    """The contract whose rent `subscription_id` is, read back from its id ("rent-<contract>")."""
    return subscription_id.removeprefix("rent-") if subscription_id.startswith("rent-") else None


async def rent_paid(rentals: Rentals, subscription_id: str, term_number: int, at: datetime) -> bool:
    """Billing recorded term `term_number` of a rent: that month is paid (once, whatever repeats). False for
    another subscription or a month marked before."""
    contract_id = contract_of_rent(subscription_id)
    if contract_id is None:
        return False
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None or rent_subscription_id(contract) != subscription_id:
            return False
        marked = await uow.rental_instalments.mark_paid(contract_id, term_number, at)
        await uow.commit()
    return marked


@dataclass(frozen=True)
class ScheduleView:
    """A contract's schedule at `now` as the customer, the brand and the command line read it."""

    contract: Contract
    product: LocalText
    instalments: list[ScheduledInstalment]
    interest: Money  # late interest owed
    commission: Commission | None
    now: datetime

    def count(self, state: InstalmentState) -> int:
        return sum(1 for each in self.instalments if each.state(self.now) is state)

    @property
    def overdue_amount(self) -> Money:
        late = [each.amount.amount_minor for each in self.instalments
                if each.state(self.now) is InstalmentState.OVERDUE]
        return Money(sum(late), self.contract.terms.currency)


async def view(uow: RentalsUnitOfWork, contract: Contract, now: datetime) -> ScheduleView:
    product = await uow.rental_products.get(contract.product_id)
    name = product.name if product is not None else LocalText(contract.product_id, contract.product_id)
    rows = await uow.rental_instalments.of_contract(contract.id)
    return ScheduleView(contract, name, rows, _interest_owed(contract, rows, now),
                        await uow.rental_commissions.get(contract.id), now)


def _interest_owed(contract: Contract, rows: list[ScheduledInstalment], now: datetime) -> Money:
    """Owed until the payment that ends the contract: an early termination's quote paid it."""
    if contract.end_reason is EndReason.EARLY_TERMINATION:
        return Money.zero(contract.terms.currency)
    return interest_owed(rows, now, contract.terms.currency)


async def schedule_for_brand(rentals: Rentals, manager_id: int, contract_id: str) -> ScheduleView:
    """A contract's schedule for a manager of its brand (anyone else: `NotBrandManager`)."""
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        await require_brand_manager(uow, manager_id, contract.brand_id)
        return await view(uow, contract, rentals.clock.now())


async def schedule_for_customer(rentals: Rentals, customer_id: int, contract_id: str) -> ScheduleView:
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None or contract.applicant_id != customer_id:
            raise ContractNotFound(contract_id)
        return await view(uow, contract, rentals.clock.now())


async def schedule_of(rentals: Rentals, contract_id: str) -> ScheduleView:
    """For the operator's command line (no chat member to check)."""
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        return await view(uow, contract, rentals.clock.now())


async def terminate_for_non_payment(rentals: Rentals) -> list[str]:
    """Every contract three months behind is provisionally terminated: it goes to `ending`, the rent stops,
    the commission is settled, `ContractEnding` tells the fleet, the customer and the brand. The ids done."""
    done: list[str] = []
    after: str | None = None
    while True:
        async with rentals.read() as uow:
            found = await uow.rental_instalments.missed(rentals.clock.now(), MISSED_MONTHS_TO_TERMINATE, after,
                                                        SWEEP_BATCH)
        done += [contract_id for contract_id in found if await _terminate_one(rentals, contract_id)]
        if len(found) < SWEEP_BATCH:
            return done
        after = found[-1]


async def _caught_up(uow: RentalsUnitOfWork, contract: Contract, rows: list[ScheduledInstalment],
                     now: datetime) -> list[ScheduledInstalment]:
    """The rows with every term billing holds paid marked so, in case its event is still on its way: a payment
    that came a moment ago never lets a contract be terminated for want of it."""
    sub = await uow.subscriptions.get(contract.rent_subscription_id or "")
    if sub is None:
        return rows
    marked: list[ScheduledInstalment] = []
    for each in rows:
        if each.paid_at is None and each.number <= sub.term.number:
            await uow.rental_instalments.mark_paid(contract.id, each.number, now)
            each = replace(each, paid_at=now)
        marked.append(each)
    return marked


async def _terminate_one(rentals: Rentals, contract_id: str) -> bool:
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None or not contract.is_billed:
            return False
        rows = await _caught_up(uow, contract, await uow.rental_instalments.of_contract(contract_id), now)
        if not missed_enough(rows, now):
            await uow.commit()
            return False
        try:
            await end_contract(uow, rentals, contract, EndReason.NON_PAYMENT, now)
        except RentalError:
            return False  # another worker ended it a moment ago
        await uow.commit()
    return True
