"""The platform's admin console: /admin (one message each domain's sections draw into), its users,
organisations, audit log and stats sections, /grant and /revoke_role with a confirmation step, /whois, /ban and
/unban."""

from __future__ import annotations

from handlers.core.routing import Routes


def register(routes: Routes) -> None:
    from handlers.admin import audit, console, inputs, organisations, stats, users

    for feature in (console, users, organisations, audit, stats, inputs):
        feature.register(routes)


__all__ = ["register"]
