"""Returns: a contract that ended takes its unit back. A pickup is booked in the brand's calendar; the technician
picks the unit up and inspects it: a grade, photos and damage notes. Grades A and B are fair wear and carry no
charge; C and D carry a damage charge the technician types, shown to the customer with the photos, who
accepts it or disputes it to the brand's queue, where a manager upholds, changes or waives it. Settlement
gives the deposit back less the charge agreed, and the contract is settled.

The charge is never above the deposit held for the contract: the deposit is the money the customer left as a
guarantee, so it is what a charge can be taken from without a new payment. A contract with no deposit (most
appliances) keeps the grade, photos and notes on record and carries no charge; damage beyond the deposit is
the brand's loss, as the write-off of the unit shows it.

In the ledger the charge moves from the deposit's liability to the brand's payable (`damage_charge_kept`), and
the rest goes back on the brand's payable (`deposit_returned`) so that billing's refund of that part of the
first payment balances, as the cooling-off's full refund does."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from subscriptions.billing_calendar import require_aware
from subscriptions.ledger import JournalTransaction, Posting, merchant_account
from subscriptions.money import Money
from subscriptions.rentals.contracts import Contract, ContractStatus, deposit_account
from subscriptions.rentals.errors import (
    ChargeAboveDeposit,
    ContractNotActive,
    InvalidCharge,
    InvalidGrade,
    PhotoNeeded,
    ReturnWrongStep,
)

MAX_PHOTOS = 10
NOTES_MAX = 1_000
_AMOUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


class Grade(StrEnum):
    A = "A"  # as new
    B = "B"  # fair wear
    C = "C"  # damaged, repairable
    D = "D"  # badly damaged

    @property
    def below_fair_wear(self) -> bool:
        return self in (Grade.C, Grade.D)


class ReturnStatus(StrEnum):
    PICKUP_BOOKED = "pickup_booked"
    PICKED_UP = "picked_up"  # waiting for its grade
    INSPECTING = "inspecting"  # graded; photos, notes and the charge being given
    AWAITING_CUSTOMER = "awaiting_customer"  # a charge shown to the customer
    DISPUTED = "disputed"  # in the brand's queue
    SETTLED = "settled"


class Resolution(StrEnum):
    NO_CHARGE = "no_charge"
    ACCEPTED = "accepted"  # by the customer
    UPHELD = "upheld"  # by a manager, after a dispute
    CHANGED = "changed"
    WAIVED = "waived"


class Disposition(StrEnum):
    REFURBISHED = "refurbished"  # back in stock
    WRITTEN_OFF = "written_off"


@dataclass(frozen=True, slots=True)
class Return:
    contract_id: str
    unit_id: str
    brand_id: int
    customer_id: int
    region: str
    deposit: Money
    pickup_slot_id: str
    pickup_at: datetime
    technician: str
    booked_at: datetime
    status: ReturnStatus = ReturnStatus.PICKUP_BOOKED
    picked_up_at: datetime | None = None
    picked_up_by: int | None = None
    grade: Grade | None = None
    photos: tuple[str, ...] = ()  # the chat's file ids
    notes: str = ""
    charge: Money | None = None  # as asked (and then as agreed)
    inspected_by: int | None = None
    inspected_at: datetime | None = None
    resolution: Resolution | None = None
    resolved_by: int | None = None
    settled_at: datetime | None = None
    disposition: Disposition | None = None
    version: int = 1

    @property
    def refund(self) -> Money:
        """What the customer gets back of the deposit."""
        return self.deposit - (self.charge or Money.zero(self.deposit.currency))


def _at(ret: Return, *allowed: ReturnStatus) -> None:
    if ret.status not in allowed:
        raise ReturnWrongStep(f"{ret.contract_id} is {ret.status.value}")


def _next(ret: Return, **changes: object) -> Return:
    return replace(ret, version=ret.version + 1, **changes)  # type: ignore[arg-type]


def rebooked(ret: Return, slot_id: str, starts_at: datetime, technician: str) -> Return:
    _at(ret, ReturnStatus.PICKUP_BOOKED)
    return _next(ret, pickup_slot_id=slot_id, pickup_at=require_aware(starts_at), technician=technician)


def picked_up(ret: Return, by: int, at: datetime) -> Return:
    _at(ret, ReturnStatus.PICKUP_BOOKED)
    return _next(ret, status=ReturnStatus.PICKED_UP, picked_up_at=require_aware(at), picked_up_by=by)


def parse_grade(text: str) -> Grade:
    try:
        return Grade(text.strip().upper())
    except ValueError:
        raise InvalidGrade(text[:8]) from None


def graded(ret: Return, grade: str, by: int, at: datetime) -> Return:
    _at(ret, ReturnStatus.PICKED_UP)
    return _next(ret, status=ReturnStatus.INSPECTING, grade=parse_grade(grade), inspected_by=by,
                 inspected_at=require_aware(at))


def with_photo(ret: Return, file_id: str) -> Return:
    _at(ret, ReturnStatus.INSPECTING)
    if len(ret.photos) >= MAX_PHOTOS or file_id in ret.photos:
        return ret
    return _next(ret, photos=(*ret.photos, file_id))


def needs_charge(ret: Return) -> bool:
    """Whether the technician is asked for an amount: below fair wear, with a deposit to take it from."""
    return ret.grade is not None and ret.grade.below_fair_wear and ret.deposit.is_positive


def parse_charge(text: str, currency: str) -> Money:
    """A typed amount: whole won, commas allowed ("150,000", "₩150000"); anything else is `InvalidCharge`."""
    cleaned = text.strip().removeprefix("₩").removesuffix("원").strip()
    if not _AMOUNT.fullmatch(cleaned):
        raise InvalidCharge(text[:32])
    return Money(int(cleaned.replace(",", "")), currency)


def inspected(ret: Return, notes: str, charge: Money) -> Return:
    """The inspection done: the notes and the charge (zero for fair wear). A charge goes to the customer; none
    leaves the return ready to settle."""
    _at(ret, ReturnStatus.INSPECTING)
    assert ret.grade is not None
    if ret.grade.below_fair_wear and not ret.photos:
        raise PhotoNeeded(ret.contract_id)
    check_charge(ret, charge)
    if charge.is_positive and not ret.grade.below_fair_wear:
        raise InvalidCharge("fair wear carries no charge")
    status = ReturnStatus.AWAITING_CUSTOMER if charge.is_positive else ReturnStatus.INSPECTING
    return _next(ret, notes=notes.strip()[:NOTES_MAX], charge=charge, status=status)


def check_charge(ret: Return, charge: Money) -> None:
    if charge.currency != ret.deposit.currency or charge.is_negative:
        raise InvalidCharge(str(charge))
    if charge > ret.deposit:
        raise ChargeAboveDeposit(f"{charge} > {ret.deposit}")


def disputed(ret: Return) -> Return:
    _at(ret, ReturnStatus.AWAITING_CUSTOMER)
    return _next(ret, status=ReturnStatus.DISPUTED)


def settled(ret: Return, resolution: Resolution, by: int, at: datetime, charge: Money | None = None) -> Return:
    """The charge agreed (as asked, changed by a manager, or waived) and the deposit settled."""
    if resolution is Resolution.NO_CHARGE:
        _at(ret, ReturnStatus.INSPECTING)
        if ret.charge is None or ret.charge.is_positive:
            raise ReturnWrongStep(f"{ret.contract_id} has a charge to agree")
    elif resolution is Resolution.ACCEPTED:
        _at(ret, ReturnStatus.AWAITING_CUSTOMER)
    else:
        _at(ret, ReturnStatus.DISPUTED)
    agreed = ret.charge or Money.zero(ret.deposit.currency)
    if resolution is Resolution.WAIVED:
        agreed = Money.zero(ret.deposit.currency)
    elif resolution is Resolution.CHANGED:
        if charge is None:
            raise InvalidCharge("no amount")
        check_charge(ret, charge)
        agreed = charge
    return _next(ret, status=ReturnStatus.SETTLED, charge=agreed, resolution=resolution, resolved_by=by,
                 settled_at=require_aware(at))


def disposed(ret: Return, disposition: Disposition) -> Return:
    _at(ret, ReturnStatus.SETTLED)
    if ret.disposition is not None:
        raise ReturnWrongStep(f"{ret.contract_id} was {ret.disposition.value}")
    return _next(ret, disposition=disposition)


def contract_returned(contract: Contract) -> Contract:
    """The unit was picked up: the contract waits for its inspection and the deposit's settlement."""
    if contract.status is not ContractStatus.ENDING:
        raise ContractNotActive(contract.status.value)
    return replace(contract, status=ContractStatus.RETURNED, version=contract.version + 1)


