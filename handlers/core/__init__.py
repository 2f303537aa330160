"""The handlers every domain builds on: the typed context, routing and typed buttons, the one permission
guard, the member middleware, /start and /help, /language, /settings, broadcasts and the one error handler."""

from __future__ import annotations

from handlers.core.routing import Routes


def register(routes: Routes) -> None:
    # Imported here: these modules import the routing this package's other modules share.
    from handlers.core import broadcast, following, language, settings, start

    for feature in (start, language, settings, broadcast, following):
        feature.register(routes)
