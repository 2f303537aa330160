"""The buttons of visits' messages (prefixes `rv...`). Each carries ids only: whose visit it is, which technician
it is given to and whether a time is still free are asked again on every press."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


class WorkStep(StrEnum):
    OPEN = "o"  # the visit's sheet: address, checklist, photos
    PHOTOS = "p"  # the photos sent next are the visit's
    COMPLETE = "c"
    DAY = "d"  # back to the day's schedule


@dataclass(frozen=True)
class WorkVisit(ButtonData, prefix="rvw"):
    """A technician's press on a visit given to them."""

    visit_id: str
    step: WorkStep


@dataclass(frozen=True)
class TickItem(ButtonData, prefix="rvt"):
    """Tick (or untick) an item of the visit's checklist."""

    visit_id: str
    item: str


class CustomerStep(StrEnum):
    TIMES = "r"  # the free times to move it to
    SKIP = "s"  # asks first
    SKIP_CONFIRMED = "y"
    BACK = "b"


@dataclass(frozen=True)
class OnVisit(ButtonData, prefix="rvc"):
    """A customer's press on their visit (from the reminder)."""

    visit_id: str
    step: CustomerStep


@dataclass(frozen=True)
class MoveVisit(ButtonData, prefix="rvm"):
    """A free time picked: the technician and the time (minutes since the epoch); `confirmed` 0 asks first."""

    visit_id: str
    technician_id: str
    minute: int
    confirmed: int = 0
