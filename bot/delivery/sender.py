"""Calls to the Bot API for bulk sending, on a connection pool of their own.

Interactive replies go through python-telegram-bot's `Bot` and its own pool; the pump uses this sender so a
broadcast never makes a chat reply wait for a connection. Every answer is sorted into one outcome the pump
acts on: delivered, rate limited (429), blocked (403 from a private chat), rejected (other 4xx: retrying
cannot help) or transient (5xx, timeouts, dropped connections: retry later).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp


@dataclass(frozen=True)
class Delivered:
    message_id: int | None


@dataclass(frozen=True)
class RateLimited:
    retry_after: float
    description: str


@dataclass(frozen=True)
class Blocked:
    description: str


@dataclass(frozen=True)
class Rejected:
    description: str


@dataclass(frozen=True)
class Transient:
    description: str


Outcome = Delivered | RateLimited | Blocked | Rejected | Transient


class Sender(Protocol):
    """What the pump and the progress messages send through: in this process, or in a process of its own."""

    async def call(self, method: str, params: dict[str, Any]) -> Outcome: ...

    async def close(self) -> None: ...


class TimedSender:
    """A sender whose calls are timed: `observe(method, seconds)` hears of each (the bot's metrics)."""

    def __init__(self, sender: Sender, observe: Callable[[str, float], None]) -> None:
        self._sender = sender
        self._observe = observe

    async def call(self, method: str, params: dict[str, Any]) -> Outcome:
        started = time.perf_counter()
        try:
            return await self._sender.call(method, params)
        finally:
            self._observe(method, time.perf_counter() - started)

    async def close(self) -> None:
        await self._sender.close()


class BotApiSender:
    """`await sender.call("sendMessage", {...})` -> an Outcome; never raises for what the network does.

    The HTTP work runs on an event loop in a thread of its own: at hundreds of sends a second, parsing
    answers on the bot's loop would delay the handlers that answer people in their chats.
    """

    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0, connections: int = 64,
                 own_thread: bool = True) -> None:
        self._base = f"{api_url.rstrip('/')}{token}/"
        self._own_thread = own_thread
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _sending_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()
                loop.close()

            self._thread = threading.Thread(target=run, name="delivery-http", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
        return self._loop

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if not self._own_thread:
            await self._close_session()
            return
        loop, self._loop = self._loop, None
        if loop is None:
            return
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._close_session(), loop))
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5)
            self._thread = None

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, params: dict[str, Any]) -> Outcome:
        if not self._own_thread:
            return await self._call(method, params)
        future = asyncio.run_coroutine_threadsafe(self._call(method, params), self._sending_loop())
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise

    async def _call(self, method: str, params: dict[str, Any]) -> Outcome:
        try:
            async with self._http().post(self._base + method, **request_body(params)) as response:
                body = await response.json(content_type=None)
        except TimeoutError:
            return Transient("timed out")
        except (aiohttp.ClientError, json.JSONDecodeError, UnicodeDecodeError) as error:
            return Transient(type(error).__name__)
        except asyncio.CancelledError:
            raise
        if not isinstance(body, dict):
            return Transient("malformed answer")
        return classify(body, params.get("chat_id"))


def request_body(params: dict[str, Any]) -> dict[str, Any]:
    """JSON, or a multipart form when a parameter is a file to upload (bytes: a QR drawn at send time); in a
    form, objects such as `reply_markup` go as JSON text, as the Bot API reads them."""
    if not any(isinstance(value, bytes) for value in params.values()):
        return {"json": params}
    form = aiohttp.FormData()
    for name, value in params.items():
        if isinstance(value, bytes):
            form.add_field(name, value, filename=f"{name}.png", content_type="image/png")
        elif isinstance(value, dict | list):
            form.add_field(name, json.dumps(value))
        else:
            form.add_field(name, str(value))
    return {"data": form}


def classify(body: dict[str, Any], chat_id: object) -> Outcome:
    """Sort a Bot API answer into what the pump does next."""
    if body.get("ok"):
        result = body.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Delivered(int(message_id) if message_id is not None else None)
    code = int(body.get("error_code") or 0)
    description = str(body.get("description") or f"error {code}")
    if code == 429:
        parameters = body.get("parameters") or {}
        return RateLimited(float(parameters.get("retry_after") or 1), description)
    if code == 403 and isinstance(chat_id, int) and chat_id > 0:
        return Blocked(description)
    if code >= 500 or code == 0:
        return Transient(description)
    return Rejected(description)
