"""Every user-facing string in the code has a Korean translation, with the same placeholders, that reads as
Korean: particles that agree with the values put in, and one politeness level (해요체) throughout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import PARTICLES, Translations, particle
from wallet.images.texts import KOREAN as KOREAN_IMAGE_TEXTS

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"tr": None, "plural": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w+)(?::[^{}]*)?\}")


def messages_in_code() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return {message for message in found if message}


def korean_catalog() -> dict[str, str]:
    with (ROOT / "bot/locale/ko/LC_MESSAGES/jigap.po").open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    return {str(m.id if isinstance(m.id, str) else m.id[0]): str(m.string if isinstance(m.string, str) else m.string[0])
            for m in catalog if m.id}


# Values a placeholder may get, ending in each sound a particle tells apart: a vowel, ㄹ, another consonant.
SAMPLES = {"vowel": "카드", "rieul": "서울", "consonant": "운전면허증"}
TEMPLATE_PARTICLES = ("(를)", "(을)", "(가)", "(이)", "(은)", "(는)", "(과)", "(와)", "(으)로", "(이)라")
PARTICLE_AFTER = re.compile("(" + "|".join(SAMPLES.values()) + ")(" + "|".join(
    sorted(PARTICLES, key=len, reverse=True)) + ")")


def rendered_korean(sample: str) -> dict[str, str]:
    """Every Korean message as a user reads it, each placeholder filled with `sample`."""
    tr = Translations(("ko",)).get("ko")
    return {message: tr(message, **dict.fromkeys(PLACEHOLDER.findall(message), sample))
            for message in korean_catalog()}


def test_every_message_in_the_code_has_a_korean_translation() -> None:
    catalog = korean_catalog()
    code = messages_in_code()
    assert len(code) > 30
    missing = sorted(message for message in code if not catalog.get(message))
    assert missing == []


def test_translations_keep_the_placeholders() -> None:
    mismatched = {
        message: text for message, text in korean_catalog().items()
        if text and set(PLACEHOLDER.findall(message)) != set(PLACEHOLDER.findall(text))
    }
    assert mismatched == {}


def test_language_is_picked_from_choice_then_telegram_then_default() -> None:
    translations = Translations(("ko", "en"), default="ko")
    assert translations.pick("en", "ko") == "en"
    assert translations.pick(None, "en-US") == "en"
    assert translations.pick(None, "fr") == "ko"
    assert translations.get("ko")("Settings") == "설정"
    assert translations.get("en")("Settings") == "Settings"
    assert translations.get("ko")("Roles: {roles}", roles="x") == "역할: x"


@pytest.mark.parametrize("sound", SAMPLES)
def test_no_korean_message_reads_as_a_template(sound: str) -> None:
    shown = rendered_korean(SAMPLES[sound])
    templated = {message: text for message, text in shown.items() if any(t in text for t in TEMPLATE_PARTICLES)}
    assert templated == {}


@pytest.mark.parametrize("sound", SAMPLES)
def test_particles_after_a_placeholder_agree_with_its_value(sound: str) -> None:
    sample = SAMPLES[sound]
    disagreeing = {}
    for message, text in rendered_korean(sample).items():
        for match in PARTICLE_AFTER.finditer(text):
            if match.group(1) == sample and match.group(2) != particle(sample, match.group(2)):
                disagreeing[message] = text
    assert disagreeing == {}


def test_a_particle_after_a_placeholder_is_written_in_the_placeholder() -> None:
    """"{card}을" is right for one value and wrong for the next; "{card:을}" agrees with every value."""
    after_placeholder = re.compile(r"\{\w+\}(" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")(?![가-힣])")
    fixed = {message: text for message, text in korean_catalog().items()
             if after_placeholder.search(text)}
    assert fixed == {}


# 해요체 throughout; a message that must quote something said in 합니다체 would be listed here with the reason.
FORMAL_ALLOWED: dict[str, str] = {}
FORMAL_ENDING = re.compile(r"(니다|니까)(?=[\s.!?…:)]|$)")


def test_korean_speaks_in_one_politeness_level() -> None:
    formal = {message: text for message, text in korean_catalog().items()
              if FORMAL_ENDING.search(text) and message not in FORMAL_ALLOWED}
    assert formal == {}


def test_the_words_drawn_on_wallet_images_speak_the_same_way() -> None:
    formal = {name: text for name, text in vars(KOREAN_IMAGE_TEXTS).items()
              if isinstance(text, str) and FORMAL_ENDING.search(text)}
    assert formal == {}
