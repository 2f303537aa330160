"""The wallet's services as the bot wires them: `WalletService` (wallet.services) over the SQL unit of work.

Handlers import the service, its refusals and the stored values from here, so they never reach into
storage; `WalletService(uow, clock, config.wallet)` is built once in bot.runtime.
"""

from __future__ import annotations

from wallet.records import (
    CredentialRecord,
    FlowRecord,
    HistoryEntry,
    IssuerRecord,
    OfferRecord,
    RequestRecord,
    SessionRecord,
)
from wallet.services import (
    CardNotFound,
    Frame,
    HeldCard,
    NoMatchingCard,
    NotAnIssuer,
    OfferGone,
    OfferView,
    RequestGone,
    StatusChangeRefused,
    Verification,
    WalletService,
    WalletServiceError,
    jwt_digest,
    request_audience,
)

__all__ = [
    "CardNotFound",
    "CredentialRecord",
    "FlowRecord",
    "Frame",
    "HeldCard",
    "HistoryEntry",
    "IssuerRecord",
    "NoMatchingCard",
    "NotAnIssuer",
    "OfferGone",
    "OfferRecord",
    "OfferView",
    "RequestGone",
    "RequestRecord",
    "SessionRecord",
    "StatusChangeRefused",
    "Verification",
    "WalletService",
    "WalletServiceError",
    "jwt_digest",
    "request_audience",
]
