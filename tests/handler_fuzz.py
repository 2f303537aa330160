"""Arbitrary input for every handler, through the sandbox, counting what reaches the error handler.

Every registered command gets arbitrary arguments, every button prefix arbitrary payloads (forged presses, as
a modified client sends them), every deep-link prefix arbitrary rests, and plain text arrives in each flow
state (an /issue, a /verify, a PIN keypad, a /grant waiting for its confirmation), reached by pressing the
bot's own buttons first. A case is what one person does; after each step a /help from them waits until the
bot is done with the step (one chat's updates are handled in order). A traceback that reaches the error
handler is a crash: the case failed.

Used by `tests/e2e/test_handler_fuzz.py` (a seeded corpus and hypothesis) and `bench/fuzz_handlers.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import threading
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.app import DOMAINS
from bot.config import Config, load_config
from bot.demo import load_demo_offers
from handlers.core.routing import Routes
from sandbox.client import BotMessage, NoReply, SandboxError, SandboxUser
from tests.harness import Jigap, jigap_on, sandbox_running, with_demo_people

T = TypeVar("T")
ACTORS = ("admin", "owner", "officer", "minji", "stranger")
PRESS_WAIT = 2.0
STEP_WAIT = 10.0


@dataclass(frozen=True)
class Command:
    name: str
    args: str

    def describe(self) -> str:
        return f"/{self.name} {self.args!r}"


@dataclass(frozen=True)
class Press:
    """Callback data the bot never put on a button."""

    data: str

    def describe(self) -> str:
        return f"press {self.data!r}"


@dataclass(frozen=True)
class RealPress:
    """The bot's own button: the `index`-th (modulo their number) of its latest message with buttons."""

    index: int

    def describe(self) -> str:
        return f"real press #{self.index}"


@dataclass(frozen=True)
class DeepLink:
    payload: str

    def describe(self) -> str:
        return f"deep link {self.payload!r}"


@dataclass(frozen=True)
class Text:
    text: str

    def describe(self) -> str:
        return f"text {self.text!r}"


Step = Command | Press | RealPress | DeepLink | Text


@dataclass(frozen=True)
class Case:
    actor: str
    steps: tuple[Step, ...]

    def describe(self) -> str:
        return f"{self.actor}: " + " → ".join(step.describe()[:120] for step in self.steps)


@dataclass(frozen=True)
class Surface:
    """What the bot answers: its commands, button prefixes and deep-link prefixes."""

    commands: tuple[str, ...]
    button_prefixes: tuple[str, ...]
    deep_links: tuple[str, ...]


def bot_surface() -> Surface:
    """What the bot's domains register, without running it (the fuzz strategies are built before it starts)."""
    routes = Routes()
    for domain in DOMAINS:
        domain.register(routes)
    return Surface(tuple(sorted(routes.commands)), tuple(sorted(routes.buttons)), tuple(sorted(routes.deep_links)))


