"""Minji's water purifier contract, as the checkout would draw it up: the sample the contract tests and
bench/rentals.py render and sign."""

from __future__ import annotations

from datetime import UTC, date, datetime

from subscriptions.money import Money
from subscriptions.rentals.applications import consent_hash
from subscriptions.rentals.contract_document import (
    Brand,
    BusinessDetails,
    ContractDocument,
    ContractLanguage,
    ContractPlan,
    Customer,
    EndOfTerm,
    PaymentKind,
    PaymentRow,
    PersonalDataTerm,
    ProductDescription,
    build_contract_document,
)

DRAWN_UP = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # 21:04 in Seoul
INSTALLATION = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # Thursday 14:00 in Seoul
CONSENT_TEXTS = {
    ContractLanguage.KO: ("신용조회 동의: 이름과 생년월일을 신용평가회사에 보내 렌탈 심사에 씁니다.",
                          "개인정보 수집·이용 동의: 이름, 주소를 계약과 설치에 씁니다."),
    ContractLanguage.EN: ("Credit check consent: your name and birth date go to the credit bureau.",
                          "Personal data consent: your name and address are used for the contract."),
}
FEE = 29_900
TERM = 36


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def _schedule() -> list[PaymentRow]:
    rows = [PaymentRow(date(2026, 11, 26), PaymentKind.REGISTRATION_FEE, won(100_000))]
    for month in range(TERM):
        year, index = divmod(10 + month, 12)  # November 2026 is index 10
        rows.append(PaymentRow(date(2026 + year, index + 1, 26), PaymentKind.MONTHLY_FEE, won(FEE), month + 1))
    return rows


def termination_costs() -> list[tuple[int, Money]]:
    """10% of the rent left in the mandatory period (the plan model's formula, worked out here by hand)."""
    return [(month, won(FEE * (TERM - month) // 10)) for month in range(1, TERM + 1)]


def _data_terms(language: ContractLanguage) -> list[PersonalDataTerm]:
    if language is ContractLanguage.KO:
        return [PersonalDataTerm("이름, 만 19세 이상 여부 (전자지갑)", "본인 확인과 계약 체결", "계약 종료 후 5년"),
                PersonalDataTerm("이름, 생년월일", "신용조회 (신용평가회사에 제공)", "조회 후 3년"),
                PersonalDataTerm("설치 주소", "배송, 설치, 방문 관리, 회수", "계약 종료 후 5년")]
    return [PersonalDataTerm("Name, over 19 (from the wallet)", "Identity check and the contract",
                             "5 years after the contract ends"),
            PersonalDataTerm("Name, birth date", "Credit check (sent to the credit bureau)", "3 years after the check"),
            PersonalDataTerm("Installation address", "Delivery, installation, care visits, collection",
                             "5 years after the contract ends")]


def minji_contract(language: ContractLanguage | str = ContractLanguage.KO, *,
                   contract_id: str = "HL-2026-000123", customer_name: str = "김민지") -> ContractDocument:
    language = ContractLanguage(language)
    korean = language is ContractLanguage.KO
    return build_contract_document(
        contract_id=contract_id, language=language, drawn_up_at=DRAWN_UP,
        brand=Brand("홈라인 렌탈" if korean else "Homeline Rentals", BusinessDetails(
            legal_name="주식회사 홈라인" if korean else "Homeline Co., Ltd.", registration_number="123-45-67890",
            representative="박서준" if korean else "Park Seojun",
            address="서울특별시 중구 세종대로 110" if korean else "110 Sejong-daero, Jung-gu, Seoul",
            phone="02-1234-5678")),
        customer=Customer(customer_name, "도로교통공단 운전면허증" if korean else "Road Traffic Authority (driver licence)",
                          "서울특별시 마포구 월드컵북로 396, 101동 1203호"),
        product=ProductDescription(
            "홈라인 냉온정수기" if korean else "Homeline hot & cold water purifier", "HL-WP300",
            "냉수, 온수, 정수. 4개월마다 필터 교체." if korean else "Cold, hot and purified water; filters changed "
            "every 4 months."),
        plan=ContractPlan(term_months=TERM, mandatory_months=TERM, monthly_fee=won(FEE), registration_fee=won(100_000),
                          deposit=won(0), included_visits=9, visit_every_months=4, end_of_term=EndOfTerm.RETURN),
        installation_at=INSTALLATION, schedule=_schedule(),
        termination_formula=("의무 사용 기간 중 남은 렌탈료의 10%." if korean
                             else "10% of the monthly fees left in the mandatory period."),
        termination_costs=termination_costs(), removal_fee=won(50_000), personal_data=_data_terms(language),
        consent_hashes=[consent_hash(text) for text in CONSENT_TEXTS[language]],
    )
