"""Units: each a serial number of a product in one region, and what it is doing. A unit is reserved when the
contract is signed (the storage's conditional write decides who gets the last one), installed at the
installation, and released back to stock when the application expires or is canceled, or the contract is
canceled in the cooling-off period. The back office's life of a unit after that (a pickup, the return, the
inspection, refurbishing, writing off, the sale at the end of a term) and its cost and depreciation are in
`subscriptions.rentals.fleet`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from subscriptions.money import Money
from subscriptions.rentals.errors import DuplicateSerial

SERIAL_MAX = 64


class UnitStatus(StrEnum):
    IN_STOCK = "in_stock"
    RESERVED = "reserved"  # for a signed application, until it is paid (or it expires)
    INSTALLED = "installed"
    PICKUP_BOOKED = "pickup_booked"  # the contract is ending: a technician comes for it
    RETURNED = "returned"  # picked up, waiting for its inspection
    INSPECTED = "inspected"  # graded A-D; refurbished or written off next
    REFURBISHED = "refurbished"  # ready to go back to stock
    WRITTEN_OFF = "written_off"  # left the fleet: beyond repair, lost
    SOLD = "sold"  # left the fleet: ownership passed to the customer at the end of a term


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    product_id: str
    brand_id: int
    region: str
    serial: str
    status: UnitStatus
    updated_at: datetime
    application_id: str | None = None
    contract_id: str | None = None
    acquisition_cost: Money | None = None  # None: bought before costs were kept, depreciates nothing
    acquired_on: date | None = None  # in the brand's zone; its month is the first month of depreciation
    useful_life_months: int = 0
    residual_value: Money | None = None
    left_at: datetime | None = None  # written off or sold: out of the fleet from then on


def check_serials(serials: list[str]) -> list[str]:
    """Serials stripped, or `DuplicateSerial` naming the first one given twice (or empty, or too long)."""
    seen: set[str] = set()
    for serial in (s.strip() for s in serials):
        if not serial or len(serial) > SERIAL_MAX or serial in seen:
            raise DuplicateSerial(serial)
        seen.add(serial)
    return [s.strip() for s in serials]
