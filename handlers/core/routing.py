"""What each domain's handlers contribute, in one registration per domain (`register(routes)`): commands
(each with its line in /help), typed buttons, messages, deep links, main-menu entries, admin sections, start-up
jobs, the handlers of domain events and the texts of reminder kinds. The bot turns these tables into the
Application.

Routes refuse conflicts when they are registered, that is at start-up: two features claiming one command,
button prefix, deep-link prefix, menu key or reminder kind stop the bot with the reason.

A privileged route declares its permission; the one guard (`handlers.core.guard`) checks it, audits a
refusal and answers it, before the handler runs. Checks that need the organisation an action is about (the
card's issuer, the offer's merchant) ask the same guard inside the handler.

A deep link `t.me/<bot>?start=<payload>` arrives as `/start <payload>`. Payloads are `<prefix>_<rest>`
(Telegram allows A-Z, a-z, 0-9, _ and -, up to 64 characters); the prefix picks the feature's handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.core.buttons import ButtonData
from handlers.core.context import JigapContext
from handlers.core.notices import EventHandler
from subscriptions.accounts.access import Permission
from subscriptions.flows import Flow

Callback = Callable[[Update, JigapContext], Coroutine[Any, Any, None]]
ButtonCallback = Callable[[Update, JigapContext, Any], Coroutine[Any, Any, None]]
DeepLinkHandler = Callable[[Update, JigapContext, str], Coroutine[Any, Any, None]]
StartupJob = Callable[[Any], Coroutine[Any, Any, None]]
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COMMAND = re.compile(r"[a-z][a-z0-9_]{0,31}")
# In a PIN keypad's state, opened for another feature (sharing a card with a brand, signing a contract): the
# key under which that feature's continuation was registered (`Routes.add_pin_continuation`).
PIN_CONTINUES = "continue"


class RouteConflict(Exception):
    """Two features claimed the same command, button, deep-link prefix, menu key or reminder kind (or a command
    came without its line for /help)."""


@dataclass(frozen=True)
class CommandRoute:
    name: str
    callback: Callback
    permission: Permission | None = None
    menu: str | None = None  # its line in Telegram's command menu (an English msgid), if it has one
    help: str = ""  # what it does, its line in /help (an English msgid)
    # /help shows it to holders of this (or of any of these); by default the route's permission.
    shown_to: Permission | tuple[Permission, ...] | None = None
    domain: str = ""  # the domain that registered it (what its metrics are counted under)

    @property
    def audiences(self) -> tuple[Permission, ...] | None:
        """Who /help offers it to: None for everyone, else holders of any of these."""
        chosen = self.shown_to or self.permission
        if chosen is None:
            return None
        return chosen if isinstance(chosen, tuple) else (chosen,)

    def audience_for(self, may: Callable[[Permission], bool]) -> Permission | None:
        """The first of its audiences this person belongs to (None: it is for everyone)."""
        return next((permission for permission in self.audiences or () if may(permission)), None)


@dataclass(frozen=True)
class ButtonRoute:
    kind: type[ButtonData]
    callback: ButtonCallback
    permission: Permission | None = None
    domain: str = ""


@dataclass(frozen=True)
class MessageRoute:
    """A PTB handler for messages (text, photos, payments) in a group: what commands and buttons are not."""

    handler: BaseHandler[Any, Any, Any]
    group: int = 0
    domain: str = ""


@dataclass(frozen=True)
class MenuEntry:
    key: str  # callback data suffix, `menu:<key>`
    label: str  # English msgid; translated when shown
    order: int
    open: Callable[[Update, JigapContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class AdminSection:
    """A section of /admin: a button that opens it, for platform admins holding `permission`."""

    key: str
    label: str  # English msgid
    permission: Permission
    open: Callback
    order: int = 50


OrganisationOpen = Callable[[Update, JigapContext, int], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class OrganisationTool:
    """A button on an organisation's console screen that another domain answers (the wallet verifies an issuer
    for card types): shown for organisations of `kinds` to admins holding `permission`; `open(update, context,
    org_id)` draws its screen into the console."""

    key: str
    label: str  # English msgid
    kinds: frozenset[str]
    permission: Permission
    open: OrganisationOpen


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


CuratorLookup = Callable[[JigapContext, int, str], Coroutine[Any, Any, int | None]]
SourceLines = Callable[[JigapContext, str], Coroutine[Any, Any, list[str]]]


# A shop's broadcast, taken over from /broadcast once its owner picks the shop's followers:
# (update, context, org_id, text).
FollowerBroadcasts = Callable[[Update, JigapContext, int, str], Coroutine[Any, Any, None]]
# A part of /following (creators, shops): shows its list and says whether there was anything to show.
FollowingSection = Callable[[Update, JigapContext], Coroutine[Any, Any, bool]]


# The wallet's keypad for a flow another feature opened through its gateway: (update, context, flow_id, edit).
KeypadShow = Callable[[Update, JigapContext, str, bool], Coroutine[Any, Any, None]]
# What goes on after a right PIN on such a keypad: (update, context, the unlocked keypad's flow).
PinContinuation = Callable[[Update, JigapContext, Flow], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Referrals:
    """Who brought a subscriber, asked by billing's handlers without knowing who answers (content's curators):
    `curator_for(context, user_id, merchant_id)` before a subscription starts, `sources(context, merchant_id)`
    for the lines /subscribers shows about where subscribers came from."""

    curator_for: CuratorLookup
    sources: SourceLines


@dataclass
class Routes:
    commands: dict[str, CommandRoute] = field(default_factory=dict)
    buttons: dict[str, ButtonRoute] = field(default_factory=dict)
    messages: list[MessageRoute] = field(default_factory=list)
    deep_links: dict[str, DeepLinkHandler] = field(default_factory=dict)
    menu: dict[str, MenuEntry] = field(default_factory=dict)
    admin_sections: dict[str, AdminSection] = field(default_factory=dict)
    organisation_tools: dict[str, OrganisationTool] = field(default_factory=dict)
    startup_jobs: list[StartupJob] = field(default_factory=list)
    events: dict[str, EventRoute] = field(default_factory=dict)
    reminder_texts: dict[str, ReminderText] = field(default_factory=dict)
    referrals: Referrals | None = None
    follower_broadcasts: FollowerBroadcasts | None = None
    following_sections: list[FollowingSection] = field(default_factory=list)
    settings_sections: dict[str, MenuEntry] = field(default_factory=dict)
    keypad: KeypadShow | None = None
    pin_continuations: dict[str, PinContinuation] = field(default_factory=dict)
    # The domain whose registration is running (the bot sets it before each); its routes carry the name.
    domain: str = ""

    def command(self, name: str, callback: Callback, *, help: str, permission: Permission | None = None,
                menu: str | None = None, shown_to: Permission | tuple[Permission, ...] | None = None) -> None:
        """/name runs `callback` behind `permission`; `help` is its line in /help, offered to whoever holds
        `shown_to` (or `permission`): /help is made from the commands, so it lists every one."""
        if not COMMAND.fullmatch(name) or name in self.commands:
            raise RouteConflict(f"command /{name} is malformed or taken")
        if not help.strip():
            raise RouteConflict(f"command /{name} has no line for /help")
        self.commands[name] = CommandRoute(name, callback, permission, menu, help, shown_to, self.domain)

    def button(self, kind: type[ButtonData], callback: ButtonCallback, *, permission: Permission | None = None
               ) -> None:
        """Presses of `kind` go to `callback(update, context, data)` with the parsed data; what does not parse
        is answered as a stale button before the callback runs."""
        if kind.prefix in self.buttons:
            raise RouteConflict(f"button prefix {kind.prefix!r} is taken")
        self.buttons[kind.prefix] = ButtonRoute(kind, callback, permission, self.domain)

    def message(self, handler: BaseHandler[Any, Any, Any], *, group: int = 0) -> None:
        self.messages.append(MessageRoute(handler, group, self.domain))

    def add_deep_link(self, prefix: str, handler: DeepLinkHandler) -> None:
        if not re.fullmatch(r"[a-z0-9]{1,12}", prefix) or prefix in self.deep_links:
            raise RouteConflict(f"deep-link prefix {prefix!r} is malformed or taken")
        self.deep_links[prefix] = handler

    def add_menu(self, entry: MenuEntry) -> None:
        if entry.key in self.menu:
            raise RouteConflict(f"menu entry {entry.key!r} is taken")
        self.menu[entry.key] = entry

    def add_settings_section(self, entry: MenuEntry) -> None:
        """A button of /settings that opens a feature's own settings (the creators one follows)."""
        if entry.key in self.settings_sections:
            raise RouteConflict(f"settings section {entry.key!r} is taken")
        self.settings_sections[entry.key] = entry

    def add_admin_section(self, section: AdminSection) -> None:
        if section.key in self.admin_sections:
            raise RouteConflict(f"admin section {section.key!r} is taken")
        self.admin_sections[section.key] = section

    def add_organisation_tool(self, tool: OrganisationTool) -> None:
        if tool.key in self.organisation_tools:
            raise RouteConflict(f"organisation tool {tool.key!r} is taken")
        self.organisation_tools[tool.key] = tool

    def on_startup(self, job: StartupJob) -> None:
        """Run `job(context)` once the bot runs (resume what was running before a restart)."""
        self.startup_jobs.append(job)

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

    def set_follower_broadcasts(self, handler: FollowerBroadcasts) -> None:
        """Who sends a shop's broadcast to its followers once /broadcast's sender picks them (shops do)."""
        if self.follower_broadcasts is not None:
            raise RouteConflict("follower broadcasts have a handler already")
        self.follower_broadcasts = handler

    def add_following_section(self, section: FollowingSection) -> None:
        """A part of /following: the creators one follows, the shops."""
        self.following_sections.append(section)

    def set_keypad(self, show: KeypadShow) -> None:
        """Who shows the wallet's PIN keypad for a flow another feature opened (the wallet does)."""
        if self.keypad is not None:
            raise RouteConflict("the PIN keypad has a handler already")
        self.keypad = show

    async def show_keypad(self, update: Update, context: JigapContext, flow_id: str, *, edit: bool = False) -> None:
        if self.keypad is None:
            raise RouteConflict("no feature shows the PIN keypad")
        await self.keypad(update, context, flow_id, edit)

    def add_pin_continuation(self, key: str, callback: PinContinuation) -> None:
        """After a right PIN on a keypad whose state names `key` under `PIN_CONTINUES`, `callback` goes on."""
        if key in self.pin_continuations:
            raise RouteConflict(f"PIN continuation {key!r} is taken")
        self.pin_continuations[key] = callback

    def pin_continuation(self, flow: Flow) -> PinContinuation | None:
        return self.pin_continuations.get(str(flow.state.get(PIN_CONTINUES, "")))

    def set_referrals(self, referrals: Referrals) -> None:
        """The one answer to who brought a subscriber; a second is a conflict."""
        if self.referrals is not None:
            raise RouteConflict("referrals are answered already")
        self.referrals = referrals

    async def curator_for(self, context: JigapContext, user_id: int, merchant_id: str) -> int | None:
        return None if self.referrals is None else await self.referrals.curator_for(context, user_id, merchant_id)

    async def source_lines(self, context: JigapContext, merchant_id: str) -> list[str]:
        return [] if self.referrals is None else await self.referrals.sources(context, merchant_id)

    # --- reading -------------------------------------------------------------------------------------

    def resolve(self, payload: str) -> tuple[DeepLinkHandler, str] | None:
        """The handler and the rest of the payload, or None for anything malformed or unknown."""
        if not PAYLOAD.match(payload):
            return None
        prefix, _, rest = payload.partition("_")
        handler = self.deep_links.get(prefix)
        return None if handler is None else (handler, rest)

    def menu_entries(self) -> list[MenuEntry]:
        return sorted(self.menu.values(), key=lambda entry: entry.order)

    def help_for(self, may: Callable[[Permission], bool]) -> list[CommandRoute]:
        """The commands /help offers someone who `may` hold what each is shown to, in registration order."""
        return [command for command in self.commands.values()
                if command.audiences is None or any(may(permission) for permission in command.audiences)]
