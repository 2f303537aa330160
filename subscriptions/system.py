"""The real clock and id source the bot wires into the services (tests pass their own)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class RandomIds:
    """UUID4 hex ids (32 characters) and 128-bit URL-safe tokens (22 characters) for gift codes."""

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def token(self) -> str:
        return secrets.token_urlsafe(16)
