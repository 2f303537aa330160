"""A deterministic credit bureau, so a rental's credit check runs on a laptop and in tests.

The bot asks it over HTTP, as it would ask a real bureau, under its own prefix:

    POST /bureau/v1/inquiries
    {"reference": "app-1", "applicant": {"name": "김민지", "birth_date": "2001-04-09"},
     "product_value": {"amount": 1076400, "currency": "KRW"}, "monthly_fee": {"amount": 29900, "currency": "KRW"},
     "term_months": 36}
    -> 200 {"reference": "app-1", "bureau_reference": "SBX-...", "outcome": "approved" | "referred" | "declined",
            "reason": null | "insufficient_history" | "affordability" | "delinquency" | "identity_unconfirmed",
            "score": 839, "decided_at": "2026-05-09T07:35:25+00:00"}

Amounts are minor units with their ISO 4217 code (KRW, JPY, USD, EUR). A body it cannot read is answered 400,
a currency it does not rate 422, a reference already used for another question 409, each as ``{"error": ...}``.

The rule, so a tester can predict every answer:

1. **Score.** The name is normalised (Unicode NFKC, case-folded, every space removed: "Kim Minji" and
   "kimminji" are one person) and joined to the birth date: ``score = 200 + int.from_bytes(
   sha256(f"{name}|{birth_date:%Y-%m-%d}".encode()).digest()[:8], "big") % 800`` (200 to 999). `score_for` is
   that formula: ``python -c "from sandbox.bureau import score_for; print(score_for('김민지', '2001-04-09'))"``
   prints 839.
2. **Thresholds rise with what is asked.** Amounts are counted in won (1 USD = 1,400 KRW, 1 EUR = 1,500,
   1 JPY = 9). ``load = min(200, 10 per full ₩1,000,000 of product value) + min(100, 5 per full ₩10,000 of
   monthly fee)``. Approve at ``score >= 550 + load``; refer at ``score >= 400 + load``; decline below.
   Homeline's purifier (value ₩1,076,400, ₩29,900 a month): load 20, approve from 570, refer from 420, so
   김민지 born 2001-04-09 (839) is approved.
3. **Decline reasons.** Score below 300: ``delinquency``; 300-399: ``insufficient_history``; 400 and up (only
   the load made it a decline): ``affordability``. A name with no letters, or a birth date in the future or
   more than 120 years back: declined, ``identity_unconfirmed``, no score.
   A referral whose score would be approved without the load says ``affordability``; otherwise no reason.
4. **The bureau file wins.** A record registered for a name and birth date (normalised as above) fixes the
   score (the thresholds still apply) or the whole outcome and reason, delays the reply by ``delay_ms``, or
   fails: ``"503"`` (Service Unavailable), ``"garbage"`` (200 with a body that is not JSON) or ``"timeout"`` (no
   answer until the caller gives up), every time or only the next ``fail_times`` inquiries.
5. **One reference, one answer.** The answer is decided and kept before any delay, so a caller that gave up
   waiting and asks again with the same reference gets the same answer, even if the file changed meanwhile.
   A failure decides nothing. The same reference with another applicant or amounts is refused (409).

An operator or a test registers records through the sandbox's control routes (JSON, with the sandbox's Origin
or run token, like the fault plans): ``POST /sandbox/bureau/records`` with ``{"name", "birth_date", "score"?,
"outcome"?, "reason"?, "delay_ms"?, "fail"?, "fail_times"?}``; ``GET`` lists them; ``DELETE`` clears them;
``GET /sandbox/bureau/inquiries`` lists what the bureau was asked. `sandbox.client.SandboxClient` has helpers.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from aiohttp import web

from sandbox.bodies import read_json_object
from sandbox.errors import SandboxError, UserActionError
from sandbox.user_routes import guarded
from sandbox.world import Clock, Json

BUREAU_PATH = "/bureau/v1"
HANG_LIMIT = 600.0  # a "timeout" record holds the reply this long at most; the caller gives up long before
MAX_DELAY_MS = 600_000
SCORE_FLOOR, SCORE_SPAN = 200, 800
APPROVE_AT, REFER_AT = 550, 400
DELINQUENT_BELOW, THIN_FILE_BELOW = 300, 400
VALUE_STEP, VALUE_POINTS, VALUE_CAP = 1_000_000, 10, 200
FEE_STEP, FEE_POINTS, FEE_CAP = 10_000, 5, 100
OLDEST_YEARS = 120
# Minor-unit exponents and a fixed rate to won: enough to rate a rental priced in any of them.
CURRENCIES: dict[str, tuple[int, int]] = {"KRW": (0, 1), "JPY": (0, 9), "USD": (2, 1400), "EUR": (2, 1500)}
OUTCOMES = ("approved", "referred", "declined")
REASONS = ("insufficient_history", "affordability", "delinquency", "identity_unconfirmed")
FailKind = Literal["503", "garbage", "timeout"]
_FAIL_KINDS: dict[str, FailKind] = {"503": "503", "garbage": "garbage", "timeout": "timeout"}
_SPACE = re.compile(r"\s+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class BadInquiry(SandboxError):
    """An inquiry or a bureau-file record the bureau cannot read; ``status`` is how it answers."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def normalise_name(name: str) -> str:
    """The name as the bureau files it: NFKC, case-folded, without spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()


def score_for(name: str, birth_date: date | str) -> int:
    """The score the hash rule gives a person (200-999)."""
    born = birth_date if isinstance(birth_date, date) else date.fromisoformat(birth_date)
    digest = hashlib.sha256(f"{normalise_name(name)}|{born.isoformat()}".encode()).digest()
    return SCORE_FLOOR + int.from_bytes(digest[:8], "big") % SCORE_SPAN


def load_for(product_value_won: int, monthly_fee_won: int) -> int:
    """How far the thresholds rise for what is asked (0-300 points)."""
    return (min(VALUE_CAP, product_value_won // VALUE_STEP * VALUE_POINTS)
            + min(FEE_CAP, monthly_fee_won // FEE_STEP * FEE_POINTS))


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason: str | None
    score: int | None


def decide(score: int, load: int) -> Decision:
    """Approve, refer or decline a score under a load, with the reason category (rules 2 and 3)."""
    if score >= APPROVE_AT + load:
        return Decision("approved", None, score)
    if score >= REFER_AT + load:
        return Decision("referred", "affordability" if score >= APPROVE_AT else None, score)
    if score < DELINQUENT_BELOW:
        return Decision("declined", "delinquency", score)
    if score < THIN_FILE_BELOW:
        return Decision("declined", "insufficient_history", score)
    return Decision("declined", "affordability", score)


@dataclass(frozen=True)
class Inquiry:
    """One question, read from the bot's JSON."""

    reference: str
    name: str
    birth_date: date
    product_value_won: int
    monthly_fee_won: int
    term_months: int
    amounts: tuple[tuple[int, str], tuple[int, str]]

    @property
    def person(self) -> tuple[str, date]:
        return normalise_name(self.name), self.birth_date

    @property
    def fingerprint(self) -> tuple[object, ...]:
        return (self.person, self.amounts, self.term_months)

    @classmethod
    def from_json(cls, body: Json) -> Inquiry:
        reference = body.get("reference")
        if not isinstance(reference, str) or not 1 <= len(reference) <= 128:
            raise BadInquiry("reference must be a string of 1-128 characters")
        applicant = body.get("applicant")
        if not isinstance(applicant, dict):
            raise BadInquiry("applicant must be an object with name and birth_date")
        name = applicant.get("name")
        if not isinstance(name, str) or len(name) > 200:
            raise BadInquiry("applicant.name must be a string of at most 200 characters")
        value, value_won = _amount(body.get("product_value"), "product_value")
        fee, fee_won = _amount(body.get("monthly_fee"), "monthly_fee")
        term = body.get("term_months")
        if not isinstance(term, int) or isinstance(term, bool) or not 1 <= term <= 600:
            raise BadInquiry("term_months must be a whole number of months (1-600)")
        return cls(reference, name, _date(applicant.get("birth_date"), "applicant.birth_date"), value_won,
                   fee_won, term, (value, fee))


