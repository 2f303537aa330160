"""Sandbox fuzz: a fixed, seeded corpus of malformed calls thrown at a sandbox this script starts itself.

    python bench/fuzz_sandbox.py            # 2,048 Bot API calls and 1,720 users' and admin route calls
    python bench/fuzz_sandbox.py --quick    # the same corpus (it runs well under a minute)

Every Bot API method the sandbox implements (and a few it does not) gets query strings, forms, multipart
bodies, JSON and raw bytes full of wrong types, lone surrogates, deep nesting and near-valid objects;
every users' and admin route gets the same, sent as the web chat would (JSON, the sandbox's own Origin).
A malformed call must get a 4xx in Telegram's shape, never a 5xx. The last lines are
`sandbox_bot_api_cases`, `sandbox_bot_api_5xx`, `sandbox_user_route_cases` and `sandbox_user_route_5xx`;
the first 5xx answers are listed above them so they can be replayed by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.flood import FloodLimits  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402

SEED = 20_260_412
BOT_API_CASES = 2_048
USER_ROUTE_CASES = 1_720
MAX_QUERY = 6_000
TOKEN = "6300001:AAbenchFuzzSandboxBotTokenForCalls"

CONTENT_TYPES = [None, "application/json", "application/json; charset=nope", "application/json; charset=latin-1",
                 "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=zz",
                 "text/plain", "application/octet-stream"]
VERBS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
BOT_API_PARAMS = [
    "chat_id", "from_chat_id", "message_id", "text", "parse_mode", "entities", "caption", "caption_entities",
    "reply_markup", "reply_parameters", "reply_to_message_id", "allow_sending_without_reply", "photo", "document",
    "media", "title", "description", "payload", "currency", "prices", "provider_token", "subscription_period",
    "start_parameter", "user_id", "callback_query_id", "pre_checkout_query_id", "ok", "error_message",
    "telegram_payment_charge_id", "is_canceled", "offset", "limit", "allowed_updates", "secret_token",
    "max_connections", "drop_pending_updates", "commands", "scope", "language_code", "name", "short_description",
    "menu_button", "action", "file_id", "invite_link", "member_limit", "expire_date", "creates_join_request",
    "subscription_price", "until_date", "show_alert", "inline_message_id", "url",
]
SIDE_PARAMS = [
    "text", "first_name", "language_code", "last_name", "username", "say", "bot_id", "message_id", "callback_data",
    "forge", "url", "payload", "invoice_link", "fail", "deliver_update", "telegram_payment_charge_id", "canceled",
    "title", "owner_id", "user_id", "invite_link", "photo", "photo_base64", "document", "document_base64",
    "caption", "file_name", "flood", "pre_checkout_timeout", "auto_register_bots", "kind", "rate",
    "retry_after", "methods", "seed", "token", "contains", "after",
]
# Values that would make a well-formed call wait (a long poll, a press waiting for its answer) are left out:
# a wait is not a malformed call, and the fuzzer must stay fast.
WAITING_PARAMS = ("timeout", "wait")


@dataclass
class Call:
    """One generated request, described well enough to replay it by hand."""

    verb: str
    path: str
    content_type: str | None = None
    body: bytes | aiohttp.FormData | None = None
    shown: str = ""

    def __str__(self) -> str:
        return f"{self.verb} {self.path} [{self.content_type}] {self.shown[:300]}"


@dataclass
class Tally:
    calls: int = 0
    server_errors: list[str] = field(default_factory=list)
    misshaped: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self, what: str) -> str:
        return (f"{what}: {self.calls:,} calls, {len(self.server_errors)} 5xx, {len(self.misshaped)} misshaped, "
                f"statuses {dict(sorted(self.statuses.items()))}")


# --- values ---------------------------------------------------------------------------------------------

SPECIAL_TEXTS = [
    "", " ", "@", "@nobody", "attach://photo", "http://127.0.0.1:9/card.png", "http://[::1]/x.png",
    "https://169.254.169.254/latest", "1" * 5000, "-1", "1e999", "NaN", "Infinity", "true", "<b>x",
    "<a href=\"tg://user?id=abc\">x</a>", "<a href=\"tg://user?id=\">x</a>", "*bold", "[x](y", "\\", "&#xd800;",
    "&amp", "<![CDATA[x]]>", "<!x>", "<?x?>", "\x00", "HTML", "MarkdownV2", "Markdown", "XTR", "KRW", "photo",
    "document", "video", "default", "commands", "typing"]
SPECIAL_NUMBERS: list[Any] = [0, -1, 1, 2, 3, 10**40, 2**63 - 1, -(2**63), 2**31, 0.5, -0.0, 1e308,
                              float("nan"), float("inf"), float("-inf")]
RAW_BODIES = [
    b"[" * 100_000, b"{\"chat_id\": 1" + b"0" * 5000 + b"}", b"--zz\r\n", b"--zz\r\nContent-Disposition: x\r\n\r\n",
    b"chat_id=\xff\xfe", b"{\"text\": \"\\ud800\"}", b"\xef\xbb\xbf{}", b"null", b"[]", b"\"x\"", b"{\"chat_id\": NaN}",
    b"{\"chat_id\": 1e999}", b"{\"a\":" * 200 + b"1" + b"}" * 200]


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


class Corpus:
    """Draws malformed calls from one seeded generator: the same seed gives the same calls, every run."""

    def __init__(self, seed: int, names: list[str], people: list[int]) -> None:
        self.random = random.Random(seed)
        self.names = names
        self.people = people

    def text(self) -> str:
        pick = self.random.random()
        if pick < 0.4:
            return self.random.choice(SPECIAL_TEXTS)
        if pick < 0.55:  # lone surrogates: no UTF-8 encoder can write them
            return "".join(chr(self.random.randint(0xD800, 0xDFFF)) for _ in range(self.random.randint(1, 3)))
        alphabet = self.random.choice([(0x20, 0x7E), (0, 0x1F), (0x80, 0x2FF), (0xAC00, 0xD7A3), (0x1F300, 0x1F6FF)])
        return "".join(chr(self.random.randint(*alphabet)) for _ in range(self.random.randint(0, 20)))

    def number(self) -> Any:
        pick = self.random.random()
        if pick < 0.5:
            return self.random.choice(SPECIAL_NUMBERS)
        if pick < 0.8:
            return self.random.randint(-(10**30), 10**30)
        return self.random.uniform(-1e300, 1e300)

    def scalar(self) -> Any:
        return self.random.choice([None, True, False, self.number(), self.text(), self.text()])

    def garbage(self, depth: int = 0) -> Any:
        pick = self.random.random()
        if depth > 2 or pick < 0.55:
            return self.scalar()
        if pick < 0.75:
            return [self.garbage(depth + 1) for _ in range(self.random.randint(0, 4))]
        keys = self.names + [self.text()]
        return {self.random.choice(keys): self.garbage(depth + 1) for _ in range(self.random.randint(0, 4))}

    def almost_valid(self) -> Any:
        """Shapes close to real Bot API objects, so calls get past the first check and into the deeper ones."""
        g = self.garbage
        button = {"text": g(), self.random.choice(["callback_data", "url", "pay"]): g()}
        shapes: list[Callable[[], Any]] = [
            lambda: self.random.choice([*self.people, 1, 2, 3, -1_001_000_000_001, "@fuzz_channel"]),
            lambda: json.dumps(g(), ensure_ascii=self.random.random() < 0.5),
            lambda: {"inline_keyboard": self.random.choice([g(), [[button] * self.random.randint(0, 2)]])},
            lambda: {"keyboard": g(), "remove_keyboard": g()},
            lambda: [{"type": g(), "offset": g(), "length": g(), "url": g()}],
            lambda: {"type": self.random.choice(["photo", "document", "video"]), "media": g(), "caption": g()},
            lambda: [{"label": g(), "amount": g()} for _ in range(self.random.randint(0, 2))],
            lambda: {"message_id": g(), "allow_sending_without_reply": g()},
            lambda: [{"command": g(), "description": g()} for _ in range(self.random.randint(0, 2))],
            lambda: self.random.choice([nested(40), nested(500), "[" * 3000]),
        ]
        return self.random.choice(shapes)()

    def params(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for _ in range(self.random.randint(0, 6)):
            name = self.random.choice(self.names) if self.random.random() < 0.85 else self.text()[:6]
            values[name] = self.garbage() if self.random.random() < 0.5 else self.almost_valid()
        return {key: value for key, value in values.items() if key not in WAITING_PARAMS}

    def call(self, paths: list[tuple[str, str]]) -> Call:
        verb, path = self.random.choice(paths)
        values = self.params()
        kind = self.random.choice(["json", "json", "json", "form", "multipart", "query", "raw", "verb"])
        if kind == "verb":
            verb = self.random.choice(VERBS)
        if kind == "query" or verb in ("GET", "HEAD"):
            query = urllib.parse.urlencode([(k, form_text(v)) for k, v in values.items()], errors="surrogatepass")
            # A request line longer than the HTTP parser takes is refused before any route sees it.
            return Call(verb, f"{path}?{query[:MAX_QUERY]}", shown=query[:MAX_QUERY])
        if kind in ("json", "verb"):
            text = json.dumps(values)  # NaN and Infinity go out as JSON does not allow them
            return Call(verb, path, "application/json", text.encode("utf-8", "surrogatepass"), text)
        if kind == "form":
            body = urlencoded(values)
            return Call(verb, path, "application/x-www-form-urlencoded", body, body.decode())
        if kind == "multipart":
            upload = self.random.choice([None, self.random.randbytes(self.random.randint(0, 40))])
            return Call(verb, path, None, multipart(values, upload), f"multipart {values!r} upload={upload!r}")
        raw = self.random.choice([self.random.randbytes(self.random.randint(0, 60)), *RAW_BODIES])
        return Call(verb, path, self.random.choice(CONTENT_TYPES), raw, repr(raw[:200]))

    def calls(self, paths: list[tuple[str, str]], count: int) -> list[Call]:
        return [self.call(paths) for _ in range(count)]


# --- bodies ---------------------------------------------------------------------------------------------

def form_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def urlencoded(values: dict[str, Any]) -> bytes:
    pairs = [(key, form_text(value)) for key, value in values.items()]
    return urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def multipart(values: dict[str, Any], upload: bytes | None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in values.items():
        # A part's name travels in a header, where no client can put a control character.
        name = "".join(c for c in key if c >= " " and c != "\x7f")
        text = form_text(value)
        if name.isascii() and _encodable(text):
            form.add_field(name, text)
            continue
        # Raw bytes, so text that is not valid UTF-8 (a lone surrogate) reaches the server as it is.
        form.add_field(name.encode("utf-8", "surrogatepass").decode("latin-1"),
                       io.BytesIO(text.encode("utf-8", "surrogatepass")), content_type="text/plain")
    if upload is not None:
        form.add_field("photo", upload, filename="x.png", content_type="image/png")
    return form


async def send_all(http: aiohttp.ClientSession, base: str, calls: list[Call], headers: dict[str, str]) -> Tally:
    tally = Tally()
    for call in calls:
        sent = dict(headers)
        if call.content_type is not None:
            sent["Content-Type"] = call.content_type
        async with http.request(call.verb, base + call.path, data=call.body, headers=sent,
                                timeout=aiohttp.ClientTimeout(total=10)) as response:
            raw = await response.read()
            tally.calls += 1
            tally.statuses[response.status] = tally.statuses.get(response.status, 0) + 1
            if response.status >= 500:
                tally.server_errors.append(f"{response.status} {call}")
            elif response.status >= 400 and call.verb != "HEAD" and not _refusal_shaped(call.path, response.status, raw):
                tally.misshaped.append(f"{response.status} {raw[:200]!r} for {call}")
    return tally


def _refusal_shaped(path: str, status: int, raw: bytes) -> bool:
    """A Bot API refusal is Telegram's envelope; a users' or admin route refusal says what was wrong."""
    try:
        body = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if path.startswith("/bot"):
        return (body.get("ok") is False and body.get("error_code") == status
                and isinstance(body.get("description"), str))
    return isinstance(body.get("error"), str) and bool(body["error"])


# --- the world the calls land in ------------------------------------------------------------------------

async def furnished(server: SandboxServer, bot: Callable[..., Awaitable[Any]]) -> list[int]:
    """A started chat with a few messages, a channel with the bot as admin: deeper code paths to reach."""
    person = server.add_user("Fuzz")
    account = next(iter(server.world.bots.values()))
    server.world.private(account, server.world.users[person["id"]]).started = True
    owner = server.world.users[person["id"]]
    channel = server.world.add_channel("Fuzz", owner, "fuzz_channel")
    channel.admin_bots.add(account.id)
    await bot("sendMessage", chat_id=person["id"], text="hello",
              reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    await bot("sendInvoice", chat_id=person["id"], title="T", description="D", payload="p", currency="XTR",
              prices=[{"label": "x", "amount": 5}])
    return [person["id"], account.id, channel.id]


def side_routes(server: SandboxServer, ids: list[int]) -> list[tuple[str, str]]:
    """Every users' and admin route with its ``{id}`` filled in, except the endless event stream."""
    paths: list[tuple[str, str]] = []
    for route in server.build_app().router.routes():
        template = route.resource.canonical if route.resource else ""
        if not template.startswith("/sandbox/") or template == "/sandbox/events":
            continue
        for filled in {template.replace("{id}", str(i)) for i in [*ids, 0, "x", 10**30]}:
            if "{" not in filled:
                paths.append((route.method, filled))
    return sorted(set(paths))


