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
from bot.config import Config, load_config
from bot.demo import load_demo_offers, load_demo_organisations
from bot.embedded import sandbox_config
from sandbox.client import BotMessage, NoReply, SandboxClient, SandboxUser
from storage.billing.tables import billing_payments
from storage.envelope import KeyRing, new_master_key
from subscriptions.accounts.access import RoleGrant
from tests.billing.steps import open_plans
from tests.harness import BOT_TOKEN, BOT_USERNAME, sandbox_running

HANJA = "Daily Hanja"
LICENCE_CLAIMS = ("name: Kim Jisoo, birth_date: 2001-04-09, license_number: 11-24-123456-78, "
                  "license_class: 1종 보통")
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


@dataclass(frozen=True)
class AfterRestart:
    keypad: str  # the keypad's text as the holder sees it once the restarted bot settled
    stored: str  # what is stored: "<step>:<digits typed>" of the open keypad, or "pin set"


async def kill_during_pin_entry(database_url: str, log_file: Path, *, delays_ms: tuple[float, ...] = (5.0, 25.0)
                                ) -> list[AfterRestart]:
    """A holder accepts a licence and types a six-digit PIN twice; the bot is killed right after the last
    key of each entry. Returns, after each restart, the keypad and what is stored."""
    key = new_master_key()
    async with sandbox_running() as server:
        config = sandbox_config(load_config(environ={}), api_url=server.url, database_url=database_url)
        async with open_runtime(config, ring=KeyRing.single(key)) as services:
            await load_demo_organisations(services)
        bot = BotProcess(_environ(server.url, database_url, key), log_file)
        bot.start()
        seen: list[AfterRestart] = []
        try:
            async with SandboxClient(server.url) as client:
                officer = await client.user("Officer", "en", username="officer_kill")
                holder = await client.user("Jisoo", "en", username="jisoo_kill")
                for person in (officer, holder):
                    await person.send("/start", timeout=STARTED_WITHIN)
                await _grant_issuer(config, key, officer.id)
                keypad = await _offer_accepted(officer, holder)
                for delay in delays_ms:
                    for digit in "13579":
                        await holder.press(digit, keypad)
                        await holder.wait_for_edit(keypad)
                    await holder.press("2", keypad, wait=0.0)
                    await asyncio.sleep(delay / 1000)
                    bot.kill()
                    bot.start()
                    shown = (await _settled_keypad(holder, keypad)).text
                    seen.append(AfterRestart(shown, await _stored_pin_entry(config, key, holder.id)))
        finally:
            bot.stop()
    return seen


async def _stored_pin_entry(config: Config, key: bytes, holder_id: int) -> str:
    async with open_runtime(config, ring=KeyRing.single(key)) as services, services.uow() as uow:
        if (await uow.wallet.pin_state(holder_id)).is_set:
            return "pin set"
        flow = await uow.flows.open_of(holder_id)
    return f"{flow.step}:{len(str(flow.state.get('digits', '')))}" if flow is not None else "no keypad"


async def _grant_issuer(config: Config, key: bytes, user_id: int) -> None:
    async with open_runtime(config, ring=KeyRing.single(key)) as services, services.uow() as uow:
        organisation = await uow.organisations.get_by_slug("road-authority")
        assert organisation is not None
        await uow.roles.grant(RoleGrant(user_id, "issuer_admin", organisation.id), granted_by=None,
                              now=services.clock.now())
        await uow.commit()


async def _offer_accepted(officer: SandboxUser, holder: SandboxUser) -> BotMessage:
    """The officer issues a licence to the holder in chat; the holder accepts: the PIN keypad."""
    question = await officer.send("/issue")
    await officer.press(next(label for label in question.buttons if "icen" in label), question)
    await officer.wait_for_edit(question)
    await officer.send("@jisoo_kill")
    photo_question = await officer.send(LICENCE_CLAIMS)
    await officer.press(photo_question.buttons[0], photo_question)
    await officer.next_message()
    offer = await holder.next_message()
    await holder.press(offer.buttons[0], offer)
    await holder.wait_for_edit(offer)
    return await holder.next_message()


async def _settled_keypad(holder: SandboxUser, keypad: BotMessage) -> BotMessage:
    """The keypad once the restarted bot handled what was pressed (or as it was, if nothing came)."""
    try:
        return await holder.wait_for_edit(keypad, timeout=STARTED_WITHIN)
    except NoReply:
        return next(message for message in await holder.chat() if message.message_id == keypad.message_id)
