"""The platform's admin commands: /admin (each domain's sections), /grant and /revoke_role with a
confirmation step, /whois."""

from __future__ import annotations

from handlers.admin.console import register

__all__ = ["register"]
