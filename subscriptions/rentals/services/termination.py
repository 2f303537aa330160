"""Ending a contract early, and the end of its term.

The customer (from /rentals) and the brand's manager (from /contracts) read one quote (`rentals.termination.quote`
over the stored schedule). The customer confirms it with the day and total it showed; that is asked again,
then paid by card as a one-off billing item of kind `TERMINATION` (the contract's id; billing refuses a second
purchase of it). Once billing credited it the contract ends (`ending`, EARLY_TERMINATION) in one transaction
with the overdue months marked paid and the commission clawed back or expensed; a payment for a contract that
ended meanwhile is refunded in full. A quote that costs nothing ends the contract at once.

The end-of-term sweep does what the plan says when the term is over, and bills a month-to-month contract one
month more each month until the customer gives notice (`give_notice`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from subscriptions.billing.payments import Purpose
from subscriptions.billing.services import Billing, CheckoutStarted, refund, start_purchase
from subscriptions.errors import RefundExceedsPayment
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals import termination as rules
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import RENT_SPLIT, Contract, ContractStatus, EndReason, InstalmentKind
from subscriptions.rentals.errors import (
    ContractNotActive,
    ContractNotFound,
    NotMonthToMonth,
    RentalError,
    StepAlreadyTaken,
)
from subscriptions.rentals.events import ContractOwned
from subscriptions.rentals.late import ScheduledInstalment, overdue
from subscriptions.rentals.plans import EndOfTerm
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.services.common import log, require_brand_manager
from subscriptions.rentals.services.endings import closed, end_contract
from subscriptions.rentals.termination import Quote, TermEnd

TERMINATION = "rental_termination"  # billing's item kind; the item id is the contract's
TITLE_LIMIT = 32
SWEEP_BATCH = 200


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    contract: Contract
    product: LocalText


async def _product(uow: RentalsUnitOfWork, contract: Contract) -> LocalText:
    product = await uow.rental_products.get(contract.product_id)
    return product.name if product is not None else LocalText(contract.product_id, contract.product_id)


async def _quote(uow: RentalsUnitOfWork, contract: Contract, now: datetime) -> QuoteView:
    rows = await uow.rental_instalments.of_contract(contract.id)
    return QuoteView(rules.quote(contract, rows, now), contract, await _product(uow, contract))


async def quote_for_customer(rentals: Rentals, customer_id: int, contract_id: str) -> QuoteView:
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None or contract.applicant_id != customer_id:
            raise ContractNotFound(contract_id)
        return await _quote(uow, contract, rentals.clock.now())


async def quote_for_brand(rentals: Rentals, manager_id: int, contract_id: str) -> QuoteView:
    """The same quote, for a manager of the contract's brand."""
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        await require_brand_manager(uow, manager_id, contract.brand_id)
        return await _quote(uow, contract, rentals.clock.now())


@dataclass(frozen=True)
class TerminationCheckout:
    started: CheckoutStarted
    quote: QuoteView


@dataclass(frozen=True)
class Ended:
    contract: Contract
    product: LocalText
    paid: Money


async def confirm_termination(rentals: Rentals, billing: Billing, customer_id: int, contract_id: str, day: str,
                              total_minor: int, *, language: str) -> TerminationCheckout | Ended:
    """The customer confirmed the quote that showed `total_minor` on `day`: its invoice (the same one on a
    double tap that day), or the ending itself when it costs nothing. `QuoteStale` when it is not today's."""
    found = await quote_for_customer(rentals, customer_id, contract_id)
    current = rules.check_confirm(found.quote, day, total_minor)
    if not current.total.is_positive:
        return await _end_early(rentals, contract_id, current.total)
    title = found.product.in_language(language)[:TITLE_LIMIT]
    started = await start_purchase(
        billing, user_id=customer_id, merchant_id=str(found.contract.brand_id), item_kind=TERMINATION,
        item_id=contract_id, title=title, description=title, price=current.total, expected_price=current.total,
        split=RENT_SPLIT, curator_id=None, idempotency_key=f"{TERMINATION}:{contract_id}:{day}"[:64],
        purpose=Purpose.PURCHASE)
    return TerminationCheckout(started, found)


@dataclass(frozen=True)
class RefundedTermination:
    """The payment came for a contract that no longer bills (ended meanwhile, or paid twice): all refunded."""

    applicant_id: int
    amount: Money


async def termination_paid(rentals: Rentals, billing: Billing, contract_id: str, payment_id: str,
                           amount: Money) -> Ended | RefundedTermination:
    """Billing credited a termination's payment: the contract ends, once; money that finds it ended goes back."""
    try:
        return await _end_early(rentals, contract_id, amount)
    except (ContractNotActive, StepAlreadyTaken):
        async with rentals.read() as uow:
            contract = await uow.rental_contracts.get(contract_id)
        assert contract is not None  # only a missing contract raises ContractNotFound
        try:
            await refund(billing, payment_id=payment_id)
        except RefundExceedsPayment:
            pass  # refunded when this event came before
        return RefundedTermination(contract.applicant_id, amount)


