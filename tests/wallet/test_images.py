"""Card, QR and result images: what they show, that Korean renders, and that a photographed
QR reads back."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageDraw, ImageFilter

from wallet.credentials import present_card
from wallet.images.card import CARD_SIZE, CardView, render_card, render_card_png
from wallet.images.fonts import font, font_from, hangul_font_path
from wallet.images.qr import qr_image, qr_png
from wallet.images.result import ResultView, render_result
from wallet.qr_payload import encode_qr_payload
from wallet.qr_reader import read_presentation_qr, read_qr
from wallet.status_list import CredentialStatus, StatusCheck
from wallet.verifier import verify_presentation

if TYPE_CHECKING:
    from tests.wallet.conftest import WalletWorld

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
RED, AMBER = (192, 57, 43), (230, 145, 20)


def _card(world: WalletWorld, status: CredentialStatus = CredentialStatus.VALID) -> Image.Image:
    view = CardView(
        world.licence, world.issuer.name, world.credential.claims, world.credential.expires_at, status
    )
    return render_card(view, language="ko")


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 30) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_the_card_is_an_id_card_shaped_png_with_rounded_transparent_corners(world: WalletWorld) -> None:
    view = CardView(world.licence, world.issuer.name, world.credential.claims, world.credential.expires_at)
    image = Image.open(io.BytesIO(render_card_png(view)))
    assert image.size == CARD_SIZE and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert image.getpixel((CARD_SIZE[0] // 2, CARD_SIZE[1] // 2))[3] == 255  # type: ignore[index]


def test_a_revoked_card_carries_a_red_band_and_a_suspended_one_amber(world: WalletWorld) -> None:
    middle = (20, CARD_SIZE[1] // 2)
    assert _close(_card(world, CredentialStatus.INVALID).getpixel(middle), RED)  # type: ignore[arg-type]
    assert _close(_card(world, CredentialStatus.SUSPENDED).getpixel(middle), AMBER)  # type: ignore[arg-type]
    assert not _close(_card(world).getpixel(middle), RED)  # type: ignore[arg-type]


def test_the_card_never_draws_the_full_licence_number(world: WalletWorld) -> None:
    # Draw the same text both ways and compare to what the card shows in the number slot.
    card = _card(world)
    masked = Image.new("RGBA", (400, 50))
    full = Image.new("RGBA", (400, 50))
    ImageDraw.Draw(masked).text((0, 0), "11-24-******-78", font=font(32, bold=True), fill="white")
    ImageDraw.Draw(full).text((0, 0), "11-24-123456-78", font=font(32, bold=True), fill="white")
    assert masked.tobytes() != full.tobytes()
    slot = card.crop((312, 352, 712, 402)).convert("L").point(lambda v: 255 if v > 200 else 0)
    expect = masked.convert("L").point(lambda v: 255 if v > 128 else 0)
    wrong = full.convert("L").point(lambda v: 255 if v > 128 else 0)
    diff_masked = sum(a != b for a, b in zip(slot.tobytes(), expect.tobytes(), strict=True))
    diff_full = sum(a != b for a, b in zip(slot.tobytes(), wrong.tobytes(), strict=True))
    assert diff_masked < diff_full


def test_a_hangul_font_is_found_and_draws_real_glyphs() -> None:
    path = hangul_font_path()
    if path is None:
        pytest.skip("no Hangul font installed (fonts-nanum or fonts-noto-cjk)")
    glyphs = {}
    for text in ("가", "나", "\uffff"):
        canvas = Image.new("L", (60, 60))
        ImageDraw.Draw(canvas).text((5, 5), text, font=font(40), fill=255)
        glyphs[text] = canvas.tobytes()
    assert glyphs["가"] != glyphs["나"]  # distinct glyphs, not the same missing-glyph box


def test_without_a_usable_font_file_the_fallback_font_still_draws_text(tmp_path: Path) -> None:
    not_a_font = tmp_path / "broken.ttf"
    not_a_font.write_bytes(b"this is not a font")
    for fallback in (font_from(None, 24), font_from(str(not_a_font), 24)):
        canvas = Image.new("L", (200, 40))
        ImageDraw.Draw(canvas).text((0, 0), "Valid", font=fallback, fill=255)
        assert canvas.getbbox() is not None


def test_the_result_card_is_green_when_valid_and_shows_only_disclosed_claims(world: WalletWorld) -> None:
    shown = present_card(
        world.credential.sd_jwt,
        world.licence,
        preset="age_over_19_only",
        holder_key=world.holder,
        aud="a",
        nonce="n",
        now=NOW,
    )
    result = verify_presentation(shown, issuers=world.issuers, now=NOW)
    image = render_result(ResultView(result, world.licence), language="en")
    assert _close(image.getpixel((450, 10)), (30, 132, 73))  # type: ignore[arg-type]
    everything = present_card(
        world.credential.sd_jwt,
        world.licence,
        preset="everything",
        holder_key=world.holder,
        aud="a",
        nonce="n",
        now=NOW,
    )
    full = verify_presentation(everything, issuers=world.issuers, now=NOW)
    taller = render_result(ResultView(full, world.licence), language="en")
    # One row per disclosed claim: the card grows by exactly the extra rows.
    assert taller.height - image.height == (len(full.disclosed_claims) - 1) * 74


def test_the_result_card_is_red_with_the_reason_when_revoked(world: WalletWorld) -> None:
    shown = present_card(
        world.credential.sd_jwt,
        world.licence,
        preset="everything",
        holder_key=world.holder,
        aud="a",
        nonce="n",
        now=NOW,
    )
    revoked = verify_presentation(
        shown, issuers=world.issuers, now=NOW, status=lambda ref, iss: StatusCheck(1)
    )
    image = render_result(ResultView(revoked, world.licence), language="ko")
    assert _close(image.getpixel((450, 10)), RED)  # type: ignore[arg-type]
    assert image.height < 500  # no claims drawn for an invalid presentation


def _perspective_coefficients(
    target: list[tuple[float, float]], source: list[tuple[float, float]]
) -> list[float]:
    """The 8 coefficients mapping output corners `target` to input corners `source` (Gaussian elimination)."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    for col in range(8):
        pivot = max(range(col, 8), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(8):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][8] / rows[i][i] for i in range(8)]


