"""Errors the sandbox answers with, shaped like Telegram's Bot API refusals."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """Base of every error raised by the sandbox."""


class BotApiError(SandboxError):
    """A refusal sent back to a bot in Telegram's envelope (``ok: false``)."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> BotApiError:
    """A 400 refusal: ``Bad Request: <detail>``."""
    return BotApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    """A 403 refusal: ``Forbidden: <detail>``."""
    return BotApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    """A 429 refusal carrying ``retry_after`` as Telegram does."""
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def conflict(detail: str) -> BotApiError:
    """A 409 refusal: ``Conflict: <detail>``."""
    return BotApiError(409, f"Conflict: {detail}")


UNAUTHORIZED = BotApiError(401, "Unauthorized")
NOT_FOUND = BotApiError(404, "Not Found")
CHAT_NOT_FOUND = "chat not found"
BLOCKED = "bot was blocked by the user"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class UserActionError(SandboxError):
    """A user-side action the sandbox cannot perform (unknown user, no such button, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidToken(SandboxError):
    """A bot token that does not look like ``<digits>:<secret>``."""
