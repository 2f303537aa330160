"""The words of the fleet and returns: a unit's status, why an imported row was refused, a grade, and each
refusal of the back office, in the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.core.text import N_
from handlers.rentals import text as rental_text
from subscriptions.errors import SubscriptionsError
from subscriptions.rentals import errors
from subscriptions.rentals.returns import Grade
from subscriptions.rentals.stock import UnitStatus
from subscriptions.rentals.unit_import import RowRefusal

if TYPE_CHECKING:
    from bot.i18n import Translator

STATUSES: dict[UnitStatus, str] = {
    UnitStatus.IN_STOCK: N_("in stock"),
    UnitStatus.RESERVED: N_("reserved"),
    UnitStatus.INSTALLED: N_("installed"),
    UnitStatus.PICKUP_BOOKED: N_("pickup booked"),
    UnitStatus.RETURNED: N_("returned"),
    UnitStatus.INSPECTED: N_("inspected"),
    UnitStatus.REFURBISHED: N_("refurbished"),
    UnitStatus.WRITTEN_OFF: N_("written off"),
    UnitStatus.SOLD: N_("sold"),
}

ROW_REFUSALS: dict[RowRefusal, str] = {
    RowRefusal.BAD_SERIAL: N_("the serial is empty, too long or has characters a serial cannot have"),
    RowRefusal.DUPLICATE_IN_FILE: N_("the serial is in the file twice"),
    RowRefusal.ALREADY_IN_FLEET: N_("a unit of this product with this serial is in the fleet already"),
    RowRefusal.UNKNOWN_PRODUCT: N_("the brand has no such product"),
    RowRefusal.BAD_COST: N_("the cost is not a whole number of won above zero"),
    RowRefusal.BAD_DATE: N_("acquired_on is not a date written YYYY-MM-DD"),
    RowRefusal.FUTURE_DATE: N_("acquired_on is in the future"),
    RowRefusal.OUTSIDE_REGIONS: N_("the region is not one the brand serves"),
    RowRefusal.BAD_LIFE: N_("useful_life_months is not a number of months from 1 to 360"),
    RowRefusal.BAD_RESIDUAL: N_("the residual is not a whole number of won up to the cost"),
}

GRADES: dict[Grade, str] = {
    Grade.A: N_("A: as new"),
    Grade.B: N_("B: fair wear"),
    Grade.C: N_("C: damaged"),
    Grade.D: N_("D: badly damaged"),
}

REFUSALS: dict[type[errors.RentalError], str] = {
    errors.IllegalUnitMove: N_("The unit is not where this step needs it (a unit must be installed and its pickup "
                               "booked before it is picked up). Nothing was changed."),
    errors.UnitNotFound: N_("No unit of your brand has this serial."),
    errors.ReturnNotFound: N_("There is no such return for you."),
    errors.ReturnWrongStep: N_("This return is not at that step (it was done a moment ago, or comes later)."),
    errors.InvalidGrade: N_("A grade is A, B, C or D."),
    errors.InvalidCharge: N_("Type the charge as a whole number of won, like 150000 (0 for none)."),
    errors.ChargeAboveDeposit: N_("The charge cannot be more than the deposit held."),
    errors.PhotoNeeded: N_("Send at least one photo of the damage first."),
    errors.NoPickupSlot: N_("There is no free time in the calendar for a pickup: add slots, then book it."),
    errors.ContractNotActive: N_("This contract is not at that step."),
}


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    for kind in type(error).__mro__:
        if kind in REFUSALS:
            return tr(REFUSALS[kind])
    return rental_text.refusal(error, tr)


def status(value: UnitStatus, tr: Translator) -> str:
    return tr(STATUSES[value])


def row_refusal(value: RowRefusal, tr: Translator) -> str:
    return tr(ROW_REFUSALS[value])


def grade(value: Grade, tr: Translator) -> str:
    return tr(GRADES[value])
