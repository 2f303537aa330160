"""Named errors raised by the wallet room (callers never see a bare ValueError)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class WalletError(Exception):
    """Base of every error the wallet room raises."""


class NaiveDatetime(WalletError):
    """A datetime without a timezone was passed where the wallet needs an aware one."""


class MalformedInput(WalletError):
    """Bytes or text that do not have the expected shape (base64url, JSON, JWS...)."""


class KeyFormatError(WalletError):
    """A key (JWK, JWKS, sealed bytes) cannot be read or has an unsupported type."""


class UnsupportedAlgorithm(WalletError):
    """A signing algorithm outside the supported set (EdDSA with Ed25519, ES256)."""


class PhotoTooLarge(WalletError):
    """A photo whose decoded pixels would not fit the reader's budget (a huge picture or a decompression bomb)."""

    def __init__(self, width: int, height: int, max_pixels: int) -> None:
        super().__init__(f"{width}x{height} pixels is more than {max_pixels} to decode")
        self.width, self.height, self.max_pixels = width, height, max_pixels


class IssuanceError(WalletError):
    """A credential cannot be built from the given claims."""


@dataclass(frozen=True)
class ClaimProblem:
    """One reason a claim was refused at issuance."""

    claim: str
    code: str  # missing | unknown | wrong_type | not_a_date | too_long | pattern | not_allowed
    detail: str


class ClaimsInvalid(IssuanceError):
    """The claims given for a card do not satisfy its card type."""

    def __init__(self, problems: tuple[ClaimProblem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.claim}: {p.detail}" for p in problems))


class UnknownCardType(WalletError):
    """No card type with that id is registered."""


class CardTypeInvalid(WalletError):
    """A card type data file is inconsistent (unknown claim in a preset, bad colour...)."""


class UnknownPreset(WalletError):
    """The disclosure preset is not declared by the card type."""


class PresentationError(WalletError):
    """The holder cannot build the requested presentation."""


class CredentialRejected(WalletError):
    """A holder's wallet refuses an offered credential (bad signature, not bound to its key...)."""

    def __init__(self, failed_check: str, reason: str) -> None:
        self.failed_check = failed_check
        self.reason = reason
        super().__init__(reason)


class StatusListError(WalletError):
    """A status list token is malformed, badly signed, stale or for another list."""


class StatusUnavailable(WalletError):
    """The status of a credential could not be determined."""


class PinFormatInvalid(WalletError):
    """A PIN that is not exactly six digits, or one too easy to guess."""


class PinNotSet(WalletError):
    """The holder has not set a wallet PIN yet."""


class PinAlreadySet(WalletError):
    """Setting a first PIN when one exists; use the change or reset flow."""


class PinLocked(WalletError):
    """Too many wrong PINs: presenting is locked until `until`."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(f"wallet PIN locked until {until.isoformat()}")
