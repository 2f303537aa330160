"""The buttons of /units and /returns and of a customer's pickup and damage charge (prefixes `rf...`). Each carries
ids only: who pressed, and whether the unit or return is of a brand they work for (or the customer's own), is
asked again on every press."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


class UnitsAction(StrEnum):
    IMPORT = "i"  # send the CSV next


@dataclass(frozen=True)
class OnUnits(ButtonData, prefix="rfu"):
    brand_id: int
    action: UnitsAction


class ReturnAction(StrEnum):
    PICKED_UP = "p"
    GRADE = "g"  # `value`: A-D
    REFURBISH = "r"
    WRITE_OFF = "x"
    UPHOLD = "u"
    CHANGE = "c"
    WAIVE = "w"


@dataclass(frozen=True)
class OnReturn(ButtonData, prefix="rfr"):
    """A technician's or manager's press on a return."""

    contract_id: str
    action: ReturnAction
    value: str = ""


class ChargeAnswer(StrEnum):
    ACCEPT = "a"
    DISPUTE = "d"
    MOVE = "m"  # the pickup: the free slots to move it to


@dataclass(frozen=True)
class OnMyReturn(ButtonData, prefix="rfc"):
    """The customer's press: accept or dispute the damage charge, or move the pickup."""

    contract_id: str
    answer: ChargeAnswer


@dataclass(frozen=True)
class MovePickup(ButtonData, prefix="rfm"):
    contract_id: str
    slot_id: str
