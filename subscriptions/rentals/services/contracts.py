"""Contracts' use cases: the first payment turns a signed application into a contract; the customer's list with
the next payment and visit; the installation; cancelling within the cooling-off period; what ending early
would cost."""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import applications as steps
from subscriptions.rentals import contracts as rules
from subscriptions.rentals.applications import Application, Step
from subscriptions.rentals.contracts import Contract, Instalment, RefundOwed, Visit
from subscriptions.rentals.errors import (
    ApplicationNotFound,
    ContractNotFound,
    PaymentMismatch,
    SlotNotFound,
    StepAlreadyTaken,
)
from subscriptions.rentals.events import ContractCanceledInCoolingOff, RentalConfirmed, RentalInstalled
from subscriptions.rentals.plans import TerminationCost, termination_cost
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import load_plan, log, require_brand_manager, save_step


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
                    payment_reference, amount, signed.pdf_sha256, signed.signature)


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


async def my_contracts(rentals: Rentals, customer_id: int) -> list[ContractSummary]:
    """The customer's contracts, newest first, each with its next payment and visit."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        found = await uow.rental_contracts.of_customer(customer_id)
    return [ContractSummary(c, rules.next_payment(c, now), rules.next_visit(c, now), rules.cooling_off_open(c, now))
            for c in found]


async def _customers(uow: RentalsUnitOfWork, customer_id: int, contract_id: str) -> Contract:
    contract = await uow.rental_contracts.get(contract_id)
    if contract is None or contract.applicant_id != customer_id:
        raise ContractNotFound(contract_id)
    return contract


async def record_installation(rentals: Rentals, manager_id: int, contract_id: str) -> Contract:
    """The technician installed the unit: the rent's anchor and the cooling-off's second start."""
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
        await log(uow, rentals, after.application_id, "installed", {"unit_id": after.unit_id})
        await uow.events.add([RentalInstalled(after.id, after.applicant_id, now)])
        await uow.commit()
    return after


async def cancel_in_cooling_off(rentals: Rentals, customer_id: int, contract_id: str) -> RefundOwed:
    """Cancel within the cooling-off period: the unit back in stock, and the refund billing is to give."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        before = await _customers(uow, customer_id, contract_id)
        after = rules.cancel_in_cooling_off(before, now)
        if not await uow.rental_contracts.save(after, expected_version=before.version):
            raise StepAlreadyTaken(contract_id)
        await _take_back(uow, rentals, after)
        refund = RefundOwed(after.id, after.first_payment_reference, after.first_payment)
        await uow.events.add([ContractCanceledInCoolingOff(after.id, customer_id, after.brand_id,
                                                           refund.payment_reference, refund.amount.amount_minor,
                                                           refund.amount.currency, now)])
        await uow.commit()
    return refund


async def _take_back(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract) -> None:
    now = rentals.clock.now()
    if contract.unit_id is not None:
        await uow.rental_units.release(contract.unit_id, now)
    if contract.installed_at is None:
        application = await uow.rental_applications.get(contract.application_id)
        if application is not None and application.slot is not None:
            await uow.rental_slots.release(application.slot.slot_id, application.id)
    if contract.terms.deposit.is_positive:
        await uow.ledger.append(rules.deposit_released(rentals.ids.new_id(), contract, now))
    await log(uow, rentals, contract.application_id, "canceled_cooling_off", {"unit_id": contract.unit_id})


async def early_termination_quote(rentals: Rentals, customer_id: int, contract_id: str) -> TerminationCost:
    """What ending the contract now would cost, by its own plan version's formula."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        contract = await _customers(uow, customer_id, contract_id)
    paid_months = sum(1 for due in rules.schedule_of(contract) if due.due_at <= now)
    return termination_cost(contract.terms, paid_months)
