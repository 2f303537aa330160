"""The contract as a document: what it states, refused when impossible, rendered to the same PDF every time with
its Korean (and English) clauses in it."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

import pypdf
import pytest

from bot.gateways.contracts import ContractFonts, ContractRenderer, UnprintableText
from subscriptions.money import Money
from subscriptions.rentals.applications import consent_hash
from subscriptions.rentals.contract_document import ContractDocumentInvalid, ContractLanguage
from tests.rentals.contract_samples import minji_contract


@pytest.fixture(scope="module")
def renderer() -> ContractRenderer:
    try:
        return ContractRenderer(ContractFonts.from_machine())
    except Exception as missing:  # a machine without fonts-nanum cannot print Korean at all
        pytest.skip(f"no font with Hangul: {missing}")


def _flat(pdf: bytes) -> str:
    """The text without any spacing: a line may break wherever a space was."""
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _holds(text: str, expected: str) -> bool:
    return "".join(expected.split()) in text


def test_the_document_states_the_plan_the_schedule_and_the_cost_of_ending_early_month_by_month() -> None:
    document = minji_contract()
    assert document.plan.term_months == 36 and document.plan.monthly_fee == Money(29_900, "KRW")
    assert len(document.schedule) == 37 and document.termination_costs[5] == (6, Money(89_700, "KRW"))
    assert document.cooling_off_days == 14 and document.late_interest_percent == "6"
    assert document.consent_hashes[0] == hashlib.sha256(
        "신용조회 동의: 이름과 생년월일을 신용평가회사에 보내 렌탈 심사에 씁니다.".encode()).hexdigest()


@pytest.mark.parametrize(("change", "reason"), [
    ({"late_interest_basis_points": 601}, "late interest is capped at 6% a year"),
    ({"removal_fee": Money(5_000, "USD")}, "every amount of a contract is in one currency"),
    ({"consent_hashes": ("not-a-hash",)}, "consent hashes are SHA-256 in lowercase hex"),
    ({"termination_costs": ((2, Money(1, "KRW")), (1, Money(1, "KRW")))},
     "termination costs are given once per month of the term, in order"),
    ({"schedule": ()}, "the payment schedule is empty"),
])
def test_a_document_stating_something_impossible_is_refused_by_name(change: dict[str, object], reason: str) -> None:
    with pytest.raises(ContractDocumentInvalid) as refused:
        replace(minji_contract(), **change)  # type: ignore[arg-type]
    assert refused.value.reason == reason


def test_a_mandatory_period_longer_than_the_term_is_refused() -> None:
    document = minji_contract()
    with pytest.raises(ContractDocumentInvalid):
        replace(document, plan=replace(document.plan, mandatory_months=48))


def test_the_same_document_renders_to_the_same_bytes(renderer: ContractRenderer) -> None:
    first, second = renderer.pdf(minji_contract()), renderer.pdf(minji_contract())
    assert first.startswith(b"%PDF-") and hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert renderer.pdf(minji_contract(contract_id="HL-2026-000124")) != first


def test_the_korean_contract_holds_each_clause_in_korean(renderer: ContractRenderer) -> None:
    text = _flat(renderer.pdf(minji_contract(ContractLanguage.KO)))
    for expected in ("렌탈 계약서", "회사(홈라인 렌탈)와 고객(김민지)은", "14일 이내에 이유를 밝히지 않고 청약을 철회할 수 있습니다",
                     "연 6%의 비율로 일할 계산한 연체 이자", "배송과 설치는 회사의 비용으로", "철거비(금 ₩50,000)를 부담합니다",
                     "의무 사용 기간 중 남은 렌탈료의 10%", "6개월째₩89,700", "개인정보의 처리", "계약 종료 후 5년",
                     "2026년 11월 26일 (목) 14:00", consent_hash("개인정보 수집·이용 동의: 이름, 주소를 계약과 설치에 씁니다."),
                     "계약번호 HL-2026-000123", "1/3쪽"):
        assert _holds(text, expected), expected


def test_the_english_contract_holds_the_same_clauses_in_english(renderer: ContractRenderer) -> None:
    text = _flat(renderer.pdf(minji_contract(ContractLanguage.EN)))
    for expected in ("Rental contract", "within 14 days", "at 6% a year, counted by the day",
                     "at the Company's cost", "removal fee of ₩50,000", "month 6₩89,700", "Page 1 of",
                     "Thu 26 November 2026, 14:00", "김민지"):
        assert _holds(text, expected), expected


def test_a_name_with_a_rare_syllable_prints_from_the_whole_font(renderer: ContractRenderer) -> None:
    text = _flat(renderer.pdf(minji_contract(customer_name="김똠방")))  # 똠 is not among KS X 1001's syllables
    assert _holds(text, "고객(김똠방)은")


def test_a_character_no_font_has_is_refused_rather_than_printed_as_a_box(renderer: ContractRenderer) -> None:
    with pytest.raises(UnprintableText) as refused:
        renderer.pdf(minji_contract(customer_name="김민지 🙂"))
    assert refused.value.characters == "🙂"
