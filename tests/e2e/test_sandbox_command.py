"""`jigap sandbox` as an operator runs it: it serves the web chat, the bot answers, demo data loads once,
and Ctrl-C stops everything cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MINJI = 700000001  # the first demo person; the demo creates people in a fixed order


def _start(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JIGAP_")}
    env |= {"PYTHONPATH": str(ROOT), "JIGAP_BOT__WEB_PORT": "0",
            "JIGAP_DATABASE__URL": f"sqlite+aiosqlite:///{workdir / 'sandbox.db'}",
            "JIGAP_WALLET__MASTER_KEY_FILE": str(workdir / "master.key")}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "sandbox", "--port", "0"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(r"web chat at (http://[\d.:]+)/", line)
        if match:
            return process, match.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"jigap sandbox did not print its address: {process.stderr.read() if process.stderr else ''}")


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    # The sandbox takes changes only from its own origin, as its web chat sends them.
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json", "origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _bot_reply(base: str, user_id: int, after: int) -> dict[str, object]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/sandbox/users/{user_id}/chat", timeout=10) as response:
            messages = json.loads(response.read())
        replies = [m for m in messages if m["from"]["is_bot"] and m["message_id"] > after]
        if replies:
            return replies[0]  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError("the bot did not answer /start")


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=20)


def test_the_sandbox_serves_the_web_chat_the_bot_answers_ctrl_c_stops_it_and_a_second_start_loads_the_demo_again(
        tmp_path: Path) -> None:
    process, base = _start(tmp_path)
    try:
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200 and "<html" in page.lower()
        sent = _post(f"{base}/sandbox/users/{MINJI}/send", {"text": "/start"})
        reply = _bot_reply(base, MINJI, int(str(sent["message_id"])))
        assert "김민지 님, 안녕하세요" in str(reply["text"])  # a Korean demo person has a Korean name
        alex = MINJI + 3  # the English-speaking demo person keeps an English name
        sent = _post(f"{base}/sandbox/users/{alex}/send", {"text": "/start"})
        assert "Hello, Alex!" in str(_bot_reply(base, alex, int(str(sent["message_id"])))["text"])
        _assert_the_demo_officer_is_an_issuer_admin(base)
    finally:
        code = _stop(process)
    assert code == 0
    assert (tmp_path / "master.key").stat().st_mode & 0o077 == 0

    process, base = _start(tmp_path)  # the same database and key: the demo loads again without harm
    try:
        _assert_the_demo_officer_is_an_issuer_admin(base)
    finally:
        assert _stop(process) == 0


def _assert_the_demo_officer_is_an_issuer_admin(base: str) -> None:
    admin = 700000005  # Admin, a platform admin in the demo data
    sent = _post(f"{base}/sandbox/users/{admin}/send", {"text": "/whois @road_officer"})
    reply = _bot_reply(base, admin, int(str(sent["message_id"])))
    assert "issuer_admin @ Road Traffic Authority" in str(reply["text"])
    assert "정도윤" in str(reply["text"])
