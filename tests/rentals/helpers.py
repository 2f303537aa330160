"""What rentals' tests share: a fixed clock (a Wednesday morning in Seoul), a deterministic credit bureau that
answers by the applicant's name, verified identities, signatures, and an application walked to the signing step."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import FixedClock
from subscriptions.ids import TimeOrderedIds
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.applications import Application, SignedContract
from subscriptions.rentals.credit import (
    CreditBureauUnavailable,
    CreditDecision,
    CreditOutcome,
    CreditRequest,
    DeclineReason,
)
from subscriptions.rentals.identity import IdentityPolicy, VerifiedIdentity
from subscriptions.rentals.services import applications
from subscriptions.rentals.services.demo import demo_plan_id, demo_terms

NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 09:30 in Seoul, a Wednesday
GOV = "did:web:id.gov.example"
MANAGER = 700_001
APPLICANTS = list(range(710_001, 710_041))
CONSENT = "신용조회 동의: 이름과 생년월일을 신용평가사에 보내 렌탈 심사에 씁니다. 5년 보관."
PDF = b"%PDF-1.7 contract"
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJwZGYiOiJhYmMifQ.c2lnbmF0dXJl"


class NamedBureau:
    """Approves everyone but those whose name says otherwise; `down` makes it unreachable."""

    def __init__(self) -> None:
        self.asked: list[CreditRequest] = []
        self.down = False

    async def check(self, request: CreditRequest) -> CreditDecision:
        self.asked.append(request)
        if self.down:
            raise CreditBureauUnavailable("timed out")
        if "Refer" in request.applicant_name:
            return CreditDecision(CreditOutcome.REFERRED, NOW, f"kcb-{request.reference}", score=6)
        if "Decline" in request.applicant_name:
            return CreditDecision(CreditOutcome.DECLINED, NOW, f"kcb-{request.reference}",
                                  reason=DeclineReason.DELINQUENCY)
        return CreditDecision(CreditOutcome.APPROVED, NOW, f"kcb-{request.reference}", score=2)


def identity(name: str, *, over_19: bool = True, issuer: str = GOV, card_type: str = "national_id",
             address: str | None = "서울특별시 마포구 연남로 12") -> VerifiedIdentity:
    return VerifiedIdentity(name, over_19, issuer, card_type, NOW, address, date(1994, 3, 2))


def signed_contract(contract_id: str) -> SignedContract:
    return SignedContract(contract_id, hashlib.sha256(PDF).hexdigest(), JWS,
                          (hashlib.sha256(CONSENT.encode()).hexdigest(),), NOW)


def rentals_over(units: UnitOfWorkFactory, clock: FixedClock, bureau: NamedBureau | None = None) -> Rentals:
    return Rentals(uow=units, clock=clock, ids=TimeOrderedIds(), bureau=bureau or NamedBureau(),
                   identity_policy=IdentityPolicy(frozenset({GOV})), reader=units.reader)  # type: ignore[arg-type]


def price(product_id: str) -> Money:
    return demo_terms()[product_id].monthly_fee


async def to_signing(rentals: Rentals, applicant_id: int, product_id: str, *, name: str = "김민지",
                     address: str = "서울특별시 마포구 연남로 12", slot_index: int = 0) -> Application:
    """An application walked from Rent this to the signing step, its slot held."""
    plan_id = demo_plan_id(product_id)
    started = await applications.start_application(rentals, applicant_id, plan_id, f"{plan_id}-v1",
                                                   price(product_id))
    await applications.verify_identity(rentals, applicant_id, started.id, identity(name), name)
    await applications.consent_to_credit_check(rentals, applicant_id, started.id, CONSENT)
    await applications.check_credit(rentals, applicant_id, started.id)
    await applications.give_address(rentals, applicant_id, started.id, address)
    free = await applications.slots_for(rentals, applicant_id, started.id)
    return await applications.hold_slot(rentals, applicant_id, started.id, free[slot_index].slot.id)
