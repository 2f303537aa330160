"""The credit bureau over HTTP: rentals' `CreditBureau` port, answered by a bureau's JSON API.

One inquiry is one `POST <base_url>/inquiries` with exactly the fields of `CreditRequest` (the consent screen
names them) and amounts as minor units with their currency; the sandbox's bureau speaks this shape
(`sandbox/bureau.py`). The bureau is asked once per call, within `timeout` seconds: anything short of a
readable decision (no answer in time, no connection, a status other than 2xx, a body that is not the decision
it should be) raises `CreditBureauUnavailable`, so the step can be tried again; the bureau answers the same
reference the same way, so a retry after a lost reply gets the decision that was made.

The log names the application's reference, the status and what was wrong, never the applicant's name or birth
date: they are left out of every line, and whatever the bureau sends back is cut short and scrubbed of them.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

import aiohttp

from subscriptions.money import Money
from subscriptions.rentals.credit import (
    CreditBureauUnavailable,
    CreditDecision,
    CreditOutcome,
    CreditRequest,
    DeclineReason,
)

log = logging.getLogger(__name__)
EXCERPT = 200  # characters of a refusal's text kept in the log


class UnreadableAnswer(Exception):
    """The bureau answered 2xx with something that is not a decision (raised and caught here only)."""


class HttpCreditBureau:
    """`CreditBureau` over aiohttp, one session for every inquiry (opened on the first, closed by `close`)."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def check(self, request: CreditRequest) -> CreditDecision:
        """Ask once; raises `CreditBureauUnavailable` when no decision could be had."""
        started = time.perf_counter()
        try:
            async with self._http().post(f"{self.base_url}/inquiries", json=inquiry_json(request)) as response:
                raw = await response.read()
                status, content_type = response.status, response.content_type
        except TimeoutError:  # aiohttp's timeouts are TimeoutError too, and caught here first
            raise self._unavailable(request, started, f"no answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as error:
            raise self._unavailable(request, started,
                                    f"{type(error).__name__}: {_scrubbed(str(error), request)}") from None
        if not 200 <= status < 300:
            raise self._unavailable(request, started, f"HTTP {status} ({content_type}, {len(raw)} bytes): "
                                                      f"{_scrubbed(_error_text(raw), request)}")
        try:
            decision = read_decision(raw, request.reference)
        except UnreadableAnswer as error:
            raise self._unavailable(request, started, f"HTTP {status} with an unreadable answer "
                                                      f"({content_type}, {len(raw)} bytes): {error}") from None
        log.info("credit bureau: %s for application %s (%s) in %.0f ms", decision.outcome.value,
                 request.reference, decision.bureau_reference, (time.perf_counter() - started) * 1000)
        return decision

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout),
                                                  raise_for_status=False)
        return self._session

    def _unavailable(self, request: CreditRequest, started: float, detail: str) -> CreditBureauUnavailable:
        """Log why there is no decision (without personal data) and make the error the domain knows."""
        elapsed = (time.perf_counter() - started) * 1000
        log.warning("credit bureau at %s gave no decision for application %s after %.0f ms: %s", self.base_url,
                    request.reference, elapsed, detail)
        return CreditBureauUnavailable(f"the credit bureau gave no decision for application {request.reference}")


def inquiry_json(request: CreditRequest) -> dict[str, Any]:
    """The inquiry as the bureau reads it: what the consent screen names, nothing more."""
    return {"reference": request.reference,
            "applicant": {"name": request.applicant_name, "birth_date": request.birth_date.isoformat()},
            "product_value": _money(request.product_value), "monthly_fee": _money(request.monthly_fee),
            "term_months": request.term_months}


def read_decision(raw: bytes, reference: str) -> CreditDecision:
    """The bureau's answer as a decision; anything missing, unknown or out of shape raises `UnreadableAnswer`."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UnreadableAnswer("not JSON") from None
    if not isinstance(body, dict):
        raise UnreadableAnswer("not a JSON object")
    if body.get("reference") != reference:
        raise UnreadableAnswer("it answers another reference")
    try:
        outcome = CreditOutcome(str(body.get("outcome")))
    except ValueError:
        raise UnreadableAnswer(f"unknown outcome {_short(body.get('outcome'))}") from None
    reason = _reason(body.get("reason"), outcome)
    bureau_reference = body.get("bureau_reference")
    if not isinstance(bureau_reference, str) or not bureau_reference:
        raise UnreadableAnswer("no bureau_reference")
    score = body.get("score")
    if score is not None and (not isinstance(score, int) or isinstance(score, bool)):
        raise UnreadableAnswer("score is not a whole number")
    return CreditDecision(outcome=outcome, decided_at=_moment(body.get("decided_at")),
                          bureau_reference=bureau_reference, reason=reason, score=score)


def _reason(value: Any, outcome: CreditOutcome) -> DeclineReason | None:
    if value is None:
        if outcome is CreditOutcome.DECLINED:
            raise UnreadableAnswer("a decline without a reason")
        return None
    if outcome is CreditOutcome.APPROVED:
        raise UnreadableAnswer("an approval with a decline reason")
    try:
        return DeclineReason(str(value))
    except ValueError:
        raise UnreadableAnswer(f"unknown reason {_short(value)}") from None


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise UnreadableAnswer("no decided_at")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UnreadableAnswer(f"decided_at {_short(value)} is not a date and time") from None
    if moment.tzinfo is None:
        raise UnreadableAnswer("decided_at has no time zone")
    return moment


def _money(money: Money) -> dict[str, Any]:
    return {"amount": money.amount_minor, "currency": money.currency}


def _error_text(raw: bytes) -> str:
    """What a refusal says: its JSON ``error``, else the start of its text."""
    text = raw.decode("utf-8", errors="replace")
    try:
        body = json.loads(text)
    except ValueError:
        return text[:EXCERPT]
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:EXCERPT]
    return text[:EXCERPT]


def _scrubbed(text: str, request: CreditRequest) -> str:
    """`text` without the applicant's name or birth date, whatever the other side put in it."""
    for secret in (request.applicant_name.strip(), request.birth_date.isoformat()):
        if secret:
            text = text.replace(secret, "[redacted]")
    return text[:EXCERPT]


def _short(value: Any) -> str:
    return repr(value)[:40]