def contract_settled(contract: Contract) -> Contract:
    if contract.status is not ContractStatus.RETURNED:
        raise ContractNotActive(contract.status.value)
    return replace(contract, status=ContractStatus.SETTLED, version=contract.version + 1)


# --- the books ------------------------------------------------------------------------------------------------

def settlement_transactions(ids: list[str], ret: Return, payment_reference: str) -> list[JournalTransaction]:
    """The deposit's liability emptied: the charge to the brand's payable, the rest back on it for billing's
    refund to take. `ids` gives the two transactions' ids."""
    assert ret.settled_at is not None and ret.charge is not None
    brand = merchant_account(str(ret.brand_id))
    held = deposit_account(ret.contract_id)
    found: list[JournalTransaction] = []
    if ret.charge.is_positive:
        found.append(JournalTransaction(ids[0], ret.settled_at, "damage_charge", payment_reference,
                                        f"Damage charge {ret.contract_id}",
                                        (Posting(held, ret.charge), Posting(brand, -ret.charge))))
    if ret.refund.is_positive:
        found.append(JournalTransaction(ids[1], ret.settled_at, "deposit_return", payment_reference,
                                        f"Rental deposit returned {ret.contract_id}",
                                        (Posting(held, ret.refund), Posting(brand, -ret.refund))))
    return found
