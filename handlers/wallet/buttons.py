"""The wallet's buttons: each names what it acts on (a card, an offer, a flow) and nothing else; every press
looks that up again as the presser's own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


class CardStep(StrEnum):
    LIST = "list"  # the wallet's list of cards
    CHANGE_PIN = "pin"
    RESET = "reset"  # Forgot PIN: ask first
    RESET_CONFIRMED = "resetok"
    OPEN = "card"
    SHOW_QR = "qr"
    DETAILS = "det"
    HISTORY = "his"
    REMOVE = "rm"  # ask first
    REMOVE_CONFIRMED = "rmok"
    BACK = "back"  # from the question back to the card


@dataclass(frozen=True)
class CardAction(ButtonData, prefix="wal"):
    step: CardStep
    card_id: str = ""


class OfferStep(StrEnum):
    ACCEPT = "ok"
    DECLINE = "no"


@dataclass(frozen=True)
class OfferAnswer(ButtonData, prefix="woff"):
    step: OfferStep
    offer_id: str


@dataclass(frozen=True)
class PinKey(ButtonData, prefix="wpin"):
    """One key of a keypad: a digit, "x" (delete) or "c" (cancel)."""

    flow_id: str
    key: str


@dataclass(frozen=True)
class PresetChoice(ButtonData, prefix="wpre"):
    """What to show after the PIN: a card type's disclosure preset, by its place in the list."""

    flow_id: str
    index: int


class RequestStep(StrEnum):
    SHARE = "ok"
    DECLINE = "no"


@dataclass(frozen=True)
class RequestAnswer(ButtonData, prefix="wreq"):
    step: RequestStep
    flow_id: str


class IssueStep(StrEnum):
    ORGANISATION = "org"  # value: the organisation's id
    CARD_TYPE = "type"  # value: the card type's place in the list
    SKIP_PHOTO = "skip"
    CANCEL = "x"


@dataclass(frozen=True)
class IssueChoice(ButtonData, prefix="wiss"):
    step: IssueStep
    flow_id: str
    value: int = -1


class StatusStep(StrEnum):
    REVOKE = "r"  # ask first: revocation is for good
    REVOKE_CONFIRMED = "R"
    SUSPEND = "s"
    REINSTATE = "v"
    BACK = "c"  # from the question back to the card as it was


@dataclass(frozen=True)
class StatusChange(ButtonData, prefix="wrev"):
    step: StatusStep
    card_id: str
