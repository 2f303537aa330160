"""The buttons of rentals' messages. Each carries ids only (and the price shown, to be checked): who pressed, and
whether the application is theirs and at that step, is asked again on every press."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


@dataclass(frozen=True)
class RentCategories(ButtonData, prefix="rbc"):
    """The catalog: the categories (`category` empty) or the products of one."""

    category: str = ""


@dataclass(frozen=True)
class RentProduct(ButtonData, prefix="rbp"):
    product_id: str


@dataclass(frozen=True)
class RentThis(ButtonData, prefix="rbr"):
    """Rent this: the plan, its version and the monthly fee shown (minor units), all checked by the domain."""

    plan_id: str
    version_id: str
    fee: int


class CheckoutStep(StrEnum):
    SHARE = "s"  # share the identity card with the brand (then the PIN)
    IDENTITY = "i"  # ask for the identity again (a card arrived since)
    AGREE = "a"  # agree to the credit check
    RETRY = "r"  # ask the bureau again
    ADDRESS = "d"  # go on to the address (after a referral was approved)
    SLOT = "t"  # hold this slot (`value`: its id)
    SLOTS = "w"  # the week of slots again
    SIGN = "g"  # sign with the PIN
    CANCEL = "x"


@dataclass(frozen=True)
class Checkout(ButtonData, prefix="rk"):
    step: CheckoutStep
    application_id: str
    value: str = ""


@dataclass(frozen=True)
class ReviewReferral(ButtonData, prefix="rkv"):
    """A brand manager's Approve (1) or Decline (0) of a referred application."""

    application_id: str
    approve: int


class ReportAction(StrEnum):
    LINES = "l"  # the month's lines as CSV
    MONTHS = "m"  # every closed month's figures as CSV
    CLOSE = "c"  # close the month now


@dataclass(frozen=True)
class RentalReport(ButtonData, prefix="rrp"):
    """A press under /rental_report: whether the presser manages `brand_id` is asked again."""

    brand_id: int
    action: ReportAction
    month: str = ""
