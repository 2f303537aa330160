"""What happened at a shop (past tense); the bot turns these into messages for the people involved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PassIssued:
    pass_id: str
    holder_id: int
    org_id: int
    uses: int
    balance: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PassRedeemed:
    redemption_id: str
    pass_id: str
    holder_id: int
    staff_id: int
    org_id: int
    balance: int
    at: datetime
    code_id: str = ""  # the code shown, whose picture then says it was used (events from before it: none)


@dataclass(frozen=True, slots=True)
class RedemptionUndone:
    redemption_id: str
    pass_id: str
    holder_id: int
    staff_id: int
    balance: int
    at: datetime


@dataclass(frozen=True, slots=True)
class RedemptionRequested:
    """A customer at the counter asked staff to confirm a use (from the shop's counter QR)."""

    code_id: str
    pass_id: str
    holder_id: int
    org_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class TransferClaimed:
    code: str
    giver_id: int
    recipient_id: int
    uses: int
    pass_id: str  # the recipient's
    at: datetime


@dataclass(frozen=True, slots=True)
class GiftCardIssued:
    card_id: str
    holder_id: int
    org_id: int
    amount: int
    at: datetime


@dataclass(frozen=True, slots=True)
class GiftCardClaimed:
    card_id: str
    buyer_id: int
    recipient_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SpendAsked:
    request_id: str
    card_id: str
    holder_id: int
    staff_id: int
    org_id: int
    amount: int
    at: datetime


@dataclass(frozen=True, slots=True)
class GiftCardSpent:
    request_id: str
    card_id: str
    holder_id: int
    staff_id: int
    amount: int
    balance: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SpendDeclined:
    request_id: str
    staff_id: int
    holder_id: int
    amount: int
    at: datetime


@dataclass(frozen=True, slots=True)
class StaffJoined:
    org_id: int
    staff_id: int
    owner_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class BroadcastApproved:
    """A platform admin let a large broadcast go out (now, or at its time)."""

    broadcast_id: str
    org_id: int
    owner_id: int
    send_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class BroadcastRejected:
    """A platform admin rejected a large broadcast: nothing of it is sent; its owner reads why."""

    broadcast_id: str
    org_id: int
    owner_id: int
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ScheduledBroadcastCanceled:
    """A platform admin canceled a shop's scheduled broadcast before its time: nothing of it is sent."""

    broadcast_id: str
    org_id: int
    owner_id: int
    send_at: datetime
    at: datetime
