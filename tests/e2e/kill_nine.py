"""jigap as its own process, killed with SIGKILL right after Telegram delivered a payment, then started again.

Used by tests/e2e/test_kill_nine.py (a few tries) and bench/kill_nine.py (the figure: ten tries). The sandbox
runs in the calling process, so it outlives every kill; the bot is `jigap run` in a child process on a SQLite
file the caller seeded with the demo shops and offers.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.bootstrap import open_runtime
from bot.config import load_config
from bot.demo import load_demo_offers, load_demo_organisations
from bot.embedded import sandbox_config
from sandbox.client import SandboxClient, SandboxUser
from storage.billing.tables import billing_payments
from storage.envelope import KeyRing, new_master_key
from tests.billing.steps import open_plans
from tests.harness import BOT_TOKEN, BOT_USERNAME, sandbox_running

HANJA = "Daily Hanja"
STARTED_WITHIN = 60.0  # seconds a fresh `jigap run` may take to answer its first /start


@dataclass(frozen=True)
class KillOutcome:
    charge_ids: list[str]
    credited: Counter[str]  # payment rows per charge id, after the last start
    delays_ms: list[float]  # how long after the payment each kill came

    @property
    def each_credited_once(self) -> bool:
        return all(self.credited[charge] == 1 for charge in self.charge_ids) and sum(self.credited.values()) == len(
            self.charge_ids)


class BotProcess:
    """`jigap run` against the sandbox, in a child process whose output goes to a log file."""

    def __init__(self, environ: dict[str, str], log_file: Path) -> None:
        self._environ = environ
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run"],
                env=self._environ, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


async def kill_after_payments(database_url: str, tries: int, log_file: Path, *, seed: int = 12) -> KillOutcome:
    """Each try: a new person subscribes with Stars, pays, and the bot is killed 0-50 ms after the payment
    reached Telegram's side; then it starts again. Returns what was credited once everything settled."""
    chance = random.Random(seed)
    key = new_master_key()
    async with sandbox_running(pre_checkout_timeout=15.0) as server:
        config = sandbox_config(load_config(environ={}), api_url=server.url, database_url=database_url)
        async with open_runtime(config, ring=KeyRing.single(key)) as services:
            await load_demo_organisations(services)
            await load_demo_offers(services)
        bot = BotProcess(_environ(server.url, database_url, key), log_file)
        bot.start()
        charge_ids: list[str] = []
        delays: list[float] = []
        try:
            async with SandboxClient(server.url) as client:
                for number in range(1, tries + 1):
                    payer = await client.user(f"Payer {number}", "en", username=f"payer{number}")
                    link = await _stars_link(payer)
                    paid = await payer.pay(link)
                    assert paid.paid and paid.telegram_payment_charge_id is not None, paid
                    delay = chance.uniform(0.0, 0.05)
                    await asyncio.sleep(delay)
                    bot.kill()
                    charge_ids.append(paid.telegram_payment_charge_id)
                    delays.append(delay * 1000)
                    bot.start()
                credited = await _credited(database_url, key, charge_ids)
        finally:
            bot.stop()
    return KillOutcome(charge_ids, credited, delays)


async def _stars_link(payer: SandboxUser) -> str:
    """/start (which waits for the bot to be up again), then Subscriptions -> Daily Hanja -> Tier 1."""
    await payer.send("/start", timeout=STARTED_WITHIN)
    plans = await open_plans(payer, HANJA)
    await payer.press("Subscribe: Tier 1", plans)
    offer = await payer.next_message(timeout=15)
    url: str = offer.button("Subscribe for ⭐ 150 Stars a month")["url"]
    return url


async def _credited(database_url: str, key: bytes, charge_ids: list[str], seconds: float = 60.0) -> Counter[str]:
    """Payment rows per charge id, once every charge has one (or `seconds` passed)."""
    base = load_config(environ={})
    config = base.replace(database=dataclasses.replace(base.database, url=database_url))
    counts: Counter[str] = Counter()
    async with open_runtime(config, ring=KeyRing.single(key)) as services:
        for _ in range(int(seconds / 0.25)):
            async with services.uow() as uow:
                rows = (await uow.connection.execute(select(billing_payments.c.charge_id))).scalars().all()
            counts = Counter(rows)
            if all(counts[charge] for charge in charge_ids):
                break
            await asyncio.sleep(0.25)
    return counts


def _environ(api_url: str, database_url: str, key: bytes) -> dict[str, str]:
    root = api_url.rstrip("/")
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("JIGAP_")},
        "JIGAP_BOT__TOKEN": BOT_TOKEN,
        "JIGAP_BOT__USERNAME": BOT_USERNAME,
        "JIGAP_BOT__API_URL": f"{root}/bot",
        "JIGAP_BOT__FILE_URL": f"{root}/file/bot",
        "JIGAP_BOT__POLL_TIMEOUT": "5",
        "JIGAP_BOT__WEB_PORT": "0",
        "JIGAP_DATABASE__URL": database_url,
        "JIGAP_MASTER_KEY": base64.b64encode(key).decode(),
        "JIGAP_PAYMENTS__PROVIDER_TOKEN": "sandbox-card-provider",
    }
