"""python-telegram-bot's Bot API calls over aiohttp.

python-telegram-bot sends through httpx by default. Under load, httpx's connection pool looks at every open
connection on every request (whether it has expired, with a system call for each), and that, with the rest
of httpx's layers, cost about half of the CPU an update took: more than reading the member, the flow and
answering together. aiohttp, which the bulk sender uses already, keeps idle connections in a queue per host.
`AiohttpRequest` is python-telegram-bot's own extension point for this (`telegram.request.BaseRequest`);
the rest of the library is unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

Timeout = float | None
# Told each call's Bot API method and how long it took, answered or not (the bot's metrics).
CallObserver = Callable[[str, float], None]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to `connections` connections. Timeouts as python-telegram-bot's own
    request: a call's value, else the one given here. aiohttp counts the wait for a free connection in its
    connect timeout, so that one is the pool's and the connection's together."""

    def __init__(self, *, connections: int, read_timeout: Timeout = 5.0, write_timeout: Timeout = 5.0,
                 connect_timeout: Timeout = 5.0, pool_timeout: Timeout = 1.0, media_write_timeout: Timeout = 20.0,
                 observe: CallObserver | None = None) -> None:
        self._observe = observe
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> Timeout:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _chosen(read_timeout, self._read_timeout)
        write = _chosen(write_timeout, self._media_write_timeout if files else self._write_timeout)
        waiting = _sum(_chosen(pool_timeout, self._pool_timeout), _chosen(connect_timeout, self._connect_timeout))
        # The write timeout bounds sending the body; aiohttp has none of its own, so the whole call may take
        # the wait for a connection, the write and the read.
        timeout = aiohttp.ClientTimeout(total=_sum(_sum(waiting, write), read), connect=waiting, sock_read=read)
        started = time.perf_counter()
        try:
            body, headers = _body(request_data)
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        finally:
            if self._observe is not None:
                self._observe(bot_api_method(url), time.perf_counter() - started)


def bot_api_method(url: str) -> str:
    """The method a Bot API URL calls (`.../bot<token>/sendMessage` -> `sendMessage`): never the token."""
    return url.rsplit("/", 1)[-1].partition("?")[0]


def _chosen(given: Timeout | object, default: Timeout) -> Timeout:
    return default if given is BaseRequest.DEFAULT_NONE else given  # type: ignore[return-value]


def _sum(first: Timeout, second: Timeout) -> Timeout:
    return None if first is None or second is None else first + second


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The parameters as a form (as python-telegram-bot's httpx request sends them), with the files as
    multipart parts when there are any. A form without files is encoded here: handed a dict, aiohttp builds
    a multipart writer (and a random boundary) for every call, which cost as much as the rest of the call."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return urlencode(request_data.json_parameters).encode(), FORM
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None

