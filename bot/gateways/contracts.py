"""The e-contract gateway: the rental contract as a PDF (Korean and English), the customer's signature by their
holder key after the PIN, and checking a signature offline.

Rendering. fpdf2 draws the contract with a TrueType font that has Hangul (the one the wallet's cards use,
regular and bold). The contract's wording is here, as data keyed by language, and not in the gettext catalogs:
it is legal text, versioned with the document (`WORDING_VERSION` is printed in the footer), and a translator's
edit of a chat string must never change what a signed contract said. The same document always gives the same
bytes (the PDF's dates are the document's), so its SHA-256 is what the customer signs.

Speed. Loading a 20,000-glyph Hangul font and subsetting it costs fpdf2 about half a second a document. So
each face is cut once per process to a working face (ASCII and Latin, punctuation, the 2,350 Hangul syllables of
KS X 1001 and every character of the wording) without hinting, parsed once, and each document gets a copy
with a fresh subset map; only a document with a character beyond the working face (a rare syllable in a name)
uses the whole font, slower but the same. This leans on two fpdf2 classes, `TTFFont` and `SubsetMap`.
"""

from __future__ import annotations

import asyncio
import copy
import io
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from subscriptions.money import Money, format_money, total
from subscriptions.rentals.contract_document import (
    ContractDocument,
    ContractLanguage,
    EndOfTerm,
    PaymentKind,
)
from subscriptions.rentals.signing import (
    CONTRACT_SIGNATURE_TYP,
    ContractSignatureCheck,
    ContractSigningRefused,
    SigningPayload,
    verify_contract_signature,
)
from wallet.images.fonts import hangul_font_path
from wallet.services import signing as wallet_signing
from wallet.services.common import Wallet

WORDING_VERSION = "2026-11"
FAMILY = "contract"
INK = (25, 25, 25)
ACCENT = (0, 90, 150)
RULE = (180, 180, 180)
SHADE = (236, 242, 248)


class ContractFontMissing(Exception):
    """No font with Hangul on this machine (install fonts-nanum): a contract is never printed as boxes."""


class UnprintableText(Exception):
    """The document holds characters no contract font has (an emoji in an address): ask for it again."""

    def __init__(self, characters: str) -> None:
        self.characters = characters
        super().__init__(f"no contract font has {characters!r}")


# --- the wording ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Wording:
    """Every sentence of a contract in one language; `{names}` are filled from the document."""

    title: str
    intro: str
    contract_no: str
    drawn_up: str
    page: str
    parties: str
    brand: str
    customer: str
    legal_name: str
    registration_number: str
    representative: str
    address: str
    phone: str
    name: str
    verified_by: str
    installation_address: str
    product: str
    product_name: str
    model: str
    description: str
    installation: str
    installation_text: str
    plan: str
    term: str
    mandatory: str
    months: str
    monthly_fee: str
    registration_fee: str
    deposit: str
    visits: str
    visits_value: str
    no_visits: str
    end_of_term: str
    end_of_term_values: dict[EndOfTerm, str]
    schedule: str
    schedule_headings: tuple[str, str, str, str]
    kinds: dict[PaymentKind, str]
    instalment: str
    schedule_total: str
    termination: str
    termination_text: str
    termination_headings: tuple[str, str]
    month_value: str
    removal: str
    removal_text: str
    cooling_off: str
    cooling_off_text: str
    late_interest: str
    late_interest_text: str
    care: str
    care_text: str
    end: str
    end_texts: dict[EndOfTerm, str]
    personal_data: str
    personal_data_text: str
    personal_data_headings: tuple[str, str, str]
    consents: str
    consents_text: str
    signature: str
    signature_text: str
    wording_version: str


