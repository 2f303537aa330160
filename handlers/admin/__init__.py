"""The platform's admin commands: /admin (each domain's sections), /grant and /revoke_role with a
confirmation step, /whois; and the console's Stats section."""

from __future__ import annotations

from handlers.admin import console, stats
from handlers.core.routing import Routes


def register(routes: Routes) -> None:
    console.register(routes)
    stats.register(routes)


__all__ = ["register"]
