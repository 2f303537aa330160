"""The sandbox server: Bot API routes, file downloads, the users' side, admin routes and the web chat."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from sandbox.bodies import MalformedBody, read_json_object
from sandbox.bot_api import BotApi
from sandbox.bureau import BUREAU_PATH, CreditBureau
from sandbox.callbacks import CallbackQueries
from sandbox.errors import UNAUTHORIZED, BotApiError, InvalidToken, SandboxError
from sandbox.faults import FaultInjector, FaultPlan, InvalidFault
from sandbox.flood import FloodControl, FloodLimits, InvalidLimits
from sandbox.params import Params, read_params
from sandbox.payments import Payments
from sandbox.user_routes import Handler, UserRoutes, guarded
from sandbox.users import UserActions
from sandbox.webhooks import WebhookDelivery
from sandbox.world import TOKEN_PATTERN, BotAccount, Clock, Json, World, system_clock

log = logging.getLogger(__name__)
HANG_LIMIT = 600.0
INTERNAL_ERROR = BotApiError(500, "Internal Server Error")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The web chat (and any client that cannot set Origin) proves it came from the sandbox with this header.
RUN_TOKEN_HEADER = "X-Sandbox-Token"


class ServerNotRunning(SandboxError):
    """The server was asked for its address before start() or after stop()."""


class SandboxServer:
    """A local Telegram Bot API server, started and stopped in-process.

    ``port=0`` picks a free port; :attr:`url` then carries the real one. With
    ``auto_register_bots=True`` any well-formed token is accepted and its bot registered on first
    use (handy for a bot written with any library); otherwise unknown tokens get 401 Unauthorized.
    ``clock`` dates messages and payments; ``monotonic`` paces flood control (tests freeze it).

    Like Telegram, a photo or document given by URL is fetched only from public addresses, unless
    ``fetch_private_urls=True`` (a test serving files on this machine). A web page the person has open
    must not act through the sandbox: requests naming a host other than an IP address, ``localhost``,
    the public URL's host or one of ``allowed_hosts`` are refused (DNS rebinding), and every call that
    changes something on the users' or admin side must be JSON with the sandbox's own ``Origin`` or
    the per-run token (:attr:`run_token`, which the web chat page carries) in ``X-Sandbox-Token``.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 8080, limits: FloodLimits | None = None,
                 public_url: str | None = None, *, auto_register_bots: bool = False,
                 pre_checkout_timeout: float = 10.0, clock: Clock = system_clock,
                 monotonic: Callable[[], float] = time.monotonic, fetch_private_urls: bool = False,
                 allowed_hosts: Iterable[str] = ()) -> None:
        self.host = host
        self.port = port
        self.public_url = public_url.rstrip("/") if public_url else None
        self.auto_register_bots = auto_register_bots
        self.run_token = secrets.token_urlsafe(24)
        self.allowed_hosts = {name.lower() for name in allowed_hosts} | LOOPBACK_NAMES | {host.lower()}
        if self.public_url and URL(self.public_url).host:
            self.allowed_hosts.add(str(URL(self.public_url).host).lower())
        self.world = World(clock)
        self.flood = FloodControl(limits or FloodLimits(), monotonic)
        self.faults = FaultInjector()
        self.callbacks = CallbackQueries()
        self.payments = Payments(self.world, pre_checkout_timeout)
        self.bureau = CreditBureau(clock)
        self.webhooks = WebhookDelivery(self.world, self._client)
        self.api = BotApi(self.world, self.flood, self.payments, self.callbacks, self.webhooks,
                          fetch_private_urls=fetch_private_urls)
        self.actions = UserActions(self.world, self.payments, self.callbacks)
        self.webhooks.on_reply = self._webhook_reply
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.requests_served = 0

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.public_url:
            return self.public_url
        if self._runner is None:
            raise ServerNotRunning("start() the server first")
        return f"http://{self.host}:{self.port}"

    @property
    def bureau_url(self) -> str:
        """Where the credit bureau stand-in answers (``POST <bureau_url>/inquiries``)."""
        return self.url + BUREAU_PATH

    async def start(self) -> None:
        self._closing = asyncio.Event()
        runner = web.AppRunner(self.build_app(), handler_cancellation=True, shutdown_timeout=0.25,
                               access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=1024)
        await site.start()
        self._runner = runner
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        self._closing.set()
        await self.webhooks.stop_all()
        await self.api.fetcher.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    # --- configuration --------------------------------------------------------------------------

    def add_bot(self, token: str, username: str, first_name: str) -> dict[str, Any]:
        """Register a bot by its token; returns its User object (as getMe shows it)."""
        return self.world.add_bot(token, username, first_name).me()

    def add_user(self, first_name: str, language_code: str = "en", last_name: str | None = None,
                 username: str | None = None) -> dict[str, Any]:
        """Create a user (demo data, tests); returns the User object bots will see."""
        return self.world.add_user(first_name, language_code, last_name, username).user_object()

    def set_limits(self, limits: FloodLimits) -> None:
        self.flood.configure(limits)

    def set_faults(self, plan: FaultPlan | None) -> None:
        self.faults.set_plan(plan)

    def set_pre_checkout_timeout(self, seconds: float) -> None:
        self.payments.pre_checkout_timeout = seconds

    def config(self) -> Json:
        return {"flood": self.flood.limits.as_json(), "pre_checkout_timeout": self.payments.pre_checkout_timeout,
                "auto_register_bots": self.auto_register_bots, "fetch_private_urls": self.api.fetch_private_urls,
                "faults": self.faults.plan.as_json() if self.faults.plan else None}

    # --- the application ------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024, middlewares=[self._gate])
        app.router.add_route("*", "/bot{token}/{method}", self._bot_call)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file_download)
        app.router.add_get("/sandbox/files/{file_id}", self._file_by_id)
        admin: list[tuple[str, str, Handler]] = [
            ("GET", "/sandbox/config", self._get_config),
            ("POST", "/sandbox/config", self._post_config),
            ("GET", "/sandbox/faults", self._get_faults),
            ("POST", "/sandbox/faults", self._post_faults),
            ("DELETE", "/sandbox/faults", self._delete_faults),
            ("GET", "/sandbox/bots", self._list_bots),
            ("POST", "/sandbox/bots", self._post_bot),
            ("GET", "/sandbox/stats", self._stats),
        ]
        for verb, path, handler in admin:
            app.router.add_route(verb, path, guarded(handler))
        app.router.add_get("/sandbox/events", self._event_stream)
        UserRoutes(self.world, self.actions, self.payments).register(app)
        self.bureau.register(app)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        return app

    # --- who may call ---------------------------------------------------------------------------

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse foreign hosts and cross-site writes; answer every refusal in the route's own shape."""
        host = request.headers.get("Host")
        if host is not None and not self._host_allowed(host):
            return _refusal(request, 403, f"this sandbox does not answer to the host {host!r}")
        if request.path.startswith("/sandbox/") and request.method not in READING_METHODS:
            if request.content_type != "application/json":
                return _refusal(request, 415, "send the body as JSON (Content-Type: application/json)")
            if not self._from_the_sandbox(request):
                return _refusal(request, 403, "a change must come from the sandbox's own page: send its Origin "
                                              f"or the run token in {RUN_TOKEN_HEADER}")
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return _refusal(request, exc.status, exc.reason)
        except MalformedBody as exc:
            return _refusal(request, 400, exc.detail)
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception:
            # A bug, not a refusal: the caller still gets an answer in the route's shape, the log the details.
            log.exception("sandbox: %s %s failed", request.method, request.path)
            return _refusal(request, 500, "Internal Server Error")

    def _host_allowed(self, host: str) -> bool:
        try:
            name = URL(f"http://{host}").host
        except ValueError:
            return False
        if not name:
            return False
        name = name.lower().rstrip(".")
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(name.strip("[]"))
            return True  # a name can be rebound to this machine, an address cannot
        return name in self.allowed_hosts

    def _from_the_sandbox(self, request: web.Request) -> bool:
        token = request.headers.get(RUN_TOKEN_HEADER)
        if token is not None and secrets.compare_digest(token, self.run_token):
            return True
        origin = request.headers.get("Origin")
        if origin is None:
            return False
        own = {f"{request.scheme}://{request.host}".lower()}
        if self.public_url:
            own.add(str(URL(self.public_url).origin()).lower())
        return origin.rstrip("/").lower() in own

    def _bot_for(self, token: str) -> BotAccount | None:
        bot = self.world.bots_by_token.get(token)
        if bot is None and self.auto_register_bots and TOKEN_PATTERN.match(token):
            bot_id = token.split(":", 1)[0]
            bot = self.world.add_bot(token, f"sandbox_{bot_id}_bot", f"Bot {bot_id}")
        return bot

    async def _bot_call(self, request: web.Request) -> web.StreamResponse:
        self.requests_served += 1
        bot = self._bot_for(request.match_info["token"])
        if bot is None:
            return _envelope(UNAUTHORIZED)
        method = request.match_info["method"]
        fault = self.faults.draw(bot.id, method)
        if fault is not None:
            return await self._inject(request, fault)
        try:
            params = Params(await read_params(request))
            result = await self.api.call(bot, method, params)
        except BotApiError as exc:
            return _envelope(exc)
        except Exception:
            # Whatever a malformed request trips over, the bot gets an answer and the server lives on.
            log.exception("sandbox: %s failed", method)
            return _envelope(INTERNAL_ERROR)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _inject(self, request: web.Request, fault: FaultPlan) -> web.StreamResponse:
        if fault.kind == "429":
            return _envelope(BotApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                                         {"retry_after": fault.retry_after}))
        if fault.kind == "500":
            return _envelope(INTERNAL_ERROR)
        if fault.kind == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), HANG_LIMIT)
            return _envelope(INTERNAL_ERROR)
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError

    async def _webhook_reply(self, bot: BotAccount, body: Json) -> None:
        """A method call in a webhook answer runs as if the bot had made it (its result is lost, as in Telegram)."""
        method = str(body.pop("method"))
        with contextlib.suppress(BotApiError):
            await self.api.call(bot, method, Params(body))

    async def _file_download(self, request: web.Request) -> web.StreamResponse:
        if self._bot_for(request.match_info["token"]) is None:
            return _envelope(UNAUTHORIZED)
        stored = self.world.files.by_path(request.match_info["path"])
        if stored is None:
            return _envelope(BotApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def _file_by_id(self, request: web.Request) -> web.StreamResponse:
        try:
            stored = self.world.files.get(request.match_info["file_id"])
        except BotApiError:
            return web.json_response({"error": "no such file"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type,
                            headers={"Cache-Control": "max-age=3600"})

    # --- admin routes ---------------------------------------------------------------------------

    async def _get_config(self, request: web.Request) -> web.Response:
        return web.json_response(self.config())

    async def _post_config(self, request: web.Request) -> web.Response:
        """Change settings; a body with one bad setting changes none of them."""
        body = await read_json_object(request)
        try:
            limits = None
            if "flood" in body:
                flood = body["flood"]
                limits = FloodLimits.off() if flood is None or flood is False else FloodLimits.from_json(
                    dict(flood), FloodLimits())
            seconds = None
            if "pre_checkout_timeout" in body:
                seconds = float(body["pre_checkout_timeout"])
                if not 0 <= seconds <= HANG_LIMIT:
                    raise ValueError(f"pre_checkout_timeout must be between 0 and {HANG_LIMIT:g} seconds")
        except (InvalidLimits, TypeError, ValueError, OverflowError) as exc:
            return web.json_response({"error": f"bad config: {exc}"}, status=400)
        if limits is not None:
            self.set_limits(limits)
        if seconds is not None:
            self.set_pre_checkout_timeout(seconds)
        if "auto_register_bots" in body:
            self.auto_register_bots = bool(body["auto_register_bots"])
        if "fetch_private_urls" in body:
            self.api.fetch_private_urls = bool(body["fetch_private_urls"])
        return web.json_response(self.config())

    async def _get_faults(self, request: web.Request) -> web.Response:
        plan = self.faults.plan
        return web.json_response({"plan": plan.as_json() if plan else None, "injected": self.faults.injected})

    async def _post_faults(self, request: web.Request) -> web.Response:
        try:
            plan = FaultPlan.from_json(await read_json_object(request))
        except InvalidFault as exc:
            return web.json_response({"error": str(exc)}, status=400)
        self.set_faults(plan)
        return web.json_response({"plan": plan.as_json(), "injected": 0})

    async def _delete_faults(self, request: web.Request) -> web.Response:
        self.set_faults(None)
        return web.json_response({"plan": None})

    async def _list_bots(self, request: web.Request) -> web.Response:
        return web.json_response([bot.me() for bot in self.world.bots.values()])

    async def _post_bot(self, request: web.Request) -> web.Response:
        body = await read_json_object(request)
        try:
            me = self.add_bot(str(body.get("token", "")), str(body.get("username") or "sandbox_bot"),
                              str(body.get("first_name") or "Sandbox Bot"))
        except InvalidToken as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(me)

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({
            "requests_served": self.requests_served,
            "bots": {bot.id: {"pending_updates": len(bot.updates)} for bot in self.world.bots.values()},
            "users": len(self.world.users), "channels": len(self.world.channels)})

    async def _event_stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: every event of every chat, as it happens."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        queue = self.world.hub.subscribe()
        try:
            await response.write(b": connected\n\n")
            while not self._closing.is_set():
                try:
                    event = await asyncio.wait_for(queue.get(), 15.0)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                await response.write(f"data: {_dumps(event)}\n\n".encode())
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            log.debug("sandbox: an event stream reader went away")
        finally:
            self.world.hub.unsubscribe(queue)
        return response

    # --- the web chat ---------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        page = _web_asset("index.html").replace(
            "<head>", f'<head>\n  <meta name="sandbox-run-token" content="{self.run_token}">', 1)
        return web.Response(text=page, content_type="text/html")

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        types = {"js": "application/javascript", "css": "text/css"}
        kind = name.rsplit(".", 1)[-1]
        if kind not in types or "/" in name:
            raise web.HTTPNotFound()
        try:
            return web.Response(text=_web_asset(name), content_type=types[kind])
        except FileNotFoundError as exc:
            raise web.HTTPNotFound() from exc


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _envelope(error: BotApiError) -> web.Response:
    return web.json_response(error.envelope(), status=error.error_code, dumps=_dumps)


def _refusal(request: web.Request, status: int, reason: str) -> web.Response:
    """A Bot API refusal in Telegram's envelope; any other route's as ``{"error": ...}``."""
    if request.path.startswith(("/bot", "/file/bot")):
        return _envelope(BotApiError(status, reason))
    return web.json_response({"error": reason}, status=status, dumps=_dumps)


def _web_asset(name: str) -> str:
    return resources.files("sandbox").joinpath("web", name).read_text(encoding="utf-8")
