"""Contracts' use cases: the first payment turns a signed application into a contract; the customer's list with
the next payment and visit; moving the installation to another slot; the installation, which starts the rent
as billing's fixed-term subscription; cancelling within the cooling-off period; what ending early would
cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subscriptions.billing.services.fixed_term import start_fixed_term
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import applications as steps
from subscriptions.rentals import contracts as rules
from subscriptions.rentals.applications import Application, Step
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract, Instalment, RefundOwed, Visit
from subscriptions.rentals.errors import (
    ApplicationNotFound,
    ContractNotFound,
    PaymentMismatch,
    SlotFull,
    SlotNotFound,
    StepAlreadyTaken,
)
from subscriptions.rentals.events import ContractCanceledInCoolingOff, RentalConfirmed, RentalInstalled
from subscriptions.rentals.plans import TerminationCost
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import load_plan, log, require_brand_manager, save_step
from subscriptions.rentals.services.schedules import RENT_DUNNING, ScheduleView, start_schedule
from subscriptions.rentals.services.schedules import view as schedule_view
from subscriptions.rentals.services.termination import quote_for_customer
from subscriptions.rentals.slots import SlotAvailability


async def record_first_payment(rentals: Rentals, application_id: str, payment_reference: str,
                               amount: Money) -> Contract:
    """Billing credited the first payment: the contract starts (once per application, whatever repeats)."""
    async with rentals.uow() as uow:
        existing = await uow.rental_contracts.by_application(application_id)
        if existing is not None:
            return existing
        before = await uow.rental_applications.get(application_id)
        if before is None:
            raise ApplicationNotFound(application_id)
        contract = await _contract(uow, rentals, steps.at_step(before, rentals.clock.now(), Step.PAYMENT),
                                   payment_reference, amount)
        await _start(uow, rentals, before, contract)
        await uow.commit()
    return contract


async def _contract(uow: RentalsUnitOfWork, rentals: Rentals, application: Application, payment_reference: str,
                    amount: Money) -> Contract:
    terms = (await load_plan(uow, application.plan_id)).version(application.plan_version_id).terms
    if amount != terms.first_payment:
        raise PaymentMismatch(f"{amount} is not {terms.first_payment}")
    signed, hold = application.signed, application.slot
    slot = await uow.rental_slots.get(hold.slot_id) if hold is not None else None
    if signed is None or slot is None:
        raise SlotNotFound(application.id)
    return Contract(signed.contract_id, application.id, application.applicant_id, application.brand_id,
                    application.product_id, application.plan_id, application.plan_version_id, terms, slot.region,
                    application.unit_id, signed.signed_at, slot.starts_at, rentals.settings.timezone,
                    payment_reference, amount, signed.pdf_sha256, signed.signature, technician=slot.technician,
                    slot_id=slot.id)


async def _start(uow: RentalsUnitOfWork, rentals: Rentals, before: Application, contract: Contract) -> None:
    now = rentals.clock.now()
    if not await uow.rental_contracts.add(contract):
        raise StepAlreadyTaken(before.id)
    if contract.terms.deposit.is_positive:
        await uow.ledger.append(rules.deposit_held(rentals.ids.new_id(), contract, now))
    after = steps.paid(before, contract.first_payment_reference, now)
    await save_step(uow, rentals, before, after, "paid", {"payment_reference": contract.first_payment_reference},
                    [RentalConfirmed(contract.id, contract.applicant_id, contract.brand_id, contract.installation_at,
                                     now)])


@dataclass(frozen=True)
class ContractSummary:
    contract: Contract
    next_payment: Instalment | None
    next_visit: Visit | None
    cooling_off_open: bool
    product: LocalText
    schedule: ScheduleView | None = None  # paid, due, overdue and the late interest owed


async def my_contracts(rentals: Rentals, customer_id: int) -> list[ContractSummary]:
    """The customer's contracts, newest first, each with its product, next payment and visit."""
    async with rentals.read() as uow:
        found = await uow.rental_contracts.of_customer(customer_id)
        return [await _summary(uow, rentals, contract) for contract in found]


async def contract_summary(rentals: Rentals, customer_id: int, contract_id: str) -> ContractSummary:
    """One of the customer's contracts as /rentals shows it."""
    async with rentals.read() as uow:
        return await _summary(uow, rentals, await _customers(uow, customer_id, contract_id))


