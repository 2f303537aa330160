"""At the counter: one-time codes a customer shows (a QR and a 6-digit short code) and the redemptions staff
make with them.

A code lives 30 seconds and works once. "Works once" is not checked and then written: redeeming marks the code
used with one conditional write (`used_at IS NULL AND expires_at > now`), so of two baristas redeeming the
same code at the same moment the database lets exactly one through, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

CODE_LIFETIME = timedelta(seconds=30)
REQUEST_LIFETIME = timedelta(minutes=3)  # a customer's "staff, please confirm" from the counter QR
UNDO_WINDOW = timedelta(minutes=5)
QR_PREFIX = "JGS1:"  # what a counter QR holds: the prefix and the code's secret token
SHORT_DIGITS = 6


class Subject(StrEnum):
    PASS = "pass"
    GIFT_CARD = "gift_card"


@dataclass(frozen=True)
class CounterCode:
    id: str
    token: str  # the QR's secret
    short_code: str  # six digits, for typing
    org_id: int
    subject: Subject
    subject_id: str
    holder_id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    chat_id: int | None = None  # where the customer sees it, to replace it while shown
    message_id: int | None = None

    def live(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    @property
    def qr_text(self) -> str:
        return QR_PREFIX + self.token


def new_short_code() -> str:
    return f"{secrets.randbelow(10 ** SHORT_DIGITS):0{SHORT_DIGITS}d}"


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class CodeQuery:
    """What staff brought: a QR's token or a typed short code."""

    token: str | None = None
    short_code: str | None = None


def read_code(text: str) -> CodeQuery | None:
    """A QR's content (`JGS1:<token>`) or six digits (spaces and dashes allowed between them); None otherwise."""
    cleaned = text.strip()
    if cleaned.startswith(QR_PREFIX):
        token = cleaned[len(QR_PREFIX):]
        return CodeQuery(token=token) if re.fullmatch(r"[A-Za-z0-9_-]{16,40}", token) else None
    digits = re.sub(r"[\s-]", "", cleaned)
    return CodeQuery(short_code=digits) if re.fullmatch(rf"\d{{{SHORT_DIGITS}}}", digits) else None


@dataclass(frozen=True)
class Redemption:
    id: str
    org_id: int
    pass_id: str
    holder_id: int
    staff_id: int
    code_id: str
    at: datetime
    undone_at: datetime | None = None
    undone_by: int | None = None

    def may_undo(self, now: datetime) -> bool:
        return self.undone_at is None and now - self.at <= UNDO_WINDOW
