"""The credit check against a real sandbox: `HttpCreditBureau` asks the sandbox's deterministic bureau over HTTP.

The people below are scored by the bureau's hash rule (sandbox/bureau.py); their scores are pinned here, so a
change of the rule fails these tests rather than quietly changing who is approved.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.gateways.credit_bureau import HttpCreditBureau
from sandbox.bureau import score_for
from sandbox.client import SandboxClient, SandboxRequestError
from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from subscriptions.money import Money
from subscriptions.rentals.credit import (
    CreditBureauUnavailable,
    CreditOutcome,
    CreditRequest,
    DeclineReason,
)

NOW = datetime(2026, 11, 5, 10, 30, tzinfo=UTC)
PURIFIER = (Money(36 * 29_900, "KRW"), Money(29_900, "KRW"), 36)  # value of the mandatory period, fee, term
CAR = (Money(30_000_000, "KRW"), Money(600_000, "KRW"), 48)
MINJI = ("김민지", date(2001, 4, 9))  # 839: approved
JISOO = ("박지수", date(1994, 3, 15))  # 455: referred for the purifier
SEOHUN = ("오세훈", date(1988, 11, 30))  # 560: referred, would be approved without the load
JIMIN = ("한지민", date(1990, 7, 2))  # 234: delinquent
HANEUL = ("최하늘", date(1988, 11, 30))  # 308: a thin file
JIHO = ("박지수", date(1988, 11, 30))  # 632: approved for the purifier, not for a car
# Generous for an answer on a busy machine (a test process shares two cores with three others), and still far
# below the 4 s the slow record holds its reply.
TIMEOUT = 1.5


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(port=0, limits=FloodLimits.off(), clock=lambda: NOW)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def sb(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.url) as client:
        yield client


@pytest.fixture
async def bureau(server: SandboxServer) -> AsyncIterator[HttpCreditBureau]:
    gateway = HttpCreditBureau(server.bureau_url, timeout=TIMEOUT)
    yield gateway
    await gateway.close()


def asking(person: tuple[str, date], reference: str = "app-1",
           product: tuple[Money, Money, int] = PURIFIER) -> CreditRequest:
    name, born = person
    value, fee, term = product
    return CreditRequest(reference=reference, applicant_name=name, birth_date=born, product_value=value,
                         monthly_fee=fee, term_months=term)


def test_the_people_of_these_tests_score_what_the_rule_says() -> None:
    assert [score_for(*person) for person in (MINJI, JISOO, SEOHUN, JIMIN, HANEUL, JIHO)] == [
        839, 455, 560, 234, 308, 632]
    assert score_for("Kim  Minji", "2001-04-09") == score_for("kimminji", date(2001, 4, 9))


async def test_an_applicant_with_a_good_score_is_approved(bureau: HttpCreditBureau) -> None:
    decision = await bureau.check(asking(MINJI))
    assert decision.outcome is CreditOutcome.APPROVED and decision.reason is None and decision.score == 839
    assert decision.decided_at == NOW and decision.bureau_reference.startswith("SBX-")


async def test_a_middling_score_is_referred_and_says_when_the_amount_was_the_reason(
        bureau: HttpCreditBureau) -> None:
    jisoo = await bureau.check(asking(JISOO, "app-jisoo"))
    seohun = await bureau.check(asking(SEOHUN, "app-seohun"))
    assert (jisoo.outcome, jisoo.reason, jisoo.score) == (CreditOutcome.REFERRED, None, 455)
    assert (seohun.outcome, seohun.reason) == (CreditOutcome.REFERRED, DeclineReason.AFFORDABILITY)


async def test_a_decline_carries_its_reason_category(bureau: HttpCreditBureau) -> None:
    delinquent = await bureau.check(asking(JIMIN, "app-jimin"))
    thin = await bureau.check(asking(HANEUL, "app-haneul"))
    assert (delinquent.outcome, delinquent.reason) == (CreditOutcome.DECLINED, DeclineReason.DELINQUENCY)
    assert (thin.outcome, thin.reason) == (CreditOutcome.DECLINED, DeclineReason.INSUFFICIENT_HISTORY)


async def test_the_bar_rises_with_the_value_and_the_monthly_fee(bureau: HttpCreditBureau) -> None:
    purifier = await bureau.check(asking(JIHO, "app-purifier"))
    car = await bureau.check(asking(JIHO, "app-car", CAR))
    assert purifier.outcome is CreditOutcome.APPROVED
    assert (car.outcome, car.reason, car.score) == (CreditOutcome.DECLINED, DeclineReason.AFFORDABILITY, 632)


async def test_a_person_the_bureau_cannot_match_is_declined_as_unconfirmed(bureau: HttpCreditBureau) -> None:
    decision = await bureau.check(asking(("1234", date(1990, 1, 1)), "app-digits"))
    future = await bureau.check(asking(("김미래", date(2027, 1, 1)), "app-future"))
    assert (decision.outcome, decision.reason, decision.score) == (
        CreditOutcome.DECLINED, DeclineReason.IDENTITY_UNCONFIRMED, None)
    assert future.reason is DeclineReason.IDENTITY_UNCONFIRMED


async def test_the_same_reference_gets_the_same_answer_even_after_the_file_changed(
        bureau: HttpCreditBureau, sb: SandboxClient) -> None:
    first = await bureau.check(asking(MINJI, "app-7"))
    await sb.register_bureau_record(*MINJI, outcome="declined", reason="delinquency")
    again = await bureau.check(asking(MINJI, "app-7"))
    other = await bureau.check(asking(MINJI, "app-8"))
    assert first == again and first.outcome is CreditOutcome.APPROVED
    assert (other.outcome, other.reason) == (CreditOutcome.DECLINED, DeclineReason.DELINQUENCY)
    assert len(await sb.bureau_inquiries()) == 3


async def test_a_registered_record_wins_over_the_hash_rule(bureau: HttpCreditBureau, sb: SandboxClient) -> None:
    await sb.register_bureau_record("김 민지", "2001-04-09", outcome="declined", reason="identity_unconfirmed")
    await sb.register_bureau_record(*JIMIN, score=900)
    await sb.register_bureau_record(*JISOO, outcome="referred")
    minji = await bureau.check(asking(MINJI, "app-minji"))
    jimin = await bureau.check(asking(JIMIN, "app-jimin"))
    jisoo = await bureau.check(asking(JISOO, "app-jisoo", CAR))
    assert (minji.outcome, minji.reason, minji.score) == (
        CreditOutcome.DECLINED, DeclineReason.IDENTITY_UNCONFIRMED, None)
    assert (jimin.outcome, jimin.score) == (CreditOutcome.APPROVED, 900)
    assert (jisoo.outcome, jisoo.reason) == (CreditOutcome.REFERRED, None)
    await sb.clear_bureau_records()
    assert (await bureau.check(asking(JIMIN, "app-jimin-2"))).outcome is CreditOutcome.DECLINED


async def test_a_record_the_bureau_cannot_apply_is_refused_and_changes_nothing(sb: SandboxClient) -> None:
    with pytest.raises(SandboxRequestError) as refused:
        await sb.register_bureau_record(*MINJI, outcome="declined")
    assert refused.value.status == 400 and "reason" in refused.value.message
    with pytest.raises(SandboxRequestError):
        await sb.register_bureau_record(*MINJI, fail="sometimes")
    assert await sb.request("GET", "/sandbox/bureau/records") == []


async def test_an_answer_slower_than_the_timeout_is_unavailable_and_the_retry_gets_the_decision_made(
        bureau: HttpCreditBureau, sb: SandboxClient) -> None:
    await sb.register_bureau_record(*JISOO, delay_ms=4000)
    started = time.perf_counter()
    with pytest.raises(CreditBureauUnavailable):
        await bureau.check(asking(JISOO, "app-slow"))
    assert time.perf_counter() - started < TIMEOUT + 1.0  # it gave up at its timeout, not at the bureau's pace
    await sb.clear_bureau_records()
    retried = await bureau.check(asking(JISOO, "app-slow"))
    assert retried.outcome is CreditOutcome.REFERRED


@pytest.mark.parametrize("fail", ["503", "garbage", "timeout"])
async def test_a_failing_bureau_is_unavailable_and_the_step_can_be_retried(
        fail: str, bureau: HttpCreditBureau, sb: SandboxClient) -> None:
    await sb.register_bureau_record(*MINJI, fail=fail, fail_times=1)
    with pytest.raises(CreditBureauUnavailable):
        await bureau.check(asking(MINJI, f"app-{fail}"))
    decision = await bureau.check(asking(MINJI, f"app-{fail}"))
    assert decision.outcome is CreditOutcome.APPROVED


async def test_a_reference_reused_for_another_amount_is_not_taken_for_a_decision(
        bureau: HttpCreditBureau) -> None:
    await bureau.check(asking(MINJI, "app-9"))
    with pytest.raises(CreditBureauUnavailable):
        await bureau.check(asking(MINJI, "app-9", CAR))


async def test_no_bureau_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = HttpCreditBureau(f"http://127.0.0.1:{port}/bureau/v1", timeout=TIMEOUT)
    try:
        with pytest.raises(CreditBureauUnavailable):
            await gateway.check(asking(MINJI))
    finally:
        await gateway.close()


async def test_the_log_and_the_error_never_name_the_applicant(
        bureau: HttpCreditBureau, sb: SandboxClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.gateways")
    await bureau.check(asking(MINJI, "app-log"))
    errors: list[str] = []
    for fail in ("503", "garbage"):
        await sb.register_bureau_record(*MINJI, fail=fail)
        with pytest.raises(CreditBureauUnavailable) as unavailable:
            await bureau.check(asking(MINJI, f"app-log-{fail}"))
        errors.append(str(unavailable.value))
    lines = [record.getMessage() for record in caplog.records] + errors
    assert len(lines) == 5 and any("HTTP 503" in line for line in lines) and any("app-log" in line for line in lines)
    assert not [line for line in lines if "김민지" in line or "2001-04-09" in line]


async def test_inquiries_at_once_each_get_their_own_answer(bureau: HttpCreditBureau) -> None:
    people = [MINJI, JISOO, JIMIN, HANEUL] * 5
    decisions = await asyncio.gather(*(bureau.check(asking(person, f"app-many-{n}"))
                                       for n, person in enumerate(people)))
    assert [decision.score for decision in decisions] == [839, 455, 234, 308] * 5


# --- configuration ----------------------------------------------------------------------------------------

def test_the_rentals_section_has_documented_defaults_and_environment_overrides() -> None:
    project = Path(__file__).resolve().parents[2] / "config.toml"
    config = load_config(project, environ={})
    assert (config.rentals.bureau_url, config.rentals.bureau_timeout_seconds) == ("", 5)
    overridden = load_config(project, environ={"JIGAP_RENTALS__BUREAU_URL": "https://bureau.example/v1",
                                               "JIGAP_RENTALS__BUREAU_TIMEOUT_SECONDS": "8"})
    assert (overridden.rentals.bureau_url, overridden.rentals.bureau_timeout_seconds) == (
        "https://bureau.example/v1", 8)
    assert config.with_default_bureau("http://127.0.0.1:8080/bureau/v1").rentals.bureau_url.endswith("/bureau/v1")
    assert overridden.with_default_bureau("http://127.0.0.1:8080/bureau/v1") is overridden


@pytest.mark.parametrize(("key", "value", "says"), [
    ("JIGAP_RENTALS__BUREAU_URL", "bureau.example", "rentals.bureau_url"),
    ("JIGAP_RENTALS__BUREAU_TIMEOUT_SECONDS", "0", "rentals.bureau_timeout_seconds"),
])
def test_a_bad_bureau_setting_stops_the_start_with_its_name(key: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        load_config(Path(__file__).resolve().parents[2] / "config.toml", environ={key: value})
