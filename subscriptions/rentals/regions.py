"""Service regions: where a brand installs and its technicians go. A typed address (Korean or English) resolves
to a region by the city it names; a shared location by the region's bounding box. Anything else is outside the
service regions, and the applicant is told so."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.errors import InvalidAddress, OutsideServiceRegions

ADDRESS_MIN, ADDRESS_MAX = 6, 200


@dataclass(frozen=True, slots=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: LocalText
    names: tuple[str, ...]  # how addresses write the city, lower case ("서울특별시", "seoul")
    box: BoundingBox


SEOUL = Region("seoul", LocalText("서울", "Seoul"), ("서울", "서울시", "서울특별시", "seoul", "seoul-si"),
               BoundingBox(37.413, 126.734, 37.715, 127.270))
BUSAN = Region("busan", LocalText("부산", "Busan"), ("부산", "부산시", "부산광역시", "busan", "pusan", "busan-si"),
               BoundingBox(34.880, 128.760, 35.390, 129.310))
SERVICE_REGIONS: tuple[Region, ...] = (SEOUL, BUSAN)


@dataclass(frozen=True, slots=True)
class Address:
    """Where to install: the text as the applicant gave it (or a location), and the region it lies in."""

    text: str
    region: str
    latitude: float | None = None
    longitude: float | None = None


_WORDS = re.compile(r"[\s,()]+")


def region_of(code: str, regions: Sequence[Region] = SERVICE_REGIONS) -> Region:
    for region in regions:
        if region.code == code:
            return region
    raise OutsideServiceRegions(code)


def resolve_address(text: str, regions: Sequence[Region] = SERVICE_REGIONS) -> Address:
    """The address in the region whose city it names, or `OutsideServiceRegions` (`InvalidAddress` if it is
    too short or long to be an address)."""
    cleaned = " ".join(text.split())
    if not ADDRESS_MIN <= len(cleaned) <= ADDRESS_MAX:
        raise InvalidAddress(f"{len(cleaned)} characters")
    words = {word.lower().strip(".") for word in _WORDS.split(cleaned) if word}
    for region in regions:
        if words & set(region.names):
            return Address(cleaned, region.code)
    raise OutsideServiceRegions(cleaned)


def resolve_location(latitude: float, longitude: float, regions: Sequence[Region] = SERVICE_REGIONS) -> Address:
    """The shared location in the region whose box holds it, or `OutsideServiceRegions`."""
    for region in regions:
        if region.box.contains(latitude, longitude):
            return Address(f"{latitude:.5f},{longitude:.5f}", region.code, latitude, longitude)
    raise OutsideServiceRegions(f"{latitude:.5f},{longitude:.5f}")
