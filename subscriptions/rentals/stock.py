"""Units: each a serial number of a product in one region, and what it is doing. A unit is reserved when the
contract is signed (the storage's conditional write decides who gets the last one), installed at the
installation, and released back to stock when the application expires or is canceled, or the contract is
canceled in the cooling-off period. The back office adds returned, inspected and written-off units later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.rentals.errors import DuplicateSerial

SERIAL_MAX = 64


class UnitStatus(StrEnum):
    IN_STOCK = "in_stock"
    RESERVED = "reserved"  # for a signed application, until it is paid (or it expires)
    INSTALLED = "installed"


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


def check_serials(serials: list[str]) -> list[str]:
    """Serials stripped, or `DuplicateSerial` naming the first one given twice (or empty, or too long)."""
    seen: set[str] = set()
    for serial in (s.strip() for s in serials):
        if not serial or len(serial) > SERIAL_MAX or serial in seen:
            raise DuplicateSerial(serial)
        seen.add(serial)
    return [s.strip() for s in serials]