def bot_api_paths(server: SandboxServer, token: str) -> list[tuple[str, str]]:
    methods = [*sorted(server.api.methods), "sendTelepathy", "", "getme/extra", "%ff"]
    return [("POST", f"/bot{token}/{method}") for method in methods]


class BotCall:
    """A well-formed Bot API call, to furnish the world before the malformed ones arrive."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str) -> None:
        self.http = http
        self.url = url
        self.token = token

    async def __call__(self, method: str, **params: Any) -> Any:
        async with self.http.post(f"{self.url}/bot{self.token}/{method}", json=params) as response:
            return await response.json()


async def run(bot_api_cases: int, user_route_cases: int) -> tuple[Tally, Tally]:
    server = SandboxServer(port=0, limits=FloodLimits.off(), pre_checkout_timeout=0.5)
    server.add_bot(TOKEN, "sandbox_fuzz_bot", "Fuzz Bot")
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            people = await furnished(server, BotCall(http, server.url, TOKEN))
            bot_calls = Corpus(SEED, BOT_API_PARAMS, people).calls(bot_api_paths(server, TOKEN), bot_api_cases)
            bot_api = await send_all(http, server.url, bot_calls, {})
            side_calls = Corpus(SEED + 1, SIDE_PARAMS, people).calls(side_routes(server, people), user_route_cases)
            side = await send_all(http, server.url, side_calls, {"Origin": server.url})
    finally:
        await server.stop()
    return bot_api, side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="the same corpus: it already runs in well under a minute")
    parser.add_argument("--bot-api-cases", type=int, default=BOT_API_CASES)
    parser.add_argument("--user-route-cases", type=int, default=USER_ROUTE_CASES)
    args = parser.parse_args()
    started = time.monotonic()
    bot_api, side = asyncio.run(run(args.bot_api_cases, args.user_route_cases))
    for line in (bot_api.server_errors + side.server_errors)[:20]:
        print(f"5xx: {line}")
    for line in (bot_api.misshaped + side.misshaped)[:20]:
        print(f"misshaped: {line}")
    print(bot_api.summary("Bot API"))
    print(side.summary("users' and admin routes"))
    print(f"elapsed_s={time.monotonic() - started:.1f}")
    print(f"sandbox_bot_api_cases {bot_api.calls}")
    print(f"sandbox_bot_api_5xx {len(bot_api.server_errors)}")
    print(f"sandbox_user_route_cases {side.calls}")
    print(f"sandbox_user_route_5xx {len(side.server_errors)}")
    if bot_api.server_errors or side.server_errors or bot_api.misshaped or side.misshaped:
        sys.exit(1)


if __name__ == "__main__":
    main()
