"""Tables that features register into: deep-link payloads for /start, the main menu's buttons, and the
handlers of domain events.

A deep link `t.me/<bot>?start=<payload>` arrives as `/start <payload>`. Payloads are `<prefix>_<rest>`
(Telegram allows A-Z, a-z, 0-9, _ and -, up to 64 characters); the prefix picks the feature's handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.notices import EventHandler

DeepLinkHandler = Callable[[Update, JigapContext, str], Awaitable[None]]
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class RouteConflict(Exception):
    """Two features claimed the same deep-link prefix or menu key, or a prefix is malformed."""


@dataclass(frozen=True)
class MenuEntry:
    key: str  # callback data suffix, `menu:<key>`
    label: str  # English msgid; translated when shown
    order: int
    open: Callable[[Update, JigapContext], Awaitable[None]]


@dataclass(frozen=True)
class EventRoute:
    """The handlers of one kind of domain event, with the event's class (to read it back from its row)."""

    kind: type
    handlers: tuple[EventHandler, ...]


@dataclass(frozen=True)
class ReminderText:
    """How a reminder kind reads (its render function) and its label in /settings (an English msgid)."""

    render: Callable[..., Any]
    label: str


@dataclass
class Routes:
    deep_links: dict[str, DeepLinkHandler] = field(default_factory=dict)
    menu: dict[str, MenuEntry] = field(default_factory=dict)
    events: dict[str, EventRoute] = field(default_factory=dict)
    reminder_texts: dict[str, ReminderText] = field(default_factory=dict)

    def add_deep_link(self, prefix: str, handler: DeepLinkHandler) -> None:
        if not re.fullmatch(r"[a-z0-9]{1,12}", prefix) or prefix in self.deep_links:
            raise RouteConflict(f"deep-link prefix {prefix!r} is malformed or taken")
        self.deep_links[prefix] = handler

    def add_menu(self, entry: MenuEntry) -> None:
        if entry.key in self.menu:
            raise RouteConflict(f"menu entry {entry.key!r} is taken")
        self.menu[entry.key] = entry

    def on_event(self, kind: type, handler: EventHandler) -> None:
        """Hand every event of class `kind` to `handler` after its transaction committed."""
        name = kind.__name__
        route = self.events.get(name)
        if route is not None and route.kind is not kind:
            raise RouteConflict(f"two event classes are called {name!r}")
        self.events[name] = EventRoute(kind, (*(route.handlers if route else ()), handler))

    def add_reminder_text(self, kind: str, render: Callable[..., Any], label: str) -> None:
        """How reminders of `kind` read: `render(reminder, subject, tr) -> OutboundMessage`."""
        if kind in self.reminder_texts:
            raise RouteConflict(f"reminder kind {kind!r} has a text already")
        self.reminder_texts[kind] = ReminderText(render, label)

    def resolve(self, payload: str) -> tuple[DeepLinkHandler, str] | None:
        """The handler and the rest of the payload, or None for anything malformed or unknown."""
        if not PAYLOAD.match(payload):
            return None
        prefix, _, rest = payload.partition("_")
        handler = self.deep_links.get(prefix)
        return None if handler is None else (handler, rest)

    def menu_entries(self) -> list[MenuEntry]:
        return sorted(self.menu.values(), key=lambda entry: entry.order)
