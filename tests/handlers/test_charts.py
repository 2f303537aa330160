"""The chart renderer: real PNGs of the promised size with something drawn on them, Hangul in a font that has
it, a clear picture for no data, no figure left behind, matplotlib imported only when a chart is drawn, and
drawing off the event loop."""

from __future__ import annotations

import asyncio
import gc
import io
import subprocess
import sys
import threading
import warnings

import pytest
from PIL import Image, ImageChops

from bot.bootstrap import charts_with_hangul
from handlers.core.charts import ChartDataMismatch, Charts, Series
from wallet.images.fonts import hangul_font_path

MONTHS = ["12월\n2025", *(f"{month}월" for month in range(1, 12))]


@pytest.fixture(scope="module")
def charts() -> Charts:
    assert hangul_font_path() is not None, "fonts-nanum (or another font with Hangul) is installed"
    return charts_with_hangul()


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


def _inked(image: Image.Image) -> int:
    """How many pixels are not the white background."""
    white = Image.new("RGB", image.size, "white")
    return sum(ImageChops.difference(image, white).convert("L").histogram()[41:])


def _earnings(charts: Charts, title: str = "하나의 부엌: 월별 수익") -> bytes:
    return charts.stacked_bars(
        title, MONTHS,
        [Series("구독", [4900.0 * i for i in range(12)]), Series("단건 게시물", [1000.0] * 12),
         Series("후원", [0.0] * 11 + [5000.0])],
        unit="수익 (KRW)", no_data="아직 수익이 없어요", line=Series("구독자", [float(i) for i in range(12)]),
        line_label="월말 구독자 수")


def test_stacked_bars_draw_a_phone_sized_png_with_bars_in_the_first_sources_colour(charts: Charts) -> None:
    image = _image(_earnings(charts))
    assert image.size == (1200, 800)
    assert _inked(image) > 40_000
    colours = {colour for _count, colour in image.getcolors(1_000_000) or []}
    assert (0x00, 0x72, 0xB2) in colours  # the subscriptions' bars
    assert (0xD5, 0x5E, 0x00) in colours  # the subscribers' line


def test_hangul_renders_in_a_font_that_has_it_without_missing_glyph_warnings(charts: Charts) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _earnings(charts)
        charts.bars("가장 바쁜 시간", [f"{hour}시" for hour in range(24)], [float(hour % 5) for hour in range(24)],
                    unit="사용 횟수", no_data="아직 데이터가 없어요")
    assert [str(warning.message) for warning in caught if "missing from font" in str(warning.message)] == []


def test_without_a_hangul_font_the_same_title_misses_glyphs_but_still_draws() -> None:
    """The check above can fail: matplotlib's own font has no Hangul and says so."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = _image(_earnings(Charts(), title="수익"))
    assert image.size == (1200, 800)
    assert any("missing from font" in str(warning.message) for warning in caught)


def test_lines_over_a_month_and_bars_over_a_day_draw(charts: Charts) -> None:
    days = [str(day) for day in range(1, 31)]
    line = _image(charts.time_series("Daily redemptions", days, [Series("Americanos", [float(d % 7) for d in range(30)]),
                                                                 Series("Lattes", [2.5] * 30)],
                                     unit="Cups", no_data="No data yet"))
    bars = _image(charts.bars("Busiest hours", [f"{h}:00" for h in range(24)], [float(h) for h in range(24)],
                              unit="Redemptions", no_data="No data yet"))
    assert line.size == bars.size == (1200, 800)
    assert _inked(line) > 10_000 and _inked(bars) > 30_000


def test_no_data_draws_a_picture_that_says_so_instead_of_failing(charts: Charts) -> None:
    empty = _image(charts.stacked_bars("수익", MONTHS, [Series("구독", [0.0] * 12)], unit="KRW",
                                       no_data="아직 수익이 없어요", line=Series("구독자", [0.0] * 12)))
    nothing = _image(charts.time_series("수익", [], [], unit="KRW", no_data="아직 수익이 없어요"))
    no_bars = _image(charts.bars("수익", [], [], unit="KRW", no_data="아직 수익이 없어요"))
    assert empty.size == nothing.size == no_bars.size == (1200, 800)
    # Only the title and the words: far less ink than any chart, and not none.
    assert 1_000 < _inked(empty) < 20_000
    assert _inked(empty) < _inked(_image(_earnings(charts))) / 3


def test_a_series_of_the_wrong_length_is_refused_by_name(charts: Charts) -> None:
    with pytest.raises(ChartDataMismatch):
        charts.stacked_bars("수익", MONTHS, [Series("구독", [1.0, 2.0])], unit="KRW", no_data="-")


def test_two_hundred_charts_leave_no_figure_behind(charts: Charts) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for index in range(200):
        charts.bars("시간", ["0", "1", "2"], [1.0, float(index), 3.0], unit="회", no_data="-")
    gc.collect()
    assert plt.get_fignums() == []
    assert [thing for thing in gc.get_objects() if isinstance(thing, Figure)] == []


async def test_render_draws_in_a_worker_thread_while_the_event_loop_goes_on(charts: Charts) -> None:
    threads: list[str] = []

    def draw() -> bytes:
        threads.append(threading.current_thread().name)
        return _earnings(charts)

    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    try:
        pictures = await asyncio.gather(*(charts.render(draw) for _ in range(3)))
    finally:
        ticker.cancel()
    assert all(_image(picture).size == (1200, 800) for picture in pictures)
    assert threads and threading.main_thread().name not in threads
    assert ticks >= 3  # the loop kept running while the charts were drawn


def test_importing_the_renderer_does_not_import_matplotlib() -> None:
    code = "import sys, handlers.core.charts, bot.bootstrap; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "False"
