"""Event handlers' side of the one event path: what a handler of a domain event is given and what it returns.

A domain records events in its cause's transaction (`subscriptions.events`); after commit the dispatcher
(`bot.events`) hands each to the handlers registered for its kind (`Routes.on_event`). A handler reads what
it needs through the services, writes the message in the reader's language and returns it as `Notice`s;
the dispatcher queues them in the delivery outbox in the same transaction that marks the event handled,
so a notice is queued once however often the event is handed out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from subscriptions.accounts.roles import person

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.i18n import Translator


@dataclass(frozen=True)
class Reader:
    """Who a notice goes to, in which language and time zone."""

    chat_id: int
    tr: Translator
    timezone: str


@dataclass(frozen=True)
class Notice:
    """One outbox row: the chat and what it carries (`handlers.core.outbound`)."""

    chat_id: int
    payload: dict[str, Any]


class NoticeContext:
    """What an event handler may use: the services, the bot's @username (for links), and readers."""

    def __init__(self, services: Services, bot_username: str) -> None:
        self.services = services
        self.bot_username = bot_username

    async def reader(self, user_id: int | str) -> Reader:
        translations = self.services.translations
        user = await person(self.services.accounts, int(user_id))
        if user is None:
            return Reader(int(user_id), translations.get(translations.default),
                          self.services.config.i18n.default_timezone)
        return Reader(user.id, translations.get(translations.pick(user.language, user.telegram_language)),
                      user.timezone)

    def link(self, payload: str) -> str:
        """The t.me link that opens the bot with `/start <payload>`."""
        return f"https://t.me/{self.bot_username}?start={payload}"


EventHandler = Callable[[Any, NoticeContext], Awaitable[Sequence[Notice]]]
