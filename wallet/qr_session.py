"""The presentation QR's lifecycle and verifier requests carried by deep links, as pure logic.

A shown QR is valid for 30 seconds; the message replaces it every 30 seconds for up to three
minutes, then the session is over and the holder taps "show again". A verifier's request
(nonce, who asks, which claims) is stored server-side; the deep link carries only its id,
well inside Telegram's 64-character start parameter.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from wallet.errors import DeepLinkInvalid, RequestExpired

# The audience of a QR the holder shows on their own initiative: any jigap verifier may scan it,
# and the verifier's nonce store makes each one good for a single check.
OPEN_AUDIENCE = "jigap:verifier:any"
FRAME_LIFETIME = timedelta(seconds=30)
SESSION_LIFETIME = timedelta(minutes=3)
DEEP_LINK_MAX = 64
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,43}")


@dataclass(frozen=True)
class QrFrame:
    """One QR image: its number in the session and the window in which it is valid."""

    index: int
    shown_at: datetime
    valid_until: datetime


@dataclass(frozen=True)
class QrSession:
    """A run of refreshing QR codes that started at `started_at`."""

    started_at: datetime
    frame_lifetime: timedelta = FRAME_LIFETIME
    session_lifetime: timedelta = SESSION_LIFETIME

    @property
    def ends_at(self) -> datetime:
        return self.started_at + self.session_lifetime

    @property
    def frame_count(self) -> int:
        return -(-self.session_lifetime // self.frame_lifetime)

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at

    def frame_at(self, now: datetime) -> QrFrame | None:
        """The frame that should be on screen at `now`, or None once the session is over."""
        if now < self.started_at or self.is_over(now):
            return None
        index = (now - self.started_at) // self.frame_lifetime
        shown_at = self.started_at + index * self.frame_lifetime
        return QrFrame(index, shown_at, min(shown_at + self.frame_lifetime, self.ends_at))

    def next_refresh(self, now: datetime) -> datetime | None:
        """When to replace the QR next; None when the next step is "expired, show again"."""
        frame = self.frame_at(now)
        if frame is None or frame.valid_until >= self.ends_at:
            return None
        return frame.valid_until


def new_token(nbytes: int = 16) -> str:
    """A random URL-safe id or nonce (16 bytes: 22 characters)."""
    return secrets.token_urlsafe(nbytes)


@dataclass(frozen=True)
class PresentationRequest:
    """A verifier asking to see claims; `nonce` and `audience` go into the holder's KB-JWT."""

    request_id: str
    nonce: str
    verifier_id: str
    verifier_name: str
    claims: tuple[str, ...]
    created_at: datetime
    expires_at: datetime

    @property
    def audience(self) -> str:
        return f"jigap:verifier:{self.verifier_id}"

    def ensure_open(self, now: datetime) -> None:
        if now >= self.expires_at:
            raise RequestExpired(f"request {self.request_id} expired")

    def unmet_claims(self, disclosed: Collection[str]) -> tuple[str, ...]:
        """Requested claims the verified presentation did not disclose (empty when satisfied)."""
        return tuple(name for name in self.claims if name not in disclosed)


def new_presentation_request(
    *,
    verifier_id: str,
    verifier_name: str,
    claims: tuple[str, ...],
    now: datetime,
    lifetime: timedelta = timedelta(minutes=10),
) -> PresentationRequest:
    return PresentationRequest(
        new_token(), new_token(), verifier_id, verifier_name, claims, now, now + lifetime
    )


# Deep-link kinds: "vr" a verifier's presentation request, "of" an issuer's credential offer.
DEEP_LINK_KINDS = frozenset({"vr", "of"})


@dataclass(frozen=True)
class DeepLink:
    kind: str
    token: str


def encode_deep_link(kind: str, token: str) -> str:
    """`vr_<id>`: only characters Telegram allows in a start parameter, at most 64 of them."""
    if kind not in DEEP_LINK_KINDS or _TOKEN.fullmatch(token) is None:
        raise DeepLinkInvalid("unknown kind or malformed token")
    payload = f"{kind}_{token}"
    if len(payload) > DEEP_LINK_MAX:
        raise DeepLinkInvalid("deep-link payload too long")
    return payload


def parse_deep_link(payload: str) -> DeepLink:
    """The inverse of `encode_deep_link`; raises DeepLinkInvalid for anything else."""
    if not isinstance(payload, str) or len(payload) > DEEP_LINK_MAX:
        raise DeepLinkInvalid("not a wallet deep link")
    kind, sep, token = payload.partition("_")
    if not sep or kind not in DEEP_LINK_KINDS or _TOKEN.fullmatch(token) is None:
        raise DeepLinkInvalid("not a wallet deep link")
    return DeepLink(kind, token)