@dataclass
class BureauRecord:
    """What the bureau file says about one person, overriding the hash rule."""

    name: str
    birth_date: date
    score: int | None = None
    outcome: str | None = None
    reason: str | None = None
    delay_ms: int = 0
    fail: FailKind | None = None
    fail_times: int | None = None  # fail only this many inquiries, then answer

    @classmethod
    def from_json(cls, body: Json) -> BureauRecord:
        name = body.get("name")
        if not isinstance(name, str) or not normalise_name(name):
            raise BadInquiry("name must be a non-empty string")
        score = _optional_int(body.get("score"), "score", 0, 1000)
        outcome = _optional_choice(body.get("outcome"), "outcome", OUTCOMES)
        reason = _optional_choice(body.get("reason"), "reason", REASONS)
        if score is not None and outcome is not None:
            raise BadInquiry("give a score or an outcome, not both")
        if outcome == "approved" and reason is not None:
            raise BadInquiry("an approval carries no reason")
        if outcome == "declined" and reason is None:
            raise BadInquiry("a decline needs a reason: " + ", ".join(REASONS))
        if reason is not None and outcome is None:
            raise BadInquiry("a reason goes with an outcome")
        fail_text = body.get("fail")
        fail = None if fail_text is None else _FAIL_KINDS.get(str(fail_text))
        if fail_text is not None and fail is None:
            raise BadInquiry("fail must be one of " + ", ".join(_FAIL_KINDS))
        fail_times = _optional_int(body.get("fail_times"), "fail_times", 1, 1_000_000)
        if fail_times is not None and fail is None:
            raise BadInquiry("fail_times goes with fail")
        return cls(name=name, birth_date=_date(body.get("birth_date"), "birth_date"), score=score, outcome=outcome,
                   reason=reason, delay_ms=_optional_int(body.get("delay_ms"), "delay_ms", 0, MAX_DELAY_MS) or 0,
                   fail=fail, fail_times=fail_times)

    @property
    def person(self) -> tuple[str, date]:
        return normalise_name(self.name), self.birth_date

    def as_json(self) -> Json:
        return {"name": self.name, "birth_date": self.birth_date.isoformat(), "score": self.score,
                "outcome": self.outcome, "reason": self.reason, "delay_ms": self.delay_ms, "fail": self.fail,
                "fail_times": self.fail_times}


