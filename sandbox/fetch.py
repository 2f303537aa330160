"""Fetching a photo or document a bot names by URL, as Telegram does: from public addresses only.

Telegram's servers cannot reach a bot's loopback or private network, so a bot that works against the
sandbox must not depend on that either, and a URL in a call must not make the sandbox probe this
machine or its network. Every hop is checked: the address a name resolves to (the connection then uses
exactly the checked addresses, so a name cannot be rebound in between) and each redirect's target.
"""

from __future__ import annotations

import ipaddress
import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from sandbox.errors import BotApiError, bad_request

MAX_REDIRECTS = 5
MAX_BYTES = 20 * 1024 * 1024
FETCH_FAILED = "failed to get HTTP URL content"
WRONG_URL = "wrong file identifier/HTTP URL specified"


def is_public(address: str) -> bool:
    """True for an address anyone on the internet could reach: not loopback, private, link-local,
    shared, reserved or multicast (an IPv4 address mapped into IPv6 is judged as itself)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PublicOnlyResolver(AbstractResolver):
    """Resolves names as usual and keeps only public addresses; a name with none does not resolve."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        public = [entry for entry in found if is_public(entry["host"])]
        if not public:
            raise OSError(f"{host} has no public address")
        return public

    async def close(self) -> None:
        await self._inner.close()


class UrlFetcher:
    """Downloads URLs for sendPhoto, sendDocument and editMessageMedia."""

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self._sessions: dict[bool, aiohttp.ClientSession] = {}

    def _session(self) -> aiohttp.ClientSession:
        session = self._sessions.get(self.allow_private)
        if session is None or session.closed:
            resolver = None if self.allow_private else PublicOnlyResolver()
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver))
            self._sessions[self.allow_private] = session
        return session

    def _check(self, url: URL) -> None:
        if url.scheme not in ("http", "https") or not url.host:
            raise bad_request(WRONG_URL)
        host = url.host.strip("[]")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return  # a name: the resolver keeps only its public addresses
        if not self.allow_private and not is_public(host):
            raise bad_request(FETCH_FAILED)

    async def fetch(self, address: str) -> bytes:
        try:
            url = URL(address)
        except ValueError as exc:
            raise bad_request(WRONG_URL) from exc
        for _ in range(MAX_REDIRECTS + 1):
            self._check(url)
            try:
                async with self._session().get(url, allow_redirects=False,
                                               timeout=aiohttp.ClientTimeout(total=10)) as response:
                    if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                        url = url.join(URL(response.headers["Location"]))
                        continue
                    if response.status != 200:
                        raise bad_request(WRONG_URL)
                    data = bytearray()
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        data += chunk
                        if len(data) > MAX_BYTES:
                            raise bad_request("file is too big")
                    return bytes(data)
            except BotApiError:
                raise
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                raise bad_request(FETCH_FAILED) from exc
        raise bad_request(FETCH_FAILED)

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
