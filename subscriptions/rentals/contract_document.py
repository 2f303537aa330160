"""The rental contract as a document: everything it states, as values, ready to be rendered and signed.

A `ContractDocument` is what the customer reads and signs: the parties, the product, the plan, the payment
schedule, what ending early costs month by month, the clauses the law asks for (the 14-day cooling-off right,
late interest capped at 6% a year, installation at the brand's cost, the removal fee), the personal-data terms,
and the hashes of the consent texts the customer was shown before signing. Nothing here is computed: the plan
model works out the schedule and the termination costs, and the document only states them, so what is signed
is exactly what the plan said. Every field is filled when the document is drawn up; the moment of signing is
not part of it (the signature, made over the rendered PDF, carries that).

The free texts (the product's description, the termination formula in words, the personal-data terms) are in
the document's language; the clauses' own wording belongs to the renderer, versioned with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.rentals.plans import EndOfTerm

COOLING_OFF_DAYS = 14  # the right to withdraw without giving a reason, from signing or installation if later
LATE_INTEREST_CAP_BASIS_POINTS = 600  # 6% a year, counted by the day
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ContractDocumentInvalid(SubscriptionsError):
    """A contract document that states something impossible (a mandatory period beyond the term, amounts in
    two currencies, late interest above the cap, a consent hash that is not one); `reason` says which."""

    code = "contract_document_invalid"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ContractLanguage(StrEnum):
    KO = "ko"
    EN = "en"


class PaymentKind(StrEnum):
    """What a row of the payment schedule is for; the renderer words each in the document's language."""

    REGISTRATION_FEE = "registration_fee"
    DEPOSIT = "deposit"
    MONTHLY_FEE = "monthly_fee"


@dataclass(frozen=True)
class BusinessDetails:
    """The brand as a business: who the customer contracts with, and how to reach them."""

    legal_name: str
    registration_number: str  # 사업자등록번호
    representative: str
    address: str
    phone: str


@dataclass(frozen=True)
class Brand:
    name: str
    business: BusinessDetails


@dataclass(frozen=True)
class Customer:
    """The customer as the wallet verified them, and where the product goes."""

    name: str  # as the presented card states it
    verified_by: str  # the issuer of the card that proved the name and age
    address: str  # the installation address as the customer gave it


@dataclass(frozen=True)
class ProductDescription:
    """The product as rented: no serial number, since any unit of the model may be installed."""

    name: str
    model: str
    description: str


@dataclass(frozen=True)
class ContractPlan:
    term_months: int
    mandatory_months: int
    monthly_fee: Money
    registration_fee: Money  # registration or installation fee, paid with the first month
    deposit: Money  # held, and returned at the end less any damage charge
    included_visits: int  # care visits included over the term (a filter change every few months)
    visit_every_months: int | None  # how often they come; None when the plan has no visits
    end_of_term: EndOfTerm


@dataclass(frozen=True)
class PaymentRow:
    due: date
    kind: PaymentKind
    amount: Money
    instalment: int | None = None  # 1, 2, ... for monthly fees


@dataclass(frozen=True)
class PersonalDataTerm:
    """One line of the personal-data terms: what is kept, why, and for how long (in the document's language)."""

    what: str
    why: str
    kept_for: str


@dataclass(frozen=True)
class ContractDocument:
    contract_id: str
    language: ContractLanguage
    drawn_up_at: datetime  # aware; the document's date, and the PDF's creation date
    timezone: str  # for the dates and times it shows ("Asia/Seoul")
    brand: Brand
    customer: Customer
    product: ProductDescription
    plan: ContractPlan
    installation_at: datetime  # the booked slot's start, aware
    schedule: tuple[PaymentRow, ...]
    termination_formula: str  # the plan model's formula, in words
    termination_costs: tuple[tuple[int, Money], ...]  # month of the contract -> what ending in it costs
    removal_fee: Money  # charged for taking the unit away when the customer ends early after installation
    personal_data: tuple[PersonalDataTerm, ...]
    consent_hashes: tuple[str, ...]  # SHA-256 (hex) of each consent text the customer saw, in the order shown
    late_interest_basis_points: int = LATE_INTEREST_CAP_BASIS_POINTS
    cooling_off_days: int = field(default=COOLING_OFF_DAYS, init=False)

    def __post_init__(self) -> None:
        for reason in _problems(self):
            raise ContractDocumentInvalid(reason)

    @property
    def currency(self) -> str:
        return self.plan.monthly_fee.currency

    @property
    def late_interest_percent(self) -> str:
        """"6" or "5.5": the yearly rate as the contract writes it."""
        whole, hundredths = divmod(self.late_interest_basis_points, 100)
        return f"{whole}" if hundredths == 0 else f"{whole}.{hundredths:02d}".rstrip("0")


def build_contract_document(
    *, contract_id: str, language: ContractLanguage | str, drawn_up_at: datetime, brand: Brand, customer: Customer,
    product: ProductDescription, plan: ContractPlan, installation_at: datetime, schedule: Sequence[PaymentRow],
    termination_formula: str, termination_costs: Sequence[tuple[int, Money]], removal_fee: Money,
    personal_data: Sequence[PersonalDataTerm], consent_hashes: Sequence[str], timezone: str = "Asia/Seoul",
    late_interest_basis_points: int = LATE_INTEREST_CAP_BASIS_POINTS,
) -> ContractDocument:
    """The document, from sequences of any kind (stored as tuples); raises ContractDocumentInvalid."""
    return ContractDocument(
        contract_id=contract_id, language=ContractLanguage(language), drawn_up_at=drawn_up_at, timezone=timezone,
        brand=brand, customer=customer, product=product, plan=plan, installation_at=installation_at,
        schedule=tuple(schedule), termination_formula=termination_formula,
        termination_costs=tuple((int(month), cost) for month, cost in termination_costs), removal_fee=removal_fee,
        personal_data=tuple(personal_data), consent_hashes=tuple(consent_hashes),
        late_interest_basis_points=late_interest_basis_points,
    )


def _problems(document: ContractDocument) -> list[str]:
    plan = document.plan
    problems = []
    if not document.contract_id.strip():
        problems.append("the contract has no id")
    if document.drawn_up_at.tzinfo is None or document.installation_at.tzinfo is None:
        problems.append("the document's times must be timezone-aware")
    if not 0 < plan.mandatory_months <= plan.term_months:
        problems.append("the mandatory period must be within the term")
    if plan.included_visits < 0 or (plan.included_visits > 0 and not plan.visit_every_months):
        problems.append("included visits need a period between them")
    amounts = [plan.monthly_fee, plan.registration_fee, plan.deposit, document.removal_fee,
               *(row.amount for row in document.schedule), *(cost for _, cost in document.termination_costs)]
    if any(amount.currency != document.currency for amount in amounts):
        problems.append("every amount of a contract is in one currency")
    if any(amount.is_negative for amount in amounts):
        problems.append("amounts of a contract are never negative")
    months = [month for month, _ in document.termination_costs]
    if months != sorted(set(months)) or any(not 1 <= month <= plan.term_months for month in months):
        problems.append("termination costs are given once per month of the term, in order")
    if not document.schedule:
        problems.append("the payment schedule is empty")
    if not 0 <= document.late_interest_basis_points <= LATE_INTEREST_CAP_BASIS_POINTS:
        problems.append("late interest is capped at 6% a year")
    if not document.consent_hashes or any(_SHA256_HEX.fullmatch(h) is None for h in document.consent_hashes):
        problems.append("consent hashes are SHA-256 in lowercase hex")
    return problems
