"""Content in the chat: becoming a creator and setting tiers, composing posts, the portal and search, reading a
post with its actions, curators' shelves, tips, reports. One registration."""

from __future__ import annotations

from handlers.content import deliveries, moderation
from handlers.core.routing import Routes


def register(routes: Routes) -> None:
    """Everything content answers: commands, buttons, deep links, its main-menu entry and its notices."""
    moderation.register(routes)
    deliveries.register(routes)