def _phone_photo(qr: Image.Image, seed: int) -> bytes:
    """Scale, rotate, blur, add noise and a warm cast: a phone's picture of a screen."""
    rng = random.Random(seed)
    scene = Image.new("RGB", (qr.width + 400, qr.height + 400), (rng.randint(150, 220),) * 3)
    scene.paste(qr.convert("RGB"), (200, 200))
    scene = scene.rotate(
        rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(180, 170, 160)
    )
    # A camera held at a slight angle: a perspective (keystone) distortion.
    w, h = scene.size
    skew = rng.uniform(0.02, 0.06)
    coeffs = _perspective_coefficients(
        [(0, 0), (w, 0), (w, h), (0, h)],
        [(w * skew, h * skew / 2), (w * (1 - skew / 3), 0), (w, h), (0, h * (1 - skew))],
    )
    scene = scene.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(180, 170, 160)
    )
    scale = rng.uniform(0.85, 1.3)
    scene = scene.resize((int(scene.width * scale), int(scene.height * scale)), Image.Resampling.BILINEAR)
    scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.4)))
    noise = Image.effect_noise(scene.size, 28).convert("RGB")
    scene = Image.blend(scene, noise, 0.18)
    warm = Image.new("RGB", scene.size, (255, 200, 150))
    scene = Image.blend(scene, warm, 0.12)
    buffer = io.BytesIO()
    scene.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_photographed_presentation_qr_reads_back_and_verifies(world: WalletWorld, seed: int) -> None:
    shown = present_card(
        world.credential.sd_jwt,
        world.licence,
        preset="everything",
        holder_key=world.holder,
        aud="a",
        nonce="n",
        now=NOW,
    )
    photo = _phone_photo(qr_image(encode_qr_payload(shown)), seed)
    text = read_presentation_qr(photo)
    assert text == shown
    assert verify_presentation(text, issuers=world.issuers, now=NOW + timedelta(seconds=10)).valid


def test_images_without_a_qr_or_not_images_read_as_none() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (255, 255, 255)).save(buffer, format="PNG")
    assert read_qr(buffer.getvalue()) is None
    assert read_qr(b"not an image") is None


def test_the_qr_png_has_whole_pixel_modules_and_a_quiet_zone() -> None:
    image = Image.open(io.BytesIO(qr_png("eyJ" + "x" * 1500)))
    assert image.getpixel((0, 0)) == 255 and image.getpixel((image.width - 1, image.height - 1)) == 255
    assert image.width >= 600


def test_the_card_for_telegram_is_a_jpeg_with_corners_on_the_chosen_background(world: WalletWorld) -> None:
    from wallet.images.card import render_card_jpeg

    view = CardView(world.licence, world.issuer.name, world.credential.claims, world.credential.expires_at)
    image = Image.open(io.BytesIO(render_card_jpeg(view, background=(255, 255, 255))))
    assert image.format == "JPEG" and image.size == CARD_SIZE
    assert _close(image.getpixel((1, 1)), (255, 255, 255), 12)  # type: ignore[arg-type]