KO = Wording(
    title="렌탈 계약서",
    intro="회사({brand})와 고객({customer})은 아래 상품의 렌탈에 관하여 다음과 같이 계약을 체결합니다.",
    contract_no="계약번호",
    drawn_up="작성일",
    page="{page}/{{nb}}쪽",
    parties="당사자",
    brand="회사",
    customer="고객",
    legal_name="상호",
    registration_number="사업자등록번호",
    representative="대표자",
    address="주소",
    phone="전화",
    name="성명",
    verified_by="신원 확인",
    installation_address="설치 주소",
    product="상품",
    product_name="상품명",
    model="모델",
    description="설명",
    installation="설치 일시",
    installation_text="{when}. 배송과 설치는 회사의 비용으로 하며 고객에게 청구하지 않습니다.",
    plan="요금제",
    term="계약 기간",
    mandatory="의무 사용 기간",
    months="{n}개월",
    monthly_fee="월 렌탈료",
    registration_fee="등록비",
    deposit="보증금",
    visits="포함된 방문 관리",
    visits_value="{n}회 ({every}개월마다)",
    no_visits="없음",
    end_of_term="계약 기간 만료 시",
    end_of_term_values={EndOfTerm.OWNERSHIP_PASSES: "소유권 이전", EndOfTerm.RETURN: "제품 반납",
                        EndOfTerm.MONTH_TO_MONTH: "월 단위 계속"},
    schedule="납부 일정",
    schedule_headings=("회차", "납부일", "내용", "금액"),
    kinds={PaymentKind.REGISTRATION_FEE: "등록비", PaymentKind.DEPOSIT: "보증금",
           PaymentKind.MONTHLY_FEE: "월 렌탈료"},
    instalment="{n}회차",
    schedule_total="합계",
    termination="중도 해지",
    termination_text="고객이 의무 사용 기간 중 자신의 사정으로 계약을 해지하는 경우 다음 산식에 따른 위약금을 "
                     "부담합니다: {formula} 해지하는 달에 따른 위약금은 아래 표와 같습니다.",
    termination_headings=("해지 시점", "위약금"),
    month_value="{n}개월째",
    removal="철거비",
    removal_text="설치 후 고객이 자신의 사정으로 계약을 중도 해지하는 경우 철거비(금 {fee})를 부담합니다. "
                 "계약 기간이 끝난 경우, 청약을 철회한 경우, 회사의 책임 있는 사유로 계약이 해지된 경우의 "
                 "철거는 회사의 비용으로 합니다.",
    cooling_off="청약 철회",
    cooling_off_text="고객은 계약서를 받은 날과 제품이 설치된 날 중 늦은 날부터 {days}일 이내에 이유를 밝히지 "
                     "않고 청약을 철회할 수 있습니다. 이 경우 회사는 받은 금액 전부를 돌려주며, 제품의 철거 "
                     "비용은 회사가 부담합니다.",
    late_interest="연체 이자",
    late_interest_text="고객이 렌탈료를 납부일까지 내지 않은 경우 연체된 금액에 대하여 연 {rate}%의 비율로 "
                       "일할 계산한 연체 이자를 부담합니다. 연체 이자율은 연 6%를 넘지 않습니다.",
    care="설치와 관리",
    care_text="회사는 제품을 설치 일시에 설치 주소로 배송하고 설치하며, 그 비용을 부담합니다. 포함된 방문 "
              "관리는 회사가 미리 알린 일정에 따라 제공합니다. 제품의 소유권은 계약 기간 중 회사에 있습니다.",
    end="계약의 종료",
    end_texts={
        EndOfTerm.OWNERSHIP_PASSES: "계약 기간이 끝나고 모든 렌탈료를 납부하면 제품의 소유권은 고객에게 "
                                    "넘어갑니다.",
        EndOfTerm.RETURN: "계약 기간이 끝나면 회사는 제품을 회수하고, 제품 상태를 확인한 뒤 손상에 따른 금액을 "
                          "뺀 보증금을 돌려줍니다.",
        EndOfTerm.MONTH_TO_MONTH: "계약 기간이 끝나면 계약은 같은 월 렌탈료로 한 달씩 계속되며, 고객은 위약금 "
                                  "없이 언제든지 해지할 수 있습니다.",
    },
    personal_data="개인정보의 처리",
    personal_data_text="회사는 이 계약을 위하여 다음 개인정보를 처리합니다. 고객은 동의를 거부할 수 있으나, "
                       "이 경우 계약을 체결할 수 없습니다.",
    personal_data_headings=("항목", "목적", "보유 기간"),
    consents="동의 내역",
    consents_text="고객이 서명 전에 확인한 동의서의 SHA-256 해시값은 다음과 같습니다.",
    signature="전자 서명",
    signature_text="이 계약은 고객이 전자지갑의 키로 이 문서(PDF)의 SHA-256 해시값과 위 동의서의 해시값에 "
                   "전자 서명함으로써 성립합니다. 서명은 이 문서와 별도로 보관되며(계약번호 {contract_id}), "
                   "문서가 한 글자라도 바뀌면 서명과 맞지 않습니다.",
    wording_version="약관 {version}",
)

