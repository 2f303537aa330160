"""The contract as the checkout draws it up and has it signed.

The document comes from the application at its signing step alone: its id and version name the contract, the
moment of its last change (the slot held) dates it, and the plan version, the product, the brand's business
details, the verified identity, the address and the slot fill it. So drawing it up again gives the same
document, and the renderer the same PDF bytes, until the application moves on: the PDF the customer was sent
is the one the holder key signs after the PIN, and a slot picked again meanwhile makes another contract.

The free texts of the document (the termination formula in words, the personal-data terms) are legal text in
the document's language, kept here beside the rules they state rather than in the chat's catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.billing_calendar import zone
from subscriptions.money import Money, format_money
from subscriptions.rentals import Rentals
from subscriptions.rentals import applications as steps
from subscriptions.rentals.applications import Application, SignedContract, Step
from subscriptions.rentals.catalog import BrandDetails, Product
from subscriptions.rentals.contract_document import (
    Brand,
    BusinessDetails,
    ContractDocument,
    ContractLanguage,
    ContractPlan,
    Customer,
    PaymentKind,
    PaymentRow,
    PersonalDataTerm,
    ProductDescription,
    build_contract_document,
)
from subscriptions.rentals.contracts import InstalmentKind, payment_schedule
from subscriptions.rentals.errors import BrandDetailsMissing, SlotHoldExpired
from subscriptions.rentals.plans import PlanTerms, termination_table
from subscriptions.rentals.services.applications import sign_contract
from subscriptions.rentals.services.common import load_application, load_plan, load_product
from subscriptions.rentals.signing import ContractSigner, Signer, signing_payload, signing_subject
from subscriptions.rentals.slots import Slot


@dataclass(frozen=True)
class ContractToSign:
    """The drawn-up contract with its slot (for the summary) and the application it was drawn from."""

    document: ContractDocument
    application: Application
    slot: Slot
    product: Product


def contract_id_for(application: Application) -> str:
    """The contract's id: the application at this version (another slot picked, another contract)."""
    return f"{application.id}-{application.version}"


