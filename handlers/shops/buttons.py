"""The buttons of shops' messages. Each carries ids only: who pressed, and whether they may, is asked again."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


@dataclass(frozen=True)
class OpenShop(ButtonData, prefix="shop"):
    org_id: int


@dataclass(frozen=True)
class FollowShop(ButtonData, prefix="sfol"):
    """Follow (`on` 1) or unfollow (0) a shop; `edit` 1 redraws the shop page, 0 only answers (under a broadcast)."""

    org_id: int
    on: int
    edit: int = 1


class NewShopStep(StrEnum):
    CATEGORY = "c"
    SKIP = "s"
    CANCEL = "x"


@dataclass(frozen=True)
class NewShopChoice(ButtonData, prefix="snew"):
    flow_id: str
    step: NewShopStep
    value: str = ""


class PassStep(StrEnum):
    KIND = "k"
    SKIP = "s"
    CANCEL = "x"
    CONFIRM = "y"


@dataclass(frozen=True)
class NewPassChoice(ButtonData, prefix="spnew"):
    flow_id: str
    step: PassStep
    value: str = ""


class OwnerAction(StrEnum):
    HOME = "h"
    STAFF = "s"
    INVITE = "i"
    PASSES = "p"
    ADD_PASS = "a"
    CHANNEL = "c"
    POSTER = "q"
    STATS = "t"
    CSV = "v"
    BROADCAST = "b"


@dataclass(frozen=True)
class Owner(ButtonData, prefix="sown"):
    """A press in the owner's (or staff's) shop menu; the shop is checked to be theirs on every press."""

    org_id: int
    action: OwnerAction


@dataclass(frozen=True)
class RemoveStaff(ButtonData, prefix="sstx"):
    org_id: int
    user_id: int


@dataclass(frozen=True)
class BuyPass(ButtonData, prefix="sbuy"):
    product_id: str


@dataclass(frozen=True)
class MyPasses(ButtonData, prefix="spass"):
    pass_id: str = ""  # empty: the list


class PassAction(StrEnum):
    USE = "u"
    ASK = "a"  # ask staff to confirm (from the counter QR)
    HISTORY = "h"
    GIVE = "g"


@dataclass(frozen=True)
class OnPass(ButtonData, prefix="spa"):
    pass_id: str
    action: PassAction


@dataclass(frozen=True)
class GiveUses(ButtonData, prefix="sgive"):
    pass_id: str
    uses: int


@dataclass(frozen=True)
class ClaimUses(ButtonData, prefix="sclm"):
    code: str


@dataclass(frozen=True)
class NewCode(ButtonData, prefix="scode"):
    """Show a fresh code after the last one was replaced for long enough."""

    code_id: str


@dataclass(frozen=True)
class UndoUse(ButtonData, prefix="sundo"):
    redemption_id: str


@dataclass(frozen=True)
class ConfirmUse(ButtonData, prefix="sconf"):
    """Staff confirm a use a customer asked for at the counter."""

    code_id: str


@dataclass(frozen=True)
class BuyGiftCard(ButtonData, prefix="sgcb"):
    org_id: int
    amount: int = 0  # 0: show the amounts


class CardAction(StrEnum):
    OPEN = "o"
    USE = "u"
    GIVE = "g"
    HISTORY = "h"
    REFUND = "r"


@dataclass(frozen=True)
class OnCard(ButtonData, prefix="sgc"):
    card_id: str
    action: CardAction


@dataclass(frozen=True)
class ClaimCard(ButtonData, prefix="sgcc"):
    code: str


@dataclass(frozen=True)
class AnswerSpend(ButtonData, prefix="sspd"):
    request_id: str
    accept: int


class BroadcastStep(StrEnum):
    AUDIENCE = "a"
    TARGET = "t"
    PASS = "p"
    NOW = "n"
    LATER = "l"
    SEND = "s"
    CANCEL = "x"


@dataclass(frozen=True)
class ShopBroadcastChoice(ButtonData, prefix="sbc"):
    flow_id: str
    step: BroadcastStep
    value: str = ""


@dataclass(frozen=True)
class CancelScheduled(ButtonData, prefix="sbcx"):
    broadcast_id: str
