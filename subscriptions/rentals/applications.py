"""The application (the checkout in the chat) as a state machine. Each step is a pure function from one version
of the application to the next; the service saves it against the version it read, so of two presses of one
button only the first moves the application on, and a restart finds it at the step it was.

identity -> credit_consent -> credit_check -> (review, when the bureau refers) -> address -> slot -> sign ->
payment -> confirmed. A decline closes it with the reason category; expiry or cancellation closes it and the
service releases what it held (the slot, the reserved unit).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from subscriptions.billing_calendar import require_aware
from subscriptions.money import Money
from subscriptions.rentals.credit import CreditDecision, CreditOutcome, DeclineReason
from subscriptions.rentals.errors import (
    ApplicationClosed,
    AwaitingReview,
    ConsentTextMissing,
    InvalidSignature,
    NotReferred,
    WrongStep,
)
from subscriptions.rentals.identity import VerifiedIdentity
from subscriptions.rentals.regions import Address
from subscriptions.rentals.slots import SlotHold

APPLICATION_LIFETIME = timedelta(days=3)
BRAND_DECLINED = "brand_declined"  # the closing reason when a brand manager declines a referral


class Step(StrEnum):
    IDENTITY = "identity"
    CREDIT_CONSENT = "credit_consent"
    CREDIT_CHECK = "credit_check"
    REVIEW = "review"  # referred: waits in the brand's applications queue
    ADDRESS = "address"
    SLOT = "slot"
    SIGN = "sign"
    PAYMENT = "payment"
    CONFIRMED = "confirmed"


class ApplicationStatus(StrEnum):
    OPEN = "open"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELED = "canceled"
    CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class CreditResult:
    outcome: CreditOutcome
    bureau_reference: str
    decided_at: datetime
    reason: DeclineReason | None = None
    score: int | None = None
    reviewed_by: int | None = None  # the brand manager who decided a referral

    @classmethod
    def of(cls, decision: CreditDecision) -> CreditResult:
        return cls(decision.outcome, decision.bureau_reference, require_aware(decision.decided_at),
                   decision.reason, decision.score)


@dataclass(frozen=True, slots=True)
class SignedContract:
    """What the holder signed: the contract's id, the PDF's SHA-256, the compact JWS over them and the consent
    texts' hashes, and when."""

    contract_id: str
    pdf_sha256: str
    signature: str
    consent_hashes: tuple[str, ...]
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class Application:
    id: str
    applicant_id: int
    brand_id: int
    product_id: str
    plan_id: str
    plan_version_id: str
    monthly_fee: Money
    is_service: bool
    created_at: datetime
    expires_at: datetime
    step: Step = Step.IDENTITY
    status: ApplicationStatus = ApplicationStatus.OPEN
    version: int = 1
    identity: VerifiedIdentity | None = None  # personal data, sealed at rest
    address: Address | None = None  # personal data, sealed at rest
    consent_hashes: tuple[str, ...] = ()
    credit: CreditResult | None = None
    slot: SlotHold | None = None
    unit_id: str | None = None
    signed: SignedContract | None = None
    payment_reference: str | None = None
    contract_id: str | None = None
    closed_reason: str | None = None
    updated_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.status is ApplicationStatus.OPEN and require_aware(now) < self.expires_at

    @property
    def region(self) -> str | None:
        return self.address.region if self.address is not None else None


def new_application(application_id: str, applicant_id: int, brand_id: int, product_id: str, plan_id: str,
                    plan_version_id: str, monthly_fee: Money, is_service: bool, now: datetime,
                    lifetime: timedelta = APPLICATION_LIFETIME) -> Application:
    now = require_aware(now)
    return Application(application_id, applicant_id, brand_id, product_id, plan_id, plan_version_id, monthly_fee,
                       is_service, now, now + lifetime, updated_at=now)


def at_step(application: Application, now: datetime, *steps: Step) -> Application:
    """The application, if open and at one of `steps`; else the refusal the press deserves."""
    if not application.is_open(now):
        raise ApplicationClosed(application.status.value)
    if application.step is Step.REVIEW and Step.REVIEW not in steps:
        raise AwaitingReview(application.id)
    if application.step not in steps:
        raise WrongStep(steps[0].value, application.step.value)
    return application


