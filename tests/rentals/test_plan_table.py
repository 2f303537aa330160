"""The plan table: a real PNG of the promised size, Hangul in a font that has it, the cheapest total marked (and
only when there is a cheaper plan), amounts never cut, bad input refused by name, drawing off the event loop."""

from __future__ import annotations

import dataclasses
import io
import warnings

import pytest
from PIL import Image

from bot.bootstrap import hangul_fonts
from handlers.rentals.plan_table import PlanRow, PlanTableLabels, PlanTableMismatch, PlanTables
from wallet.images.fonts import hangul_font_path

LABELS = PlanTableLabels(plan="요금제", monthly_fee="월 렌탈료", total="총 렌탈료", mandatory_period="의무 사용 기간",
                         early_termination="중도 해지 시 위약금", checkpoints=("6개월", "12개월", "24개월", "만기"),
                         cheapest="최저 총액")
STANDARD = PlanRow("스탠다드", "36개월", "29,900원", "1,076,400원", "36개월",
                   ("89,700원", "71,760원", "35,880원", "없음"), 1_076_400)
LONG = PlanRow("롱텀", "60개월", "24,900원", "1,494,000원", "36개월", ("74,700원", "59,760원", "29,880원", "없음"),
               1_494_000)
SHORT = PlanRow("숏텀 셀프관리", "18개월", "39,900원", "718,200원", "18개월", ("47,880원", "23,940원", "없음", "없음"),
                718_200)
TITLE = "홈라인 정수기 렌탈 요금제 비교"
FOOTNOTE = "중도 해지 위약금: 의무 사용 기간 중 남은 렌탈료의 10%"
TINT = (0xE6, 0xF1, 0xFA)
ACCENT = (0x00, 0x72, 0xB2)


@pytest.fixture(scope="module")
def tables() -> PlanTables:
    assert hangul_font_path() is not None, "fonts-nanum (or another font with Hangul) is installed"
    return PlanTables(hangul_fonts())


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


def _count(image: Image.Image, colour: tuple[int, int, int], left: int, right: int) -> int:
    """Pixels of exactly `colour` between x = left and right."""
    strip = image.crop((left, 0, right, image.height))
    return sum(count for count, found in strip.getcolors(1_000_000) or [] if found == colour)


def test_three_plans_draw_a_photo_sized_png(tables: PlanTables) -> None:
    png = tables.draw(TITLE, LABELS, [STANDARD, LONG, SHORT], footnote=FOOTNOTE)
    image = _image(png)
    # 40 px margins, a 300 px headings column, 260 px a plan; the title, header, 3 rows, a heading, 4 checkpoints
    assert image.size == (1160, 862)
    assert 20_000 < len(png) < 1_000_000


def test_one_plan_is_a_card_no_narrower_than_800_pixels(tables: PlanTables) -> None:
    image = _image(tables.draw(TITLE, LABELS, [STANDARD]))
    assert image.size == (800, 806)


def test_hangul_renders_in_a_font_that_has_it_without_missing_glyph_warnings(tables: PlanTables) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables.draw(TITLE, LABELS, [STANDARD, LONG, SHORT], footnote=FOOTNOTE)
    assert [str(warning.message) for warning in caught if "missing from font" in str(warning.message)] == []


def test_without_a_hangul_font_the_same_table_misses_glyphs_but_still_draws() -> None:
    """The check above can fail: matplotlib's own font has no Hangul and says so."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = _image(PlanTables().draw(TITLE, LABELS, [STANDARD]))
    assert image.size == (800, 806)
    assert any("missing from font" in str(warning.message) for warning in caught)


def test_the_cheapest_total_is_tinted_and_framed_and_no_other_plan_is(tables: PlanTables) -> None:
    image = _image(tables.draw(TITLE, LABELS, [STANDARD, LONG, SHORT]))
    columns = [(340 + 260 * index, 340 + 260 * (index + 1)) for index in range(3)]
    tint = [_count(image, TINT, left, right) for left, right in columns]
    accent = [_count(image, ACCENT, left, right) for left, right in columns]
    assert tint[2] > 100_000 and tint[0] == tint[1] == 0
    assert accent[2] > 3_000 and accent[0] == accent[1] == 0


def test_plans_that_cost_the_same_or_a_single_plan_mark_none(tables: PlanTables) -> None:
    same = _image(tables.draw(TITLE, LABELS, [STANDARD, dataclasses.replace(STANDARD, name="스탠다드 B")]))
    single = _image(tables.draw(TITLE, LABELS, [SHORT]))
    for image in (same, single):
        assert _count(image, TINT, 0, image.width) == 0 and _count(image, ACCENT, 0, image.width) == 0


def test_six_plans_with_long_names_still_fit_the_largest_photo(tables: PlanTables) -> None:
    plans = [PlanRow(f"Standard with filter care {n}", f"{12 * n} months", "KRW 29,900", f"KRW {1_076_400 + n:,}",
                     "36 months", ("KRW 89,700", "KRW 71,760", "KRW 35,880", "none"), 1_076_400 + n)
             for n in range(6)]
    assert _image(tables.draw("Plans compared", LABELS, plans)).size[0] == 1280


@pytest.mark.parametrize("plans", [[], [STANDARD] * 7,
                                   [PlanRow("짧은", "12개월", "1원", "12원", "12개월", ("1원",), 12)]])
def test_a_table_that_cannot_be_drawn_is_refused_by_name(tables: PlanTables, plans: list[PlanRow]) -> None:
    with pytest.raises(PlanTableMismatch):
        tables.draw(TITLE, LABELS, plans)


async def test_render_draws_in_a_worker_thread_and_gives_the_same_picture(tables: PlanTables) -> None:
    assert await tables.render(TITLE, LABELS, [STANDARD, SHORT]) == tables.draw(TITLE, LABELS, [STANDARD, SHORT])