EN = Wording(
    title="Rental contract",
    intro="The Company ({brand}) and the Customer ({customer}) agree as follows on the rental of the product "
          "below.",
    contract_no="Contract no.",
    drawn_up="Drawn up",
    page="Page {page} of {{nb}}",
    parties="The parties",
    brand="The Company",
    customer="The Customer",
    legal_name="Legal name",
    registration_number="Business registration no.",
    representative="Representative",
    address="Address",
    phone="Phone",
    name="Name",
    verified_by="Identity verified by",
    installation_address="Installation address",
    product="The product",
    product_name="Product",
    model="Model",
    description="Description",
    installation="Installation",
    installation_text="{when}. Delivery and installation are at the Company's cost and are not charged to the "
                      "Customer.",
    plan="The plan",
    term="Term",
    mandatory="Mandatory period",
    months="{n} months",
    monthly_fee="Monthly fee",
    registration_fee="Registration fee",
    deposit="Deposit",
    visits="Care visits included",
    visits_value="{n} (every {every} months)",
    no_visits="None",
    end_of_term="At the end of the term",
    end_of_term_values={EndOfTerm.OWNERSHIP_PASSES: "Ownership passes to the Customer",
                        EndOfTerm.RETURN: "The product is returned",
                        EndOfTerm.MONTH_TO_MONTH: "Continues month to month"},
    schedule="Payment schedule",
    schedule_headings=("No.", "Due", "For", "Amount"),
    kinds={PaymentKind.REGISTRATION_FEE: "Registration fee", PaymentKind.DEPOSIT: "Deposit",
           PaymentKind.MONTHLY_FEE: "Monthly fee"},
    instalment="{n}",
    schedule_total="Total",
    termination="Ending early",
    termination_text="If the Customer ends the contract for their own reasons within the mandatory period, they "
                     "pay an early-termination charge by this formula: {formula} The table shows the charge "
                     "by the month in which the contract ends.",
    termination_headings=("Ending in", "Charge"),
    month_value="month {n}",
    removal="Removal fee",
    removal_text="If the Customer ends the contract early for their own reasons after installation, they pay a "
                 "removal fee of {fee}. Removal at the end of the term, after a withdrawal in the cooling-off "
                 "period, or when the contract ends through the Company's fault is at the Company's cost.",
    cooling_off="Cooling-off period",
    cooling_off_text="The Customer may withdraw from this contract without giving a reason within {days} days "
                     "of receiving it or of the installation, whichever is later. The Company then refunds "
                     "everything paid in full and bears the cost of removing the product.",
    late_interest="Late interest",
    late_interest_text="If a payment is not made by its due date, the Customer pays late interest on the amount "
                       "overdue at {rate}% a year, counted by the day. The rate never exceeds 6% a year.",
    care="Installation and care",
    care_text="The Company delivers and installs the product at the installation address at the booked time, "
              "at its own cost. The included care visits are made on dates the Company announces in advance. "
              "The product remains the Company's property during the term.",
    end="End of the contract",
    end_texts={
        EndOfTerm.OWNERSHIP_PASSES: "When the term ends and every monthly fee has been paid, ownership of the "
                                    "product passes to the Customer.",
        EndOfTerm.RETURN: "When the term ends, the Company collects the product and, after inspecting it, "
                          "returns the deposit less any charge for damage.",
        EndOfTerm.MONTH_TO_MONTH: "When the term ends, the contract continues month to month at the same "
                                  "monthly fee, and the Customer may end it at any time without a charge.",
    },
    personal_data="Personal data",
    personal_data_text="The Company processes the following personal data for this contract. The Customer may "
                       "refuse, but the contract cannot then be made.",
    personal_data_headings=("What", "Why", "Kept for"),
    consents="Consents given",
    consents_text="SHA-256 hashes of the consent texts the Customer read before signing:",
    signature="Electronic signature",
    signature_text="This contract is made when the Customer signs, with the key of their wallet, the SHA-256 "
                   "hash of this document (PDF) and the hashes of the consents above. The signature is kept "
                   "with contract no. {contract_id}, apart from this document; if the document changes in "
                   "any way, it no longer matches the signature.",
    wording_version="Terms {version}",
)

