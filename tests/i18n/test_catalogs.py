"""Every user-facing string in the code has a Korean translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import Translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"tr": None, "plural": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


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