def _next(application: Application, now: datetime, **changes: object) -> Application:
    return replace(application, version=application.version + 1, updated_at=require_aware(now),
                   **changes)  # type: ignore[arg-type]


def consent_hash(text: str) -> str:
    """The SHA-256 of a consent text as shown: what the applicant agreed to, provable later."""
    if not text.strip():
        raise ConsentTextMissing("empty consent text")
    return hashlib.sha256(text.encode()).hexdigest()


def verified(application: Application, identity: VerifiedIdentity, now: datetime) -> Application:
    at_step(application, now, Step.IDENTITY)
    return _next(application, now, identity=identity, step=Step.CREDIT_CONSENT)


def consented(application: Application, text_hash: str, now: datetime,
              birth_date: date | None = None) -> Application:
    at_step(application, now, Step.CREDIT_CONSENT)
    identity = application.identity
    if identity is not None and identity.birth_date is None and birth_date is not None:
        identity = replace(identity, birth_date=birth_date)
    return _next(application, now, identity=identity, step=Step.CREDIT_CHECK,
                 consent_hashes=(*application.consent_hashes, text_hash))


def credit_decided(application: Application, result: CreditResult, now: datetime) -> Application:
    at_step(application, now, Step.CREDIT_CHECK)
    if result.outcome is CreditOutcome.APPROVED:
        return _next(application, now, credit=result, step=Step.ADDRESS)
    if result.outcome is CreditOutcome.REFERRED:
        return _next(application, now, credit=result, step=Step.REVIEW)
    reason = (result.reason or DeclineReason.INSUFFICIENT_HISTORY).value
    return _next(application, now, credit=result, status=ApplicationStatus.DECLINED, closed_reason=reason)


def reviewed(application: Application, manager_id: int, approve: bool, now: datetime) -> Application:
    if application.step is not Step.REVIEW or application.credit is None:
        raise NotReferred(application.step.value)
    at_step(application, now, Step.REVIEW)
    credit = replace(application.credit, reviewed_by=manager_id)
    if approve:
        return _next(application, now, credit=credit, step=Step.ADDRESS)
    return _next(application, now, credit=credit, status=ApplicationStatus.DECLINED, closed_reason=BRAND_DECLINED)


def addressed(application: Application, address: Address, now: datetime) -> Application:
    at_step(application, now, Step.ADDRESS)
    return _next(application, now, address=address, step=Step.SLOT)


def slot_held(application: Application, hold: SlotHold, now: datetime) -> Application:
    """A slot held; from the signing step too, when the first hold ran out and another slot is picked."""
    at_step(application, now, Step.SLOT, Step.SIGN)
    return _next(application, now, slot=hold, step=Step.SIGN)


_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_signed(signed: SignedContract) -> SignedContract:
    """A compact JWS (three base64url parts) over a SHA-256 hex digest; `InvalidSignature` otherwise."""
    if not _SHA256.match(signed.pdf_sha256) or not _JWS.match(signed.signature):
        raise InvalidSignature("not a compact JWS over a SHA-256 digest")
    try:
        header = signed.signature.split(".")[0]
        base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except (binascii.Error, ValueError):
        raise InvalidSignature("the JWS header is not base64url") from None
    if not all(_SHA256.match(h) for h in signed.consent_hashes):
        raise InvalidSignature("consent hashes are SHA-256 hex digests")
    return signed


def signed_by_holder(application: Application, signed: SignedContract, unit_id: str | None,
                     hold: SlotHold, now: datetime) -> Application:
    at_step(application, now, Step.SIGN)
    return _next(application, now, signed=check_signed(signed), unit_id=unit_id, slot=hold,
                 contract_id=signed.contract_id, step=Step.PAYMENT)


def paid(application: Application, payment_reference: str, now: datetime) -> Application:
    at_step(application, now, Step.PAYMENT)
    return _next(application, now, payment_reference=payment_reference, step=Step.CONFIRMED,
                 status=ApplicationStatus.CONFIRMED)


def closed(application: Application, status: ApplicationStatus, reason: str, now: datetime) -> Application:
    """Expired or canceled: what it held is the service's to release."""
    if application.status is not ApplicationStatus.OPEN:
        raise ApplicationClosed(application.status.value)
    return _next(application, now, status=status, closed_reason=reason)
