"""Malformed calls get a 4xx in the right shape, never a 5xx: the seeded corpus of bench/fuzz_sandbox.py
(wrong types, lone surrogates, deep nesting, broken forms and multipart, near-valid objects) thrown at
every Bot API method the sandbox implements and at every route of the users' side and the admin side."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bench.fuzz_sandbox import (
    BOT_API_CASES,
    BOT_API_PARAMS,
    SEED,
    SIDE_PARAMS,
    USER_ROUTE_CASES,
    Corpus,
    Tally,
    bot_api_paths,
    furnished,
    send_all,
    side_routes,
)
from sandbox.server import SandboxServer


def assert_clean(tally: Tally, what: str) -> None:
    problems = tally.server_errors + tally.misshaped
    assert not problems, tally.summary(what) + "\n" + "\n".join(problems[:15])


async def test_malformed_bot_api_calls_never_get_a_5xx(server: SandboxServer, bot: Any,
                                                       http: aiohttp.ClientSession) -> None:
    people = await furnished(server, bot)
    calls = Corpus(SEED, BOT_API_PARAMS, people).calls(bot_api_paths(server, bot.token), BOT_API_CASES)
    tally = await send_all(http, server.url, calls, {})
    assert_clean(tally, "Bot API")
    assert tally.calls == BOT_API_CASES and tally.statuses.get(400, 0) > BOT_API_CASES // 3


async def test_malformed_users_and_admin_calls_never_get_a_5xx(server: SandboxServer, bot: Any,
                                                               http: aiohttp.ClientSession) -> None:
    people = await furnished(server, bot)
    paths = side_routes(server, people)
    assert any(path.endswith("/pay") for _, path in paths) and ("POST", "/sandbox/faults") in paths
    calls = Corpus(SEED + 1, SIDE_PARAMS, people).calls(paths, USER_ROUTE_CASES)
    tally = await send_all(http, server.url, calls, {"Origin": server.url})
    assert_clean(tally, "users' and admin routes")
    assert tally.calls == USER_ROUTE_CASES and tally.statuses.get(400, 0) > USER_ROUTE_CASES // 10


MALFORMED_BODIES = [
    ("application/json", b"{\"chat_id\": 1" + b"0" * 5000 + b"}", "Bad Request: can't parse JSON object"),
    ("application/json", b"[" * 100_000, "Bad Request: can't parse JSON object: it nests too deep"),
    ("application/json", b"{\"chat_id\": 1, \"text\": \"\\ud800\"}", "Bad Request: strings must be encoded in UTF-8"),
    ("application/json; charset=nope", b"{}", "Bad Request: chat_id is empty"),
    ("application/json", b"{\"chat_id\": 1e999}", "Bad Request: can't parse JSON object"),
    ("application/json", b"{\"chat_id\": NaN}", "Bad Request: can't parse JSON object"),
    ("multipart/form-data", b"--x\r\n", "Bad Request: can't parse the multipart form"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: x\r\n\r\n",
     "Bad Request: can't parse the multipart form"),
    ("application/x-www-form-urlencoded", b"chat_id=\xff\xfe", "Bad Request: strings must be encoded in UTF-8"),
    ("application/x-www-form-urlencoded", b"chat_id=1&text=%ED%A0%80", "Bad Request: strings must be encoded in UTF-8"),
]


@pytest.mark.parametrize(("content_type", "body", "description"), MALFORMED_BODIES)
async def test_a_malformed_body_gets_a_telegram_style_400(bot: Any, http: aiohttp.ClientSession, content_type: str,
                                                          body: bytes, description: str) -> None:
    async with http.post(f"{bot.url}/bot{bot.token}/sendMessage", data=body,
                         headers={"Content-Type": content_type}) as response:
        assert (response.status, await response.json()) == (
            400, {"ok": False, "error_code": 400, "description": description})


async def test_an_unknown_route_or_verb_answers_in_the_routes_own_shape(bot: Any, sb: Any,
                                                                        http: aiohttp.ClientSession) -> None:
    async with http.post(f"{bot.url}/bot{bot.token}/") as response:
        assert (response.status, await response.json()) == (
            404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.put(f"{bot.url}/sandbox/users", json={}, headers={"Origin": bot.url}) as response:
        assert (response.status, await response.json()) == (405, {"error": "Method Not Allowed"})


async def test_a_users_route_refuses_a_broken_body_and_changes_nothing(server: SandboxServer, sb: Any,
                                                                       http: aiohttp.ClientSession) -> None:
    alice = await sb.user("Alice")
    async with http.post(f"{server.url}/sandbox/users/{alice.id}/send", data=b"{\"text\": \"\\udc00\"}",
                         headers={"Content-Type": "application/json", "Origin": server.url}) as response:
        assert response.status == 400
        assert await response.json() == {"error": "the body is not a JSON object: strings must be encoded in UTF-8"}
    assert await alice.chat() == []
