"""What happened to a rental application or contract (past tense); the bot turns these into messages for the
applicant and the brand's managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ApplicationReferred:
    """The bureau referred it: the brand's managers find it in their applications queue."""

    application_id: str
    applicant_id: int
    brand_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationApproved:
    """A brand manager approved a referral: the applicant is told and goes on to the address."""

    application_id: str
    applicant_id: int
    brand_id: int
    manager_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationDeclined:
    application_id: str
    applicant_id: int
    brand_id: int
    reason: str  # a `DeclineReason` value, or "brand_declined"
    at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationEnded:
    """Expired or canceled; its slot and unit went back."""

    application_id: str
    applicant_id: int
    status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ContractSigned:
    application_id: str
    contract_id: str
    applicant_id: int
    brand_id: int
    unit_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RentalConfirmed:
    """The first payment came in: the contract runs, the installation is booked."""

    contract_id: str
    applicant_id: int
    brand_id: int
    installation_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class RentalInstalled:
    contract_id: str
    applicant_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ContractCanceledInCoolingOff:
    """Canceled within the cooling-off period: the refund is owed and the unit is back in stock."""

    contract_id: str
    applicant_id: int
    brand_id: int
    payment_reference: str
    refund_minor: int
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ContractEnding:
    """A contract stopped billing and its unit is to be picked up: the fleet books the pickup, both sides are
    told. `reason` is an `EndReason` value."""

    contract_id: str
    applicant_id: int
    brand_id: int
    unit_id: str | None
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class VisitCompleted:
    """The technician finished a visit: the customer is told, with the photos."""

    visit_id: str
    customer_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class VisitMissed:
    """Nobody came by the end of the visit's day: the customer is told of the credit on their next payment."""

    visit_id: str
    customer_id: int
    credit_minor: int
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ServiceTrialCredited:
    """A service whose first visits are free: their value comes off the customer's next payment."""

    contract_id: str
    customer_id: int
    credit_minor: int
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ContractOwned:
    """The term ended and ownership passed to the customer: the fleet marks the unit sold, both sides are told."""

    contract_id: str
    applicant_id: int
    brand_id: int
    unit_id: str | None
    at: datetime