WORDINGS: dict[ContractLanguage, Wording] = {ContractLanguage.KO: KO, ContractLanguage.EN: EN}


def _wording_characters() -> set[int]:
    text: list[str] = []
    for wording in WORDINGS.values():
        for value in vars(wording).values():
            if isinstance(value, str):
                text.append(value)
            elif isinstance(value, dict):
                text.extend(value.values())
            elif isinstance(value, tuple):
                text.extend(value)
    return {ord(c) for c in "".join(text)}


def working_codepoints() -> frozenset[int]:
    """What the working face keeps: ASCII and Latin, punctuation and symbols, Hangul jamo, the 2,350 syllables
    of KS X 1001 (nearly every name and address), and every character of the wording."""
    ks_x_1001 = {ord(bytes([high, low]).decode("euc-kr")) for high in range(0xB0, 0xC9) for low in range(0xA1, 0xFF)}
    ranges = ((0x20, 0x7F), (0xA0, 0x250), (0x2000, 0x2700), (0x3000, 0x3100), (0x3130, 0x3190), (0xFF00, 0xFFF0))
    kept = {cp for start, end in ranges for cp in range(start, end)}
    return frozenset(kept | ks_x_1001 | _wording_characters())


# --- fonts ---------------------------------------------------------------------------------------------------

_EDITOR_TABLES = frozenset({"TSI0", "TSI1", "TSI2", "TSI3", "TSI5"})


