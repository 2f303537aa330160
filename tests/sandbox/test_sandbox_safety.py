"""The sandbox is no door into this machine: URLs in calls are fetched only from public addresses (as
Telegram fetches them), and a web page open in the person's browser can neither act as a user, nor
change fault injection, nor read the sandbox through a rebound host name."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from sandbox.client import SandboxClient, SandboxRequestError
from sandbox.fetch import is_public
from sandbox.flood import FloodLimits
from sandbox.server import RUN_TOKEN_HEADER, SandboxServer


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(out, format="PNG")
    return out.getvalue()


class LocalFiles:
    """A file server on this machine's loopback that counts what reaches it."""

    def __init__(self) -> None:
        self.hits = 0
        self.url = ""

    async def serve(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(body=png(), content_type="image/png")


@pytest.fixture
async def local_files() -> AsyncIterator[LocalFiles]:
    files = LocalFiles()
    app = web.Application()
    app.router.add_get("/card.png", files.serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    files.url = f"http://127.0.0.1:{port}/card.png"
    yield files
    await runner.cleanup()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::5",
                                     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not an address"])
def test_loopback_private_and_link_local_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize("method", ["sendPhoto", "sendDocument"])
async def test_a_url_on_this_machine_is_refused_and_never_fetched(
        bot: Any, sb: SandboxClient, local_files: LocalFiles, method: str) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    field = "photo" if method == "sendPhoto" else "document"
    for url in (local_files.url, local_files.url.replace("127.0.0.1", "localhost"),
                local_files.url.replace("127.0.0.1", "[::ffff:127.0.0.1]")):
        answer = await bot(method, chat_id=alice.id, **{field: url})
        assert (answer.status, answer.description) == (400, "Bad Request: failed to get HTTP URL content")
    assert local_files.hits == 0
    assert [m.text for m in await alice.chat()] == ["/start"]


async def test_the_flag_can_be_turned_on_and_off_while_the_sandbox_runs(bot: Any, sb: SandboxClient,
                                                                        local_files: LocalFiles) -> None:
    alice = await sb.user("Alice")
    await alice.say("/start")
    assert (await sb.configure(fetch_private_urls=True))["fetch_private_urls"] is True
    assert (await bot("sendPhoto", chat_id=alice.id, photo=local_files.url)).ok and local_files.hits == 1
    await sb.configure(fetch_private_urls=False)
    answer = await bot("sendPhoto", chat_id=alice.id, photo=local_files.url)
    assert answer.description == "Bad Request: failed to get HTTP URL content" and local_files.hits == 1
    assert len([m for m in await alice.chat() if m.photo]) == 1


async def test_with_the_flag_a_test_may_serve_photos_from_this_machine(local_files: LocalFiles,
                                                                       bot_token: str) -> None:
    server = SandboxServer(port=0, limits=FloodLimits.off(), fetch_private_urls=True)
    server.add_bot(bot_token, "sandbox_test_bot", "Test Bot")
    async with server, SandboxClient(server.url) as sb, aiohttp.ClientSession() as http:
        alice = await sb.user("Alice")
        await alice.say("/start")
        async with http.post(f"{server.url}/bot{bot_token}/sendPhoto",
                             json={"chat_id": alice.id, "photo": local_files.url}) as response:
            sent = (await response.json())["result"]
        assert local_files.hits == 1 and (sent["photo"][-1]["width"], sent["photo"][-1]["height"]) == (32, 32)
        assert (await sb.request("GET", "/sandbox/config"))["fetch_private_urls"] is True


# --- cross-site requests and DNS rebinding ----------------------------------------------------------------

async def test_a_cross_site_form_post_cannot_speak_as_a_user(server: SandboxServer, sb: SandboxClient,
                                                             bot: Any, http: aiohttp.ClientSession) -> None:
    alice = await sb.user("Alice")
    # What a form on any web page can send without the sandbox's consent: no JSON, a foreign Origin.
    async with http.post(f"{server.url}/sandbox/users/{alice.id}/send", data={"text": "/start"},
                         headers={"Origin": "https://evil.example"}) as response:
        assert response.status == 415
        assert await response.json() == {"error": "send the body as JSON (Content-Type: application/json)"}
    async with http.post(f"{server.url}/sandbox/users/{alice.id}/send", json={"text": "/start"},
                         headers={"Origin": "https://evil.example"}) as response:
        assert response.status == 403
        assert "own page" in (await response.json())["error"]
    async with http.post(f"{server.url}/sandbox/users/{alice.id}/send", json={"text": "/start"}) as response:
        assert response.status == 403
    assert await alice.chat() == [] and await bot.updates() == []


async def test_a_cross_site_request_cannot_change_fault_injection(server: SandboxServer,
                                                                   http: aiohttp.ClientSession) -> None:
    for verb in ("POST", "DELETE"):
        async with http.request(verb, f"{server.url}/sandbox/faults", json={"kind": "500", "rate": 1},
                                headers={"Origin": "http://localhost.evil.example"}) as response:
            assert response.status == 403
    async with http.post(f"{server.url}/sandbox/config", data="flood=off",
                         headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415
    assert server.faults.plan is None and server.flood.limits == FloodLimits.off()


async def test_the_sandboxs_own_origin_or_its_run_token_may_change_things(server: SandboxServer,
                                                                           http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.url}/sandbox/users", json={"first_name": "Mina"},
                         headers={"Origin": server.url}) as response:
        assert response.status == 200
    async with http.post(f"{server.url}/sandbox/users", json={"first_name": "Joon"},
                         headers={RUN_TOKEN_HEADER: server.run_token}) as response:
        assert response.status == 200
    async with http.post(f"{server.url}/sandbox/users", json={"first_name": "Eve"},
                         headers={RUN_TOKEN_HEADER: "guessed"}) as response:
        assert response.status == 403
    assert [user.first_name for user in server.world.users.values()] == ["Mina", "Joon"]


async def test_the_web_chat_page_carries_the_run_token(server: SandboxServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/") as response:
        page = await response.text()
    assert f'<meta name="sandbox-run-token" content="{server.run_token}">' in page


@pytest.mark.parametrize("path", ["/", "/sandbox/users", "/sandbox/faults", "/static/chat.js"])
async def test_a_foreign_host_name_is_refused(server: SandboxServer, http: aiohttp.ClientSession, path: str) -> None:
    # A page on a name its owner rebinds to 127.0.0.1 reaches the sandbox with its own name as Host.
    async with http.get(f"{server.url}{path}", headers={"Host": f"rebind.evil.example:{server.port}"}) as response:
        assert response.status == 403
        assert await response.json() == {
            "error": f"this sandbox does not answer to the host 'rebind.evil.example:{server.port}'"}


async def test_a_foreign_host_name_gets_no_bot_api_answer(server: SandboxServer, bot: Any,
                                                          http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.url}/bot{bot.token}/getMe", headers={"Host": "rebind.evil.example"}) as response:
        assert response.status == 403
        assert (await response.json())["ok"] is False


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "[::1]", "10.0.0.7", "sandbox.lan"])
async def test_addresses_loopback_names_and_allowed_hosts_are_answered(http: aiohttp.ClientSession,
                                                                        host: str) -> None:
    server = SandboxServer(port=0, allowed_hosts=["sandbox.lan"])
    async with server, http.get(f"{server.url}/sandbox/users", headers={"Host": f"{host}:{server.port}"}) as answer:
        assert answer.status == 200


async def test_a_config_with_one_bad_setting_changes_none(server: SandboxServer, sb: SandboxClient) -> None:
    with pytest.raises(SandboxRequestError) as refused:
        await sb.configure(flood={"scale": 10}, pre_checkout_timeout="1e999", fetch_private_urls=True)
    assert refused.value.status == 400 and "pre_checkout_timeout" in refused.value.message
    config = await sb.request("GET", "/sandbox/config")
    assert (config["flood"]["enabled"], config["pre_checkout_timeout"], config["fetch_private_urls"]) == (
        False, 2.0, False)
