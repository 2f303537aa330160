"""The buttons of a contract's money (prefixes `rce`, `rcn`, `rbk`): ids, and for a quote's confirm the day and
total it showed, all asked again on every press (the quote is made anew and compared)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


@dataclass(frozen=True)
class EndEarly(ButtonData, prefix="rce"):
    """End the contract at the quote shown: its day (the brand's zone) and total (minor units)."""

    contract_id: str
    day: str
    total: int


@dataclass(frozen=True)
class GiveNotice(ButtonData, prefix="rcn"):
    """Notice on a month-to-month contract (`confirmed` 0 asks first)."""

    contract_id: str
    confirmed: int = 0


class BrandView(StrEnum):
    CARD = "c"
    SCHEDULE = "s"
    QUOTE = "q"


@dataclass(frozen=True)
class BrandContract(ButtonData, prefix="rbk"):
    """A brand manager's look at one contract from /contracts."""

    contract_id: str
    view: BrandView