@dataclass(frozen=True)
class Answer:
    inquiry: Inquiry
    body: Json


class CreditBureau:
    """The bureau's file, the answers it gave (by reference), and its HTTP routes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.records: dict[tuple[str, date], BureauRecord] = {}
        self.answers: dict[str, Answer] = {}
        self.inquiries: list[Json] = []  # every inquiry received, answered or not, oldest first

    def register(self, app: web.Application) -> None:
        app.router.add_post(f"{BUREAU_PATH}/inquiries", self._inquire)
        for verb, path, handler in (("GET", "/sandbox/bureau/records", self._list_records),
                                    ("POST", "/sandbox/bureau/records", self._add_record),
                                    ("DELETE", "/sandbox/bureau/records", self._clear_records),
                                    ("GET", "/sandbox/bureau/inquiries", self._list_inquiries)):
            app.router.add_route(verb, path, guarded(handler))

    # --- the file -------------------------------------------------------------------------------

    def add_record(self, record: BureauRecord) -> None:
        """Register (or replace) what the file says about one person."""
        self.records[record.person] = record

    def clear_records(self) -> None:
        self.records.clear()

    # --- answering ------------------------------------------------------------------------------

    def answer(self, inquiry: Inquiry) -> Json:
        """The answer to `inquiry` (the one given before, for a reference already asked), kept for next time."""
        known = self.answers.get(inquiry.reference)
        if known is not None:
            if known.inquiry.fingerprint != inquiry.fingerprint:
                raise BadInquiry(f"reference {inquiry.reference!r} was used for another applicant or amount",
                                 409)
            return known.body
        decision = self._decision(inquiry, self.records.get(inquiry.person))
        body: Json = {"reference": inquiry.reference, "bureau_reference": _bureau_reference(inquiry.reference),
                      "outcome": decision.outcome, "reason": decision.reason, "score": decision.score,
                      "decided_at": self.clock().isoformat()}
        self.answers[inquiry.reference] = Answer(inquiry, body)
        return body

    def _decision(self, inquiry: Inquiry, record: BureauRecord | None) -> Decision:
        if record is not None and record.outcome is not None:
            return Decision(record.outcome, record.reason, None)
        if not _identifiable(inquiry.name, inquiry.birth_date, self.clock().date()):
            return Decision("declined", "identity_unconfirmed", None)
        score = record.score if record is not None and record.score is not None else score_for(
            inquiry.name, inquiry.birth_date)
        return decide(score, load_for(inquiry.product_value_won, inquiry.monthly_fee_won))

    def _failure(self, record: BureauRecord | None) -> FailKind | None:
        """The failure a record asks for on this inquiry (counting down `fail_times`)."""
        if record is None or record.fail is None:
            return None
        if record.fail_times is not None:
            record.fail_times -= 1
            if record.fail_times <= 0:
                kind = record.fail
                record.fail, record.fail_times = None, None  # the promised failures happened
                return kind
        return record.fail

    async def _inquire(self, request: web.Request) -> web.StreamResponse:
        body = await read_json_object(request)
        self.inquiries.append(body)
        try:
            inquiry = Inquiry.from_json(body)
            record = self.records.get(inquiry.person)
            failure = self._failure(record)
            answer = None if failure is not None else self.answer(inquiry)
        except BadInquiry as exc:
            return web.json_response({"error": exc.message}, status=exc.status)
        if record is not None and record.delay_ms:
            await asyncio.sleep(record.delay_ms / 1000)
        if failure == "timeout":
            # No answer: the caller gives up first (aiohttp cancels this handler when it goes away).
            await asyncio.sleep(HANG_LIMIT)
        if failure is not None and failure != "garbage":
            return web.json_response({"error": "the bureau is unavailable, try again later"}, status=503,
                                     headers={"Retry-After": "1"})
        if failure == "garbage":
            return web.Response(status=200, text="<html><body>Bad Gateway</body></html>", content_type="text/html")
        return web.json_response(answer)

    # --- control routes -------------------------------------------------------------------------

    async def _list_records(self, request: web.Request) -> web.Response:
        return web.json_response([record.as_json() for record in self.records.values()])

    async def _add_record(self, request: web.Request) -> web.Response:
        try:
            record = BureauRecord.from_json(await read_json_object(request))
        except BadInquiry as exc:
            raise UserActionError(400, f"bad bureau record: {exc.message}") from exc
        self.add_record(record)
        return web.json_response(record.as_json())

    async def _clear_records(self, request: web.Request) -> web.Response:
        self.clear_records()
        return web.json_response([])

    async def _list_inquiries(self, request: web.Request) -> web.Response:
        return web.json_response(self.inquiries)


def _bureau_reference(reference: str) -> str:
    """The bureau's own id for an inquiry, the same for the same reference on every run."""
    return "SBX-" + hashlib.sha256(reference.encode()).hexdigest()[:16].upper()