async def _summary(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> ContractSummary:
    now = rentals.clock.now()
    product = await uow.rental_products.get(contract.product_id)
    name = product.name if product is not None else LocalText(contract.product_id, contract.product_id)
    return ContractSummary(contract, rules.next_payment(contract, now), rules.next_visit(contract, now),
                           rules.cooling_off_open(contract, now), name, await schedule_view(uow, contract, now))


async def contract_brand(rentals: Rentals, contract_id: str) -> int:
    """The brand a contract is with (who may record its installation is asked of it)."""
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
    if contract is None:
        raise ContractNotFound(contract_id)
    return contract.brand_id


async def _customers(uow: RentalsUnitOfWork, customer_id: int, contract_id: str) -> Contract:
    contract = await uow.rental_contracts.get(contract_id)
    if contract is None or contract.applicant_id != customer_id:
        raise ContractNotFound(contract_id)
    return contract


async def installation_slots(rentals: Rentals, customer_id: int, contract_id: str,
                             days: int = 7) -> list[SlotAvailability]:
    """The week of the brand's slots in the contract's region with a place free, to move the installation to."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        contract = await _customers(uow, customer_id, contract_id)
        found = await uow.rental_slots.free(contract.brand_id, contract.region, now, now + timedelta(days=days), now)
    return [free for free in found if free.slot.id != contract.slot_id]


async def reschedule_installation(rentals: Rentals, customer_id: int, contract_id: str, slot_id: str) -> Contract:
    """Move the installation to another slot (before it happened): the new place is held and booked at once,
    the old one let go, in one transaction (`SlotFull` when the last place went meanwhile)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        slot = await uow.rental_slots.get(slot_id)
        if slot is None:
            raise SlotNotFound(slot_id)
        after = rules.rescheduled(before, slot, now)
        if before.slot_id is not None and before.slot_id != slot_id:
            await uow.rental_slots.release(before.slot_id, before.application_id)
        hold = await uow.rental_slots.hold(slot_id, before.application_id, now + rentals.settings.hold_lifetime, now)
        if hold is None or not await uow.rental_slots.confirm(slot_id, before.application_id, now):
            raise SlotFull(slot_id)
        if not await uow.rental_contracts.save(after, expected_version=before.version):
            raise StepAlreadyTaken(contract_id)
        await log(uow, rentals, after.application_id, "installation_rescheduled",
                  {"slot_id": slot_id, "from": before.slot_id})
        await uow.commit()
    return after


async def record_installation(rentals: Rentals, manager_id: int, contract_id: str) -> Contract:
    """The technician installed the unit: the rent's anchor and the cooling-off's second start. The rent
    starts with it, as billing's fixed-term subscription anchored on this day (its first month is the one paid
    at signing)."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await uow.rental_contracts.get(contract_id)
        if before is None:
            raise ContractNotFound(contract_id)
        await require_brand_manager(uow, manager_id, before.brand_id)
        after = rules.installed(before, now)
        if not await uow.rental_contracts.save(after, expected_version=before.version):
            raise StepAlreadyTaken(contract_id)
        if after.unit_id is not None:
            await uow.rental_units.install(after.unit_id, after.id, now)
        await _start_rent(uow, rentals, after)
        await start_schedule(uow, rentals, after)
        await log(uow, rentals, after.application_id, "installed",
                  {"unit_id": after.unit_id, "rent_subscription_id": after.rent_subscription_id})
        await uow.events.add([RentalInstalled(after.id, after.applicant_id, now)])
        await uow.commit()
    return after


async def _start_rent(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> None:
    assert contract.installed_at is not None and contract.rent_subscription_id is not None
    product = await uow.rental_products.get(contract.product_id)
    offer = rules.rent_offer(contract, product.name.ko if product is not None else contract.product_id)
    await start_fixed_term(uow, subscription_id=contract.rent_subscription_id, offer=offer,
                           plan_id=offer.plans[0].id, user_id=contract.applicant_id,
                           provider=rentals.settings.rent_provider, anchor=contract.installed_at,
                           timezone=contract.timezone, periods=contract.terms.term_months, now=rentals.clock.now(),
                           dunning=RENT_DUNNING)


async def cancel_in_cooling_off(rentals: Rentals, customer_id: int, contract_id: str) -> RefundOwed:
    """Cancel within the cooling-off period: the unit back in stock, and the refund billing is to give."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        after = rules.cancel_in_cooling_off(before, now)
        if not await uow.rental_contracts.save(after, expected_version=before.version):
            raise StepAlreadyTaken(contract_id)
        await _take_back(uow, rentals, after)
        await _stop_rent(uow, after)
        refund = RefundOwed(after.id, after.first_payment_reference, after.first_payment)
        await uow.events.add([ContractCanceledInCoolingOff(after.id, customer_id, after.brand_id,
                                                           refund.payment_reference, refund.amount.amount_minor,
                                                           refund.amount.currency, now)])
        await uow.commit()
    return refund


async def _stop_rent(uow: RentalsUnitOfWork, contract: Contract) -> None:
    """No more rent: the subscription ends now (its first month is in the refund of the first payment)."""
    sub = await uow.subscriptions.get(contract.rent_subscription_id) if contract.rent_subscription_id else None
    if sub is None or not sub.is_live or contract.canceled_at is None:
        return
    before = sub.version
    events = sub.cancel_now(contract.canceled_at, refund=None)
    await uow.subscriptions.save(sub, before)
    await uow.events.add(events)


async def _take_back(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> None:
    now = rentals.clock.now()
    if contract.unit_id is not None:
        await uow.rental_units.release(contract.unit_id, now)
    if contract.installed_at is None:
        application = await uow.rental_applications.get(contract.application_id)
        slot_id = contract.slot_id or (application.slot.slot_id if application and application.slot else None)
        if slot_id is not None:
            await uow.rental_slots.release(slot_id, contract.application_id)
    if contract.terms.deposit.is_positive:
        await uow.ledger.append(rules.deposit_released(rentals.ids.new_id(), contract, now))
    await log(uow, rentals, contract.application_id, "canceled_cooling_off", {"unit_id": contract.unit_id})


async def early_termination_quote(rentals: Rentals, customer_id: int, contract_id: str) -> TerminationCost:
    """What ending the contract now would cost by its own plan version's formula (the quote's first part)."""
    return (await quote_for_customer(rentals, customer_id, contract_id)).quote.cost
