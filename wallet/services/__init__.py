"""The wallet's use cases, one module per concern, each a function that takes the wallet's dependencies
(`Wallet`) first: `issuers`, `offers`, `cards`, `pins`, `flows`, `presenting`, `verifying`, `requests`,
`revocation`, `people`. The credential logic itself (signing, presenting, verifying, PIN policy, status
lists) lives in the modules beside this package; storage is reached through `wallet.ports`.
"""

from wallet.services.common import (
    CardNotFound,
    CardNotShowable,
    CardStanding,
    Frame,
    HeldCard,
    NoMatchingCard,
    NotAnIssuer,
    OfferGone,
    OfferView,
    RequestGone,
    SessionOver,
    StatusChangeRefused,
    Verification,
    Wallet,
    WalletServiceError,
    jwt_digest,
    request_audience,
)

__all__ = [
    "CardNotFound",
    "CardNotShowable",
    "Frame",
    "CardStanding",
    "HeldCard",
    "NoMatchingCard",
    "NotAnIssuer",
    "OfferGone",
    "OfferView",
    "RequestGone",
    "SessionOver",
    "StatusChangeRefused",
    "Verification",
    "Wallet",
    "WalletServiceError",
    "jwt_digest",
    "request_audience",
]