def _identifiable(name: str, born: date, today: date) -> bool:
    oldest = date(today.year - OLDEST_YEARS, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)
    return any(ch.isalpha() for ch in name) and oldest <= born <= today


def _amount(value: Any, name: str) -> tuple[tuple[int, str], int]:
    """An amount object as (minor units, currency) and in won."""
    if not isinstance(value, dict):
        raise BadInquiry(f"{name} must be an object with amount (minor units) and currency")
    amount, currency = value.get("amount"), value.get("currency")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount < 10**18:
        raise BadInquiry(f"{name}.amount must be a whole number of minor units, 0 or more")
    if not isinstance(currency, str) or currency not in CURRENCIES:
        raise BadInquiry(f"{name}.currency: the bureau rates {', '.join(CURRENCIES)} only", 422)
    exponent, rate = CURRENCIES[currency]
    return (amount, currency), amount * rate // 10**exponent


def _date(value: Any, name: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise BadInquiry(f"{name} must be a date like 1994-03-15")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInquiry(f"{name} must be a date like 1994-03-15, got {value!r}") from None


def _optional_int(value: Any, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadInquiry(f"{name} must be a whole number from {low} to {high}")
    return value


def _optional_choice(value: Any, name: str, choices: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise BadInquiry(f"{name} must be one of {', '.join(choices)}")
    return str(value)