async def _end_early(rentals: Rentals, contract_id: str, paid: Money) -> Ended:
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        rows = await uow.rental_instalments.of_contract(contract_id)
        for late in overdue(rows, now):  # the quote's overdue months are in what was paid
            await uow.rental_instalments.mark_paid(contract_id, late.number, now)
        after = await end_contract(uow, rentals, contract, EndReason.EARLY_TERMINATION, now)
        await log(uow, rentals, after.application_id, "termination_paid", {"amount_minor": paid.amount_minor})
        product = await _product(uow, after)
        await uow.commit()
    return Ended(after, product, paid)


# --- the end of the term -------------------------------------------------------------------------------------

async def notice_open(rentals: Rentals, customer_id: int, contract_id: str) -> Contract:
    """The customer's month-to-month contract that may still be given notice (else a named refusal)."""
    async with rentals.read() as uow:
        contract = await uow.rental_contracts.get(contract_id)
    if contract is None or contract.applicant_id != customer_id:
        raise ContractNotFound(contract_id)
    if contract.status is not ContractStatus.MONTH_TO_MONTH or contract.notice_given_at is not None:
        raise NotMonthToMonth(contract_id)
    return contract


async def give_notice(rentals: Rentals, customer_id: int, contract_id: str) -> Contract:
    """A month-to-month contract's notice: no month is billed after the one billed next; then it ends."""
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(contract_id)
        if contract is None or contract.applicant_id != customer_id:
            raise ContractNotFound(contract_id)
        if contract.status is not ContractStatus.MONTH_TO_MONTH or contract.notice_given_at is not None:
            raise NotMonthToMonth(contract_id)
        after = replace(contract, notice_given_at=now, version=contract.version + 1)
        if not await uow.rental_contracts.save(after, expected_version=contract.version):
            raise StepAlreadyTaken(contract_id)
        await log(uow, rentals, after.application_id, "notice_given", {})
        await uow.commit()
    return after


async def end_terms(rentals: Rentals) -> int:
    """Every term whose time has come: owned, ending for the return, or a month more of a month-to-month."""
    done = 0
    while True:
        async with rentals.read() as uow:
            due = await uow.rental_term_ends.due(rentals.clock.now(), SWEEP_BATCH)
        for term in due:
            done += await _act(rentals, term)
        if len(due) < SWEEP_BATCH:
            return done


async def _act(rentals: Rentals, term: TermEnd) -> int:
    now = rentals.clock.now()
    async with rentals.uow() as uow:
        contract = await uow.rental_contracts.get(term.contract_id)
        if contract is None or not contract.is_billed:
            await uow.rental_term_ends.put(replace(term, done=True))
            await uow.commit()
            return 0
        try:
            if contract.terms.end_of_term is EndOfTerm.MONTH_TO_MONTH and contract.notice_given_at is None:
                await _roll_on(uow, rentals, contract, term, now)
            else:
                await _term_over(uow, rentals, contract, term, now)
        except RentalError:
            return 0  # moved by another writer: the next sweep looks again
        await uow.commit()
    return 1


async def _term_over(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, term: TermEnd,
                     now: datetime) -> None:
    if now < term.ends_at:  # a month-to-month contract given notice: its last month runs out first
        await uow.rental_term_ends.put(replace(term, act_at=term.ends_at))
        return
    if contract.status is ContractStatus.MONTH_TO_MONTH:
        await end_contract(uow, rentals, contract, EndReason.TERM_END, term.ends_at)
        return
    after = rules.at_term_end(contract, now)
    if after.status is ContractStatus.ENDING:
        await end_contract(uow, rentals, contract, EndReason.TERM_END, term.ends_at)
        return
    if not await uow.rental_contracts.save(after, expected_version=contract.version):
        raise StepAlreadyTaken(contract.id)
    await closed(uow, rentals, after, term.ends_at)
    await uow.events.add([ContractOwned(after.id, after.applicant_id, after.brand_id, after.unit_id, term.ends_at)])
    await log(uow, rentals, after.application_id, "owned", {})


async def _roll_on(uow: RentalsUnitOfWork, rentals: Rentals, contract: Contract, term: TermEnd,
                   now: datetime) -> None:
    """Bill the month after the last one billed: billing's term one period longer, its instalment written."""
    if contract.status is ContractStatus.ACTIVE and now >= rules.term_end(contract):
        rolled = rules.at_term_end(contract, now)
        if not await uow.rental_contracts.save(rolled, expected_version=contract.version):
            raise StepAlreadyTaken(contract.id)
        contract = rolled
    sub = await uow.subscriptions.get(contract.rent_subscription_id or "")
    if sub is None or sub.term_periods is None:
        raise ContractNotActive(contract.status.value)
    before = sub.version
    if not sub.roll_on():
        raise ContractNotActive(contract.status.value)
    await uow.subscriptions.save(sub, before)
    periods = sub.term_periods
    due_at = rules.month_boundary(contract, periods - 1)
    await uow.rental_instalments.add_many([ScheduledInstalment(contract.id, contract.brand_id, periods,
                                                               InstalmentKind.RENT, due_at,
                                                               contract.terms.monthly_fee)])
    await uow.rental_term_ends.put(replace(term, ends_at=rules.month_boundary(contract, periods), act_at=due_at))