async def draw_up_contract(rentals: Rentals, applicant_id: int, application_id: str, *, language: str,
                           verified_by: str) -> ContractToSign:
    """The contract for the application at its signing step; `SlotHoldExpired` once the 15 minutes are over
    (pick another slot), `BrandDetailsMissing` when the brand never gave its business details."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        application = steps.at_step(await load_application(uow, applicant_id, application_id), now, Step.SIGN)
        terms = (await load_plan(uow, application.plan_id)).version(application.plan_version_id).terms
        product = await load_product(uow, application.product_id)
        business = await uow.rental_brands.get(application.brand_id)
        organisation = await uow.organisations.get(application.brand_id)
        hold = application.slot
        slot = await uow.rental_slots.get(hold.slot_id) if hold is not None else None
    if hold is None or slot is None or not hold.is_live(now):
        raise SlotHoldExpired(application_id)
    if business is None or organisation is None:
        raise BrandDetailsMissing(str(application.brand_id))
    document = _document(rentals, application, terms, product, business, organisation.name, slot,
                         ContractLanguage.KO if language.startswith("ko") else ContractLanguage.EN, verified_by)
    return ContractToSign(document, application, slot, product)


def subject_of(document: ContractDocument, pdf_sha256: str) -> str:
    """What the PIN is typed to sign: this contract, this PDF, these consents."""
    return signing_subject(document.contract_id, pdf_sha256, document.consent_hashes)


async def sign_with_holder_key(rentals: Rentals, signer: ContractSigner, applicant_id: int, application_id: str,
                               pin_flow_id: str, pdf: bytes) -> Application:
    """The holder key signs the PDF after the PIN, then the contract is signed: the slot booked and a unit
    reserved (`SlotHoldExpired`, `OutOfStock`); the key signs nothing for a keypad opened for another PDF."""
    now = rentals.clock.now()
    async with rentals.read() as uow:
        application = steps.at_step(await load_application(uow, applicant_id, application_id), now, Step.SIGN)
    identity = application.identity
    assert identity is not None  # the identity step came first
    contract_id = contract_id_for(application)
    payload = signing_payload(contract_id=contract_id, pdf=pdf, consent_hashes=application.consent_hashes,
                              signer=Signer(applicant_id, identity.name), now=now, nonce=rentals.ids.new_id())
    signature = await signer.sign(applicant_id, pin_flow_id, payload)
    signed = SignedContract(contract_id, payload.pdf_sha256, signature, application.consent_hashes, payload.signed_at)
    return await sign_contract(rentals, applicant_id, application_id, signed)


def _document(rentals: Rentals, application: Application, terms: PlanTerms, product: Product,
              business: BrandDetails, brand_name: str, slot: Slot, language: ContractLanguage,
              verified_by: str) -> ContractDocument:
    identity, address = application.identity, application.address
    assert identity is not None and address is not None  # the identity and address steps came first
    drawn_up = application.updated_at or application.created_at
    lang = language.value
    every = terms.visit_every_months
    return build_contract_document(
        contract_id=contract_id_for(application), language=language, drawn_up_at=drawn_up,
        timezone=rentals.settings.timezone,
        brand=Brand(brand_name, BusinessDetails(business.legal_name.in_language(lang), business.registration_number,
                                                business.representative.in_language(lang),
                                                business.address.in_language(lang), business.phone)),
        customer=Customer(identity.name, verified_by, address.text),
        product=ProductDescription(product.name.in_language(lang), product.id, product.description.in_language(lang)),
        plan=ContractPlan(terms.term_months, terms.mandatory_months, terms.monthly_fee, terms.registration_fee,
                          terms.deposit, len(range(every, terms.term_months, every)) if every else 0,
                          every or None, terms.end_of_term),
        installation_at=slot.starts_at,
        schedule=_schedule(terms, drawn_up, slot.starts_at, rentals.settings.timezone),
        termination_formula=_formula(terms, lang),
        termination_costs=[(cost.month, cost.total) for cost in termination_table(terms)],
        removal_fee=terms.termination.removal_fee or Money.zero(terms.currency),
        personal_data=PERSONAL_DATA[language], consent_hashes=application.consent_hashes,
    )


def _schedule(terms: PlanTerms, drawn_up: datetime, installation: datetime, timezone: str) -> list[PaymentRow]:
    local = zone(timezone)
    rows: list[PaymentRow] = []
    for due in payment_schedule(terms, drawn_up, installation, timezone):
        day = due.due_at.astimezone(local).date()
        if due.kind is InstalmentKind.FIRST:
            if terms.registration_fee.is_positive:
                rows.append(PaymentRow(day, PaymentKind.REGISTRATION_FEE, terms.registration_fee))
            if terms.deposit.is_positive:
                rows.append(PaymentRow(day, PaymentKind.DEPOSIT, terms.deposit))
            rows.append(PaymentRow(day, PaymentKind.MONTHLY_FEE, terms.monthly_fee, due.number))
        else:
            rows.append(PaymentRow(day, PaymentKind.MONTHLY_FEE, due.amount, due.number))
    return rows


def _percent(basis_points: int) -> str:
    """"10" or "12.5": a rate in basis points as the contract writes it."""
    whole, hundredths = divmod(basis_points, 100)
    return f"{whole}" if hundredths == 0 else f"{whole}.{hundredths:02d}".rstrip("0")


def _formula(terms: PlanTerms, language: str) -> str:
    """The plan's early-termination formula in words, in the document's language."""
    formula = terms.termination
    korean = language == "ko"
    rate = _percent(formula.penalty_rate)
    parts = [f"의무 사용 기간 중 남은 렌탈료의 {rate}%" if korean
             else f"{rate}% of the monthly fees left in the mandatory period"]
    if formula.monthly_discount is not None and formula.monthly_discount.is_positive:
        discount = format_money(formula.monthly_discount, language)
        parts.append(f"사용한 개월 수만큼의 월 할인액({discount}) 반환" if korean
                     else f"the monthly discount of {discount} repaid for each month rented")
    if formula.removal_fee is not None and formula.removal_fee.is_positive:
        fee = format_money(formula.removal_fee, language)
        parts.append(f"철거비 {fee}" if korean else f"the removal fee of {fee}")
    if korean:
        owed = f"다음을 합한 금액을 냅니다: {', '.join(parts)}" if len(parts) > 1 else f"{parts[0]}를 냅니다"
        return f"의무 사용 기간 중 해지하면 {owed}. 의무 사용 기간이 지나면 위약금이 없습니다."
    return "Ending within the mandatory period costs " + ", plus ".join(parts) + \
        ". Nothing is owed once the mandatory period is over."


PERSONAL_DATA: dict[ContractLanguage, tuple[PersonalDataTerm, ...]] = {
    ContractLanguage.KO: (
        PersonalDataTerm("성명, 만 19세 이상 여부, 주소(카드에 있는 경우) — 전자지갑", "본인 확인 및 계약 체결",
                         "계약 종료 후 5년"),
        PersonalDataTerm("성명, 생년월일, 렌탈 금액", "신용조회 (신용평가회사에 제공)", "조회 후 3년"),
        PersonalDataTerm("설치 주소", "배송, 설치, 방문 관리, 회수", "계약 종료 후 5년"),
    ),
    ContractLanguage.EN: (
        PersonalDataTerm("Name, over 19, address where the card holds one (from the wallet)",
                         "Identity check and the contract", "5 years after the contract ends"),
        PersonalDataTerm("Name, birth date, the rental's amounts", "Credit check (sent to the credit bureau)",
                         "3 years after the check"),
        PersonalDataTerm("Installation address", "Delivery, installation, care visits, collection",
                         "5 years after the contract ends"),
    ),
}