class _Face:
    """One font file, parsed once: fpdf2's font object kept as a template, copied into each document."""

    def __init__(self, path: str, style: str, codepoints: frozenset[int] | None) -> None:
        self._path = path
        self._style = style
        self._codepoints = codepoints  # None: the whole font
        self._lock = threading.Lock()
        self._data: bytes | None = None
        self._template: Any = None

    def _load(self) -> Any:
        from fontTools import subset, ttLib
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        font = ttLib.TTFont(self._path, lazy=True, recalcTimestamp=False)
        for tag in _EDITOR_TABLES & set(font.keys()):
            del font[tag]  # a font editor's sources (VTT): never used to draw, and fontTools cannot subset them
        if self._codepoints is not None:
            options = subset.Options(notdef_outline=True, recommended_glyphs=True, name_IDs=["*"], hinting=False,
                                     glyph_names=False, layout_features=[])
            options.drop_tables += ["kern", "GSUB", "GPOS", "GDEF"]
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=self._codepoints & set(font.getBestCmap()))
            cutter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        data = buffer.getvalue()
        self._data = data
        # fontTools reads a file object as well as a path: the working face never touches the disk.
        return TTFFont(FPDF(), io.BytesIO(data), f"{FAMILY}{self._style}", self._style)  # type: ignore[arg-type]

    @property
    def template(self) -> Any:
        with self._lock:
            if self._template is None:
                self._template = self._load()
            return self._template

    @cached_property
    def codepoints(self) -> frozenset[int]:
        return frozenset(self.template.cmap)

    def install(self, document: Any) -> None:
        """Put a fresh copy of this face into an FPDF document, as `add_font` would."""
        from fontTools import ttLib
        from fpdf.fonts import SubsetMap

        template = self.template
        font = copy.copy(template)
        font.i = len(document.fonts) + 1
        # fpdf2 subsets the font object in place when it writes the PDF: each document gets its own, opened
        # lazily, with bounding boxes kept as they are (recomputing them is most of the time a write takes).
        assert self._data is not None
        font.ttfont = ttLib.TTFont(io.BytesIO(self._data), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        document.fonts[font.fontkey] = font


class ContractFonts:
    """The regular and bold faces, each as a working face and (for rare characters) the whole font."""

    def __init__(self, regular: str, bold: str | None = None) -> None:
        kept = working_codepoints()
        bold = bold or regular
        self._working = (_Face(regular, "", kept), _Face(bold, "B", kept))
        self._whole = (_Face(regular, "", None), _Face(bold, "B", None))

    @classmethod
    def from_machine(cls) -> ContractFonts:
        """The fonts with Hangul the wallet's cards use; raises ContractFontMissing when there is none."""
        regular = hangul_font_path()
        if regular is None:
            raise ContractFontMissing("no font with Hangul found (install fonts-nanum)")
        return cls(regular, hangul_font_path(bold=True))

    def warm(self) -> None:
        """Parse the working faces now (about a second), so the first contract is as fast as the rest."""
        for face in self._working:
            face.template  # noqa: B018  (loading is the point)

    def faces_for(self, characters: set[int]) -> tuple[_Face, _Face]:
        """The working faces when they have every character, else the whole fonts; raises UnprintableText."""
        if characters <= self._working[0].codepoints and characters <= self._working[1].codepoints:
            return self._working
        missing = characters - self._whole[0].codepoints
        if missing:
            raise UnprintableText("".join(sorted(chr(c) for c in missing)))
        return self._whole


# --- rendering -----------------------------------------------------------------------------------------------

def _strings(document: ContractDocument) -> Iterable[str]:
    """Every text of the document that the wording does not hold (names, addresses, descriptions...)."""
    business = document.brand.business
    yield from (document.contract_id, document.brand.name, business.legal_name, business.registration_number,
                business.representative, business.address, business.phone, document.customer.name,
                document.customer.verified_by, document.customer.address, document.product.name,
                document.product.model, document.product.description, document.termination_formula,
                *document.consent_hashes)
    for term in document.personal_data:
        yield from (term.what, term.why, term.kept_for)


class ContractRenderer:
    """Renders a `ContractDocument` to PDF bytes; `render` runs it off the event loop."""

    def __init__(self, fonts: ContractFonts) -> None:
        self._fonts = fonts

    async def render(self, document: ContractDocument) -> bytes:
        return await asyncio.to_thread(self.pdf, document)

    def pdf(self, document: ContractDocument) -> bytes:
        """The contract as an A4 PDF; the same document gives the same bytes. Raises UnprintableText."""
        wording = WORDINGS[document.language]
        characters = {ord(c) for text in _strings(document) for c in text}
        characters |= {ord(c) for c in self._dynamic_text(document, wording)}
        regular, bold = self._fonts.faces_for(characters - {0x0A})
        def install(pdf: Any) -> None:
            regular.install(pdf)
            bold.install(pdf)

        page = _ContractPage(document, wording, install)
        page.draw()
        return bytes(page.output())

    @staticmethod
    def _dynamic_text(document: ContractDocument, wording: Wording) -> str:
        """Formatted dates and amounts (their digits and signs may come from Babel's locale data)."""
        writer = _Writer(document)
        amounts = [document.plan.monthly_fee, document.plan.registration_fee, document.plan.deposit,
                   document.removal_fee, *(row.amount for row in document.schedule)]
        amounts += [cost for _, cost in document.termination_costs]
        return "".join([*(writer.money(a) for a in amounts), *(writer.day(row.due) for row in document.schedule),
                        writer.moment(document.installation_at), writer.moment(document.drawn_up_at)])


class _Writer:
    """Dates, times and amounts as the document's language writes them, in its timezone."""

    def __init__(self, document: ContractDocument) -> None:
        self.locale = document.language.value
        self.zone = ZoneInfo(document.timezone)

    def money(self, amount: Money) -> str:
        return format_money(amount, self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="long" if self.locale == "ko" else "d MMM y", locale=self.locale)

    def moment(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        pattern = "y년 M월 d일 (E) HH:mm" if self.locale == "ko" else "EEE d MMMM y, HH:mm"
        return format_datetime(local, pattern, tzinfo=self.zone, locale=self.locale)


def _fpdf_class() -> type:
    from fpdf import FPDF

    class ContractPdf(FPDF):  # type: ignore[misc]
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, "", 7.5)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, self.footer_text.format(page=self.page_no()), align="C")

    return ContractPdf