class ErrorRecords(logging.Handler):
    """What reaches the error handler (it logs each traceback to `jigap.errors`)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class FuzzWorld:
    jigap: Jigap
    actors: dict[str, SandboxUser]
    errors: ErrorRecords
    help_heads: set[str] = field(default_factory=set)  # the first line of /help, in each language
    last_buttons: dict[str, BotMessage] = field(default_factory=dict)
    last_message: dict[str, BotMessage] = field(default_factory=dict)
    handlers_reached: set[str] = field(default_factory=set)

    @property
    def surface(self) -> Surface:
        routes = self.jigap.services.routes
        return Surface(tuple(sorted(routes.commands)), tuple(sorted(routes.buttons)), tuple(sorted(routes.deep_links)))

    async def run(self, case: Case) -> list[str]:
        """Play `case`; the tracebacks it caused (empty when none did)."""
        before = len(self.errors.records)
        user = self.actors[case.actor]
        problems: list[str] = []
        for step in case.steps:
            self.handlers_reached.add(_handler_of(step))
            with contextlib.suppress(SandboxError):  # what the sandbox refuses, as Telegram would, never arrives
                await self._step(case.actor, user, step)
            try:
                await self._settle(case.actor, user)
            except NoReply:
                problems.append(f"{case.describe()}: the bot did not answer /help after {step.describe()[:80]}")
                break
        return problems + [f"{case.describe()}: {record.getMessage()}: {record.exc_info[1]!r}" if record.exc_info
                else f"{case.describe()}: {record.getMessage()}" for record in self.errors.records[before:]]

    async def _step(self, actor: str, user: SandboxUser, step: Step) -> None:
        if isinstance(step, Command):
            await user.say(f"/{step.name} {step.args}".rstrip() if step.args else f"/{step.name}")
        elif isinstance(step, Text):
            await user.say(step.text)
        elif isinstance(step, DeepLink):
            await user.open_link(step.payload, timeout=STEP_WAIT)
        elif isinstance(step, Press):
            await user.press(step.data, self.last_message[actor], wait=PRESS_WAIT, forge=True)
        else:
            message = self.last_buttons.get(actor)
            if message is None:
                return
            rows = [button for row in message.keyboard for button in row if "callback_data" in button]
            if rows:
                await user.press(rows[step.index % len(rows)]["callback_data"], message, wait=PRESS_WAIT)

    async def _settle(self, actor: str, user: SandboxUser) -> None:
        """Wait until the bot is done with what `actor` did: their /help is answered after it (a step may have
        been a /help too: the answer that counts comes after this one's message)."""
        sentinel = await user.say("/help")
        while True:
            message = await user.next_message(timeout=STEP_WAIT)
            if message.message_id > sentinel and message.text.split("\n", 1)[0] in self.help_heads \
                    and not message.keyboard:
                return
            self._seen(actor, message)

    def _seen(self, actor: str, message: BotMessage) -> None:
        self.last_message[actor] = message
        if any("callback_data" in button for row in message.keyboard for button in row):
            self.last_buttons[actor] = message


def _handler_of(step: Step) -> str:
    if isinstance(step, Command):
        return f"/{step.name}"
    if isinstance(step, Press):
        return "button " + step.data.split(":", 1)[0]
    if isinstance(step, DeepLink):
        return "link " + step.payload.split("_", 1)[0]
    return "text" if isinstance(step, Text) else "real button"


def _unpaced() -> Config:
    """The sandbox enforces no flood limits here, so replies need not keep Telegram's one a second per chat,
    and the fuzzing actors, who send far more than a person would, need no per-person budget."""
    base = load_config(environ={})
    return base.replace(delivery=dataclasses.replace(base.delivery, chat_rate=1000, chat_burst=1000),
                        bot=dataclasses.replace(base.bot, user_burst=1_000_000, user_per_minute=1_000_000))


@asynccontextmanager
async def fuzz_world(database_url: str) -> AsyncIterator[FuzzWorld]:
    """jigap on the sandbox with the demo shops, offers and people, a platform admin and a shop owner."""
    errors = ErrorRecords()
    logger = logging.getLogger("jigap.errors")
    level = logger.level
    logger.setLevel(logging.ERROR)  # counted whatever the root logger lets through
    logger.addHandler(errors)
    try:
        async with sandbox_running() as server, jigap_on(server, database_url=database_url,
                                                         config=_unpaced()) as running:
            jigap = await with_demo_people(running)
            await load_demo_offers(jigap.services)
            admin = await jigap.started_user("Admin", "en", username="platform_admin")
            await jigap.make_platform_admin(admin)
            owner = await jigap.started_user("Sora", "ko", username="cafe_sora")
            await jigap.grant(owner, "shop_owner", "cafe-onda")
            stranger = await jigap.user("Stranger", "en", username="stranger")
            actors = {"admin": admin, "owner": owner, "officer": jigap.officer, "minji": jigap.minji,
                      "stranger": stranger}
            world = FuzzWorld(jigap, actors, errors)
            for name, user in actors.items():
                world.help_heads.add((await user.send("/help")).text.split("\n", 1)[0])
                world.last_message[name] = await user.send("/start")
                world._seen(name, world.last_message[name])
            yield world
    finally:
        logger.removeHandler(errors)
        logger.setLevel(level)


# --- the corpus ---------------------------------------------------------------------------------------------

ODD = ["", "²", "٣", "１２", "9" * 19, "9" * 30, "9" * 40, "-1", "-" + "9" * 25, "0", "1e999999",
       "1e999999999999", "NaN", "@", "@nobody", "@" + "x" * 40, "x" * 300, "👛" * 50, "a\nb", "‮rtl", "\u200b",
       ":", "::::", "%s{0}{x}", "<b>", "'; drop table users; --", "1,000.5", "1.5e3", "_"]


SHORT = ["", "²", "9" * 40, "-" + "9" * 25, "1e999999", "x" * 300, "::", "@nobody"]


def corpus(surface: Surface, *, seed: int, random_cases: int, odd: list[str] = ODD) -> list[Case]:
    """Every command, button prefix and deep link with the `odd` inputs, the flow states with text in them, and
    `random_cases` cases drawn from `seed`."""
    cases: list[Case] = []
    for index, name in enumerate(surface.commands):
        for args in odd + [f"{odd[i]} {odd[-i]}" for i in range(1, 4)] + ["onda-pass americano20 1e999999"]:
            cases.append(Case(ACTORS[index % len(ACTORS)], (Command(name, args),)))
        cases.extend(Case(actor, (Command(name, "²"),)) for actor in ACTORS)
    for index, prefix in enumerate(surface.button_prefixes):
        payloads = [prefix, *(f"{prefix}:{text}" for text in odd), f"{prefix}:x:²", f"{prefix}:a:" + "9" * 40,
                    f"{prefix}:v:1:2:3:4:5",
                    # an odd value in each field of a real button's shape (a plan's price, a broadcast's id)
                    *(f"{prefix}:onda-pass:americano20:{text}" for text in odd),
                    *(f"{prefix}:{text}:americano20:45000" for text in odd[:4]),
                    *(f"{prefix}:v:{text}" for text in odd[:4])]
        cases.extend(Case(ACTORS[(index + n) % len(ACTORS)], (Press(_fit(data)),)) for n, data in enumerate(payloads))
    for prefix in surface.deep_links:
        for rest in ["", "x", "9" * 40, "²", "A" * 60, "-_-"]:
            cases.append(Case("minji", (Command("start", f"{prefix}_{rest}"),)))
            cases.append(Case("stranger", (DeepLink(f"{prefix}_{rest}"[:64]),)))
    cases.extend(Case("minji", (Command("start", text),)) for text in odd)
    cases.extend(_flow_cases(odd))
    generator = random.Random(seed)
    cases.extend(random_case(generator, surface) for _ in range(random_cases))
    return cases


def _flow_cases(odd: list[str]) -> list[Case]:
    """Text in each flow state, reached through the bot's own buttons."""
    texts = [Text(text) for text in odd if text] + [Text("x" * 4000)]
    entries: list[tuple[str, tuple[Step, ...]]] = [
        ("officer", (Command("issue", ""),)),  # which card?
        ("officer", (Command("issue", ""), RealPress(0))),  # whose card?
        ("officer", (Command("issue", ""), RealPress(0), Text("@minji"))),  # the claims
        ("officer", (Command("issue", ""), RealPress(1), Text("@minji"))),
        ("minji", (Command("verify", ""),)),  # waiting for a photo or a code
        ("minji", (Command("wallet", ""), RealPress(0))),  # a keypad or a card
        ("admin", (Command("grant", "@minji creator daily-hanja"),)),  # waiting for Confirm
        ("owner", (Command("offers", ""),)),
        ("minji", (Command("subscriptions", ""), RealPress(0))),
        ("minji", (Command("settings", ""), RealPress(1))),
    ]
    return [Case(actor, (*entry, text)) for actor, entry in entries for text in texts] + \
        [Case(actor, (*entry, RealPress(n), Text("²"), RealPress(n + 1))) for actor, entry in entries for n in range(3)]


CHARACTERS = "09²٣１@_-:./ ,.eE+ab가힣👛\n\u200b‮"


def random_text(generator: random.Random, longest: int = 80) -> str:
    return "".join(generator.choice(CHARACTERS) for _ in range(generator.randint(0, longest)))


def random_case(generator: random.Random, surface: Surface) -> Case:
    steps: list[Step] = []
    for _ in range(generator.randint(1, 4)):
        kind = generator.randrange(5)
        if kind == 0:
            steps.append(Command(generator.choice(surface.commands), random_text(generator)))
        elif kind == 1:
            steps.append(Press(_fit(f"{generator.choice(surface.button_prefixes)}:{random_text(generator, 40)}")))
        elif kind == 2:
            steps.append(RealPress(generator.randrange(8)))
        elif kind == 3:
            steps.append(Command("start", f"{generator.choice(surface.deep_links)}_{random_text(generator, 30)}"))
        else:
            steps.append(Text(random_text(generator) or "x"))
    return Case(generator.choice(ACTORS), tuple(steps))


def _fit(data: str) -> str:
    """Callback data as Telegram carries it: at most 64 bytes."""
    while len(data.encode()) > 64:
        data = data[:-1]
    return data


# --- running the world on a thread of its own (for hypothesis, whose tests are not coroutines) --------------

class WorldThread:
    """A fuzz world on an event loop in its own thread; `call` runs a coroutine there and waits for it."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fuzz-world", daemon=True)
        self._stack = AsyncExitStack()
        self._world: FuzzWorld | None = None

    def __enter__(self) -> WorldThread:
        self._thread.start()
        self._world = self.call(self._stack.enter_async_context(fuzz_world(self._url)))
        return self

    def run(self, case: Case) -> list[str]:
        assert self._world is not None, "the world runs once entered"
        return self.call(self._world.run(case))

    @property
    def world(self) -> FuzzWorld:
        assert self._world is not None, "the world runs once entered"
        return self._world

    def __exit__(self, *exc: object) -> None:
        try:
            self.call(self._stack.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T] | Awaitable[T], timeout: float = 300) -> T:  # noqa: ASYNC109
        async def wrapped() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(timeout)
