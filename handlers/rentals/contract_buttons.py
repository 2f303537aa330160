"""The buttons of a rental contract's messages (prefixes `rc...`). Each carries ids only: whose contract it is,
and whether the slot is still free, is asked again on every press."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


class ContractAction(StrEnum):
    OPEN = "o"
    RESCHEDULE = "r"
    CANCEL = "c"  # asks first
    CANCEL_CONFIRMED = "y"
    QUOTE = "q"


@dataclass(frozen=True)
class OnContract(ButtonData, prefix="rc"):
    contract_id: str
    action: ContractAction


@dataclass(frozen=True)
class PickInstallation(ButtonData, prefix="rcs"):
    """A slot picked to move the installation to (`confirmed` 0 asks first, 1 moves it)."""

    contract_id: str
    slot_id: str
    confirmed: int = 0


@dataclass(frozen=True)
class PayFirst(ButtonData, prefix="rcp"):
    """Pay the first payment of a signed application (from the reminder of an application waiting)."""

    application_id: str