class _ContractPage:
    """One contract being drawn: each section in order, on A4 with a footer naming the contract."""

    MARGIN = 16.0
    LINE = 5.0

    def __init__(self, document: ContractDocument, wording: Wording, install: Callable[[Any], None]) -> None:
        self.doc = document
        self.w = wording
        self.fmt = _Writer(document)
        self.pdf: Any = _fpdf_class()(orientation="portrait", unit="mm", format="A4")
        install(self.pdf)
        pdf = self.pdf
        pdf.set_margins(self.MARGIN, self.MARGIN, self.MARGIN)
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_creation_date(document.drawn_up_at)
        pdf.set_title(f"{wording.title} {document.contract_id}")
        pdf.set_author(document.brand.business.legal_name)
        pdf.set_subject(document.product.name)
        pdf.set_creator("jigap")
        pdf.set_lang(document.language.value)
        pdf.footer_text = "  ·  ".join((f"{wording.contract_no} {document.contract_id}",
                                        wording.wording_version.format(version=WORDING_VERSION), wording.page))
        self.section_number = 0

    def output(self) -> bytearray:
        return self.pdf.output()  # type: ignore[no-any-return]

    # --- building blocks ---

    def heading(self, title: str) -> None:
        self.section_number += 1
        pdf = self.pdf
        if pdf.will_page_break(22):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 11)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 7, f"{self.section_number}. {title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*RULE)
        pdf.line(self.MARGIN, pdf.get_y(), pdf.w - self.MARGIN, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "", 9.5)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font(FAMILY, "", 9.5)
        self.pdf.multi_cell(0, self.LINE, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def grid(self, rows: Sequence[Sequence[str]], widths: Sequence[float], *, align: Sequence[str],
             bold_last: bool = False) -> None:
        """A table of one-line cells, its first row the headings (drawn again atop a new page). Plain cells:
        fpdf2's own tables measure every cell twice, which was most of a contract's drawing time."""
        pdf = self.pdf
        height = self.LINE + 1.2
        headings, body = rows[0], rows[1:]
        self._grid_row(headings, widths, align, height, heading=True)
        for index, values in enumerate(body):
            if pdf.will_page_break(height):
                pdf.add_page()
                self._grid_row(headings, widths, align, height, heading=True)
            self._grid_row(values, widths, align, height, bold=bold_last and index == len(body) - 1)
        pdf.ln(2)

    def _grid_row(self, values: Sequence[str], widths: Sequence[float], align: Sequence[str], height: float, *,
                  heading: bool = False, bold: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if heading or bold else "", 9)
        pdf.set_fill_color(*SHADE)
        for value, width, side in zip(values, widths, align, strict=True):
            pdf.cell(width, height, value, align=side, fill=heading)
        pdf.ln(height)
        pdf.set_draw_color(*RULE)
        pdf.line(self.MARGIN, pdf.get_y(), self.MARGIN + sum(widths), pdf.get_y())

    def label_table(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label and value rows; a value may wrap onto several lines."""
        widths = (self.pdf.epw * 0.3, self.pdf.epw * 0.7)
        for label, value in pairs:
            self._wrapped_row((label, value), widths, bold=(True, False))
        self.pdf.ln(2)

    def wrapped_grid(self, rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        """A table whose cells may wrap; the first row is the headings."""
        self._wrapped_row(rows[0], widths, bold=(True,) * len(widths), fill=True)
        for values in rows[1:]:
            self._wrapped_row(values, widths, bold=(False,) * len(widths))
        self.pdf.ln(2)

    def _wrapped_row(self, values: Sequence[str], widths: Sequence[float], *, bold: Sequence[bool],
                     fill: bool = False) -> None:
        pdf = self.pdf
        padding = 0.6
        lines = []
        for value, width, strong in zip(values, widths, bold, strict=True):
            pdf.set_font(FAMILY, "B" if strong else "", 9)
            lines.append(len(pdf.multi_cell(width, self.LINE, value, dry_run=True, output="LINES")))
        height = max(lines) * self.LINE + 2 * padding
        if pdf.will_page_break(height):
            pdf.add_page()
        top, left = pdf.get_y(), self.MARGIN
        pdf.set_fill_color(*SHADE)
        if fill:
            pdf.rect(left, top, sum(widths), height, style="F")
        for value, width, strong in zip(values, widths, bold, strict=True):
            pdf.set_font(FAMILY, "B" if strong else "", 9)
            pdf.set_xy(left, top + padding)
            pdf.multi_cell(width, self.LINE, value)
            left += width
        pdf.set_xy(self.MARGIN, top + height)
        pdf.set_draw_color(*RULE)
        pdf.line(self.MARGIN, top + height, self.MARGIN + sum(widths), top + height)

    # --- the contract ---

    def draw(self) -> None:
        pdf, w, doc = self.pdf, self.w, self.doc
        pdf.add_page()
        pdf.set_font(FAMILY, "B", 18)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 10, w.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 9)
        pdf.set_text_color(*INK)
        pdf.cell(0, 5, f"{w.contract_no}: {doc.contract_id}    {w.drawn_up}: {self.fmt.moment(doc.drawn_up_at)}",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        self.paragraph(w.intro.format(brand=doc.brand.name, customer=doc.customer.name))
        for section in (self.parties, self.product, self.plan, self.schedule, self.termination, self.clauses,
                        self.personal_data, self.consents):
            section()

    def parties(self) -> None:
        w, doc = self.w, self.doc
        business = doc.brand.business
        self.heading(w.parties)
        self.label_table([
            (w.brand, doc.brand.name), (w.legal_name, business.legal_name),
            (w.registration_number, business.registration_number), (w.representative, business.representative),
            (w.address, business.address), (w.phone, business.phone),
            (w.customer, doc.customer.name), (w.verified_by, doc.customer.verified_by),
            (w.installation_address, doc.customer.address),
        ])

    def product(self) -> None:
        w, doc = self.w, self.doc
        self.heading(w.product)
        self.label_table([
            (w.product_name, doc.product.name), (w.model, doc.product.model),
            (w.description, doc.product.description),
            (w.installation, w.installation_text.format(when=self.fmt.moment(doc.installation_at))),
        ])

    def plan(self) -> None:
        w, plan = self.w, self.doc.plan
        self.heading(w.plan)
        visits = (w.visits_value.format(n=plan.included_visits, every=plan.visit_every_months)
                  if plan.included_visits else w.no_visits)
        self.label_table([
            (w.term, w.months.format(n=plan.term_months)), (w.mandatory, w.months.format(n=plan.mandatory_months)),
            (w.monthly_fee, self.fmt.money(plan.monthly_fee)), (w.registration_fee, self.fmt.money(plan.registration_fee)),
            (w.deposit, self.fmt.money(plan.deposit)), (w.visits, visits),
            (w.end_of_term, w.end_of_term_values[plan.end_of_term]),
        ])

    def schedule(self) -> None:
        w, doc = self.w, self.doc
        self.heading(w.schedule)
        rows: list[Sequence[str]] = [w.schedule_headings]
        for row in doc.schedule:
            number = w.instalment.format(n=row.instalment) if row.instalment is not None else ""
            rows.append((number, self.fmt.day(row.due), w.kinds[row.kind], self.fmt.money(row.amount)))
        rows.append(("", "", w.schedule_total, self.fmt.money(total((r.amount for r in doc.schedule), doc.currency))))
        width = self.pdf.w - 2 * self.MARGIN
        self.grid(rows, (width * 0.14, width * 0.3, width * 0.3, width * 0.26), align=("L", "L", "L", "R"),
                  bold_last=True)

    def termination(self) -> None:
        w, doc = self.w, self.doc
        self.heading(w.termination)
        self.paragraph(w.termination_text.format(formula=doc.termination_formula.strip()))
        costs = doc.termination_costs
        if not costs:
            return
        # Month by month in side-by-side column pairs: a 60-month table fits half a page.
        pairs = 3 if len(costs) <= 36 else 4
        per_column = -(-len(costs) // pairs)
        columns = [costs[i:i + per_column] for i in range(0, len(costs), per_column)]
        rows: list[list[str]] = [[text for _ in columns for text in w.termination_headings]]
        for index in range(per_column):
            row: list[str] = []
            for column in columns:
                if index < len(column):
                    month, cost = column[index]
                    row += [w.month_value.format(n=month), self.fmt.money(cost)]
                else:
                    row += ["", ""]
            rows.append(row)
        width = (self.pdf.w - 2 * self.MARGIN) / len(columns)
        self.grid(rows, [width * 0.45, width * 0.55] * len(columns), align=["L", "R"] * len(columns))

    def clauses(self) -> None:
        w, doc = self.w, self.doc
        for title, text in (
            (w.removal, w.removal_text.format(fee=self.fmt.money(doc.removal_fee))),
            (w.cooling_off, w.cooling_off_text.format(days=doc.cooling_off_days)),
            (w.late_interest, w.late_interest_text.format(rate=doc.late_interest_percent)),
            (w.care, w.care_text),
            (w.end, w.end_texts[doc.plan.end_of_term]),
        ):
            self.heading(title)
            self.paragraph(text)

    def personal_data(self) -> None:
        w, doc = self.w, self.doc
        self.heading(w.personal_data)
        self.paragraph(w.personal_data_text)
        width = self.pdf.w - 2 * self.MARGIN
        rows = [w.personal_data_headings, *((t.what, t.why, t.kept_for) for t in doc.personal_data)]
        self.wrapped_grid(rows, (width * 0.32, width * 0.43, width * 0.25))

    def consents(self) -> None:
        w, doc = self.w, self.doc
        self.heading(w.consents)
        self.paragraph(w.consents_text)
        self.pdf.set_font(FAMILY, "", 8)
        for digest in doc.consent_hashes:
            self.pdf.cell(0, 4.5, digest, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)
        self.heading(w.signature)
        self.paragraph(w.signature_text.format(contract_id=doc.contract_id))


# --- signing and checking ------------------------------------------------------------------------------------

class HolderKeySigner:
    """The domain's `ContractSigner`: the customer's holder key in the wallet, after their PIN."""

    def __init__(self, wallet: Wallet) -> None:
        self._wallet = wallet

    async def begin(self, holder_id: int, subject: str, *, chat_id: int, title: str = "") -> str:
        """Open the PIN keypad for signing `subject` (a `SigningPayload.subject`); the flow's id. Raises PinLocked."""
        flow = await wallet_signing.begin_signing(self._wallet, holder_id, subject, chat_id=chat_id, title=title)
        return flow.id

    async def sign(self, holder_id: int, pin_flow_id: str, payload: SigningPayload) -> str:
        try:
            signed = await wallet_signing.sign_after_pin(self._wallet, holder_id, pin_flow_id, payload.subject,
                                                         payload.to_bytes(), typ=CONTRACT_SIGNATURE_TYP)
        except wallet_signing.SigningRefused as refused:
            raise ContractSigningRefused(refused.reason) from refused
        return signed.jws


def check_contract_signature(pdf: bytes, signature: str, *,
                             expected_consent_hashes: Iterable[str] | None = None) -> ContractSignatureCheck:
    """Offline: does `signature` (a compact JWS) hold over this PDF, and who signed it when."""
    expected = None if expected_consent_hashes is None else frozenset(expected_consent_hashes)
    return verify_contract_signature(pdf, signature, wallet_signing.embedded_key_signature,
                                     expected_consent_hashes=expected)
