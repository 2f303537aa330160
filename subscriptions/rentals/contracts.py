"""Contracts: what a paid application becomes. The payment schedule (registration and the first month at
signing, then the monthly rent as a fixed term anchored on the installation day), the visits the plan
includes, and the 14-day cooling-off right: within 14 days of signing, or of installation if that is later,
the customer may cancel with everything paid refunded and the unit taken back at the brand's cost.

The monthly rent after the first month is billing's: a fixed-term card subscription started at the
installation, anchored on that day, for the whole term (its first month is the one paid at signing), so
billing invoices months 2 to the last and stops by itself. Until the installation the customer may move it
to another slot of the brand's calendar."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing.offers import Offer, OfferStatus, Plan, PlanVersion
from subscriptions.billing_calendar import MONTHLY, BillingCalendar, require_aware
from subscriptions.ledger import SHOP_SPLIT, JournalTransaction, Posting, merchant_account
from subscriptions.money import Money
from subscriptions.rentals.errors import AlreadyInstalled, ContractNotActive, CoolingOffOver, SlotNotFound
from subscriptions.rentals.plans import PlanTerms
from subscriptions.rentals.slots import Slot

COOLING_OFF = timedelta(days=14)


class ContractStatus(StrEnum):
    """A contract's life: active until canceled in its cooling-off period, or until it ends. An ending that
    takes the unit back (early termination, three missed months, the end of a term with a return) is `ending`
    until the pickup; then `returned` until the inspection's charges and the deposit are settled, `settled`.
    A term that passes ownership ends `owned`; one that rolls on is `month_to_month` (still billed)."""

    ACTIVE = "active"
    CANCELED_COOLING_OFF = "canceled_cooling_off"
    ENDING = "ending"  # the unit is to be picked up
    RETURNED = "returned"  # picked up; inspection and the deposit's settlement pending
    SETTLED = "settled"  # the deposit given back less the accepted charges
    OWNED = "owned"  # ownership passed at the end of the term; the unit left the fleet
    MONTH_TO_MONTH = "month_to_month"


class EndReason(StrEnum):
    """Why a contract went to `ending`."""

    EARLY_TERMINATION = "early_termination"  # the customer asked and paid the quote
    NON_PAYMENT = "non_payment"  # provisionally terminated after three missed months
    TERM_END = "term_end"  # the term ran out and the plan says return


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    application_id: str
    applicant_id: int
    brand_id: int
    product_id: str
    plan_id: str
    plan_version_id: str
    terms: PlanTerms
    region: str
    unit_id: str | None
    signed_at: datetime
    installation_at: datetime  # the slot booked; the installation day anchors the rent
    timezone: str
    first_payment_reference: str
    first_payment: Money
    pdf_sha256: str
    signature: str
    status: ContractStatus = ContractStatus.ACTIVE
    installed_at: datetime | None = None
    canceled_at: datetime | None = None
    version: int = 1
    technician: str = ""  # of the booked slot
    slot_id: str | None = None  # the booked slot (moved by a reschedule; released when canceled before)
    rent_subscription_id: str | None = None  # billing's subscription of the rent, from the installation on
    ended_at: datetime | None = None  # when it went to `ending` (or `owned`)
    end_reason: EndReason | None = None
    notice_given_at: datetime | None = None  # a month-to-month contract's notice (see rentals.termination)

    @property
    def anchor(self) -> datetime:
        return self.installed_at or self.installation_at

    @property
    def is_active(self) -> bool:
        return self.status is ContractStatus.ACTIVE

    @property
    def is_billed(self) -> bool:
        """Rent is still due: the term runs, or it rolled on month to month."""
        return self.status in BILLED


BILLED = frozenset({ContractStatus.ACTIVE, ContractStatus.MONTH_TO_MONTH})


class InstalmentKind(StrEnum):
    FIRST = "first"  # registration fee and the first month, at signing
    RENT = "rent"


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1 = the first payment
    due_at: datetime
    amount: Money
    kind: InstalmentKind


def payment_schedule(terms: PlanTerms, signed_at: datetime, anchor: datetime, timezone: str) -> list[Instalment]:
    """Every payment of the term; they sum to `terms.total` (the deposit is held apart and given back)."""
    calendar = BillingCalendar(anchor, timezone, MONTHLY)
    first = Instalment(1, require_aware(signed_at), terms.registration_fee + terms.monthly_fee, InstalmentKind.FIRST)
    rent = [Instalment(month + 1, calendar.boundary(month), terms.monthly_fee, InstalmentKind.RENT)
            for month in range(1, terms.term_months)]
    return [first, *rent]


def schedule_of(contract: Contract) -> list[Instalment]:
    return payment_schedule(contract.terms, contract.signed_at, contract.anchor, contract.timezone)


def next_payment(contract: Contract, now: datetime) -> Instalment | None:
    """The next payment due after `now` (None when the term is paid out or the contract ended)."""
    if not contract.is_billed:
        return None
    return next((due for due in schedule_of(contract) if due.due_at > require_aware(now)), None)


class VisitKind(StrEnum):
    INSTALLATION = "installation"
    MAINTENANCE = "maintenance"  # the plan's included visit (a filter change)


@dataclass(frozen=True, slots=True)
class Visit:
    kind: VisitKind
    at: datetime


def visits(contract: Contract) -> list[Visit]:
    """The installation and every included visit of the term, anchored like the rent."""
    every = contract.terms.visit_every_months
    calendar = BillingCalendar(contract.anchor, contract.timezone, MONTHLY)
    included = [Visit(VisitKind.MAINTENANCE, calendar.boundary(month))
                for month in range(every, contract.terms.term_months, every)] if every else []
    return [Visit(VisitKind.INSTALLATION, contract.anchor), *included]


def next_visit(contract: Contract, now: datetime) -> Visit | None:
    if not contract.is_billed:
        return None
    now = require_aware(now)
    pending = [v for v in visits(contract) if v.at > now and not (v.kind is VisitKind.INSTALLATION
                                                                   and contract.installed_at is not None)]
    return pending[0] if pending else None


def ending(contract: Contract, reason: EndReason, at: datetime) -> Contract:
    """The contract stops billing and its unit is to be picked up (early termination, non-payment, the end of a
    term with a return)."""
    if not contract.is_billed:
        raise ContractNotActive(contract.status.value)
    return replace(contract, status=ContractStatus.ENDING, ended_at=require_aware(at), end_reason=reason,
                   version=contract.version + 1)


def cooling_off_open(contract: Contract, now: datetime) -> bool:
    """Within 14 days of signing, or of installation if later (not installed yet: the window is still open)."""
    if contract.installed_at is None:
        return True
    return require_aware(now) <= max(contract.signed_at, contract.installed_at) + COOLING_OFF


def cancel_in_cooling_off(contract: Contract, now: datetime) -> Contract:
    if not contract.is_active:
        raise ContractNotActive(contract.status.value)
    if not cooling_off_open(contract, now):
        raise CoolingOffOver(contract.id)
    return replace(contract, status=ContractStatus.CANCELED_COOLING_OFF, canceled_at=require_aware(now),
                   version=contract.version + 1)


def installed(contract: Contract, at: datetime) -> Contract:
    if not contract.is_active:
        raise ContractNotActive(contract.status.value)
    if contract.installed_at is not None:
        raise AlreadyInstalled(contract.id)
    return replace(contract, installed_at=require_aware(at), rent_subscription_id=rent_subscription_id(contract),
                   version=contract.version + 1)


def rescheduled(contract: Contract, slot: Slot, now: datetime) -> Contract:
    """The installation moved to `slot`: only before it happened, to a later slot of the brand in the region."""
    if not contract.is_active:
        raise ContractNotActive(contract.status.value)
    if contract.installed_at is not None:
        raise AlreadyInstalled(contract.id)
    if slot.brand_id != contract.brand_id or slot.region != contract.region or slot.starts_at <= require_aware(now):
        raise SlotNotFound(slot.id)
    return replace(contract, installation_at=slot.starts_at, technician=slot.technician, slot_id=slot.id,
                   version=contract.version + 1)


# --- the rent, as billing's fixed-term subscription ---------------------------------------------------------

RENT_SPLIT = SHOP_SPLIT  # the brand is paid as a shop is


def rent_subscription_id(contract: Contract) -> str:
    return f"rent-{contract.id}"[:40]


def rent_offer(contract: Contract, title: str) -> Offer:
    """The offer the rent bills under: one plan at the contract's monthly fee, never changed (a later price
    of the brand's plan is another plan version, and another offer). It takes no subscribers of its own:
    only contracts' rent subscriptions renew under it."""
    version = contract.plan_version_id
    price = PlanVersion(f"rent-{version}"[:40], contract.terms.monthly_fee, contract.signed_at)
    plan = Plan(f"rent-{version}"[:40], title, MONTHLY, [price], status=OfferStatus.ARCHIVED)
    return Offer(f"rent-{version}"[:40], str(contract.brand_id), title, [plan], RENT_SPLIT,
                 status=OfferStatus.ARCHIVED)


