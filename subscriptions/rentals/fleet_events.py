"""What happened to a unit's return (past tense): the bot tells the customer and the brand's people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PickupBooked:
    """A pickup was booked (or moved): the customer is told the time, with a button to move it."""

    contract_id: str
    customer_id: int
    brand_id: int
    pickup_at: datetime
    moved: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class DamageCharged:
    """An inspection found damage below fair wear: the customer sees the charge and the photos."""

    contract_id: str
    customer_id: int
    brand_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ChargeDisputed:
    """The customer disputed the charge: the brand's managers find it in /returns."""

    contract_id: str
    customer_id: int
    brand_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ReturnSettled:
    """The deposit came back less the charge agreed: both sides are told."""

    contract_id: str
    customer_id: int
    brand_id: int
    charge_minor: int
    refund_minor: int
    currency: str
    resolution: str
    at: datetime