@dataclass(frozen=True, slots=True)
class RefundOwed:
    """What billing is asked to give back: all of the first payment (the deposit with it)."""

    contract_id: str
    payment_reference: str
    amount: Money


def deposit_account(contract_id: str) -> str:
    return f"liability:deposit:{contract_id}"


def deposit_held(transaction_id: str, contract: Contract, at: datetime) -> JournalTransaction:
    """The deposit in the first payment moves from the brand's payable to a liability held for the customer."""
    deposit = contract.terms.deposit
    postings = (Posting(merchant_account(str(contract.brand_id)), deposit),
                Posting(deposit_account(contract.id), -deposit))
    return JournalTransaction(transaction_id, at, "deposit", contract.first_payment_reference,
                              f"Rental deposit {contract.id}", postings)


def deposit_released(transaction_id: str, contract: Contract, at: datetime) -> JournalTransaction:
    """The deposit back on the brand's payable, so that billing's refund of the whole payment balances."""
    deposit = contract.terms.deposit
    postings = (Posting(deposit_account(contract.id), deposit),
                Posting(merchant_account(str(contract.brand_id)), -deposit))
    return JournalTransaction(transaction_id, at, "deposit_return", contract.first_payment_reference,
                              f"Rental deposit returned {contract.id}", postings)
