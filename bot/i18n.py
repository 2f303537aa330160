"""Translations: gettext catalogs for Korean and English, picked per user.

Catalogs are compiled to .mo at install (`make` runs pybabel compile); when a .mo is missing or older than
its .po (a checkout edited by hand), the .po is compiled in memory so the text shown is never stale.
Strings are marked with `tr("...")` and `tr.plural("...", "...", n)`; extraction uses those keywords.

Korean particles follow the sound the word before them ends in (운전면허증을, 카드를), and a placeholder's value is
only known when the text is rendered. A translation names the particle in the placeholder, `{card:을}` or
`{card:를}` alike, and `Translator` attaches the form that agrees with the value (see `particle`).

Dates and times are shown in the reader's time zone by `date_text`, `time_text` and `moment_text`, the year
only when it is not the reader's current year.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
import string
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "jigap"
LANGUAGES = ("ko", "en")
DEFAULT_TIMEZONE = "Asia/Seoul"


# --- Korean particles ----------------------------------------------------------------------------
# No particle library on the package index is kept up (the known ones last released years ago), and the rule
# is a few lines of Hangul arithmetic, so it lives here.

class FinalSound(Enum):
    """How a word ends when read aloud, which is all a particle depends on."""

    VOWEL = "vowel"
    RIEUL = "rieul"  # ㄹ: takes 로 like a vowel, but 을/이/은/과 like a consonant
    CONSONANT = "consonant"


# A particle as written after a consonant and after a vowel; a translation may name either form.
_PAIRS = (
    ("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"), ("이라는", "라는"),
    ("이에요", "예요"), ("이나", "나"), ("이랑", "랑"), ("이라고", "라고"),
)
PARTICLES: dict[str, tuple[str, str]] = {form: pair for pair in _PAIRS for form in pair}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_JONGSEONG_COUNT, _RIEUL_JONGSEONG = 28, 8
# Sino-Korean readings of the last digit (0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구), and of the
# unit a round number ends in (10 십, 100 백, 1000 천; 만, 억, 조, 경 every four zeros).
_DIGIT_SOUNDS = "CRVCVVCRRV"
_TENS_SOUNDS = {1: "C", 2: "C", 3: "C"}
_MYRIAD_SOUNDS = {1: "C", 2: "C", 3: "V", 4: "C"}
# Latin letters are read by their names when a word is an abbreviation (PIN is not, but "ID" is 아이디):
# only L (엘), M (엠), N (엔) and R (알) end in a consonant.
_LETTER_SOUNDS = {"L": "R", "M": "C", "N": "C", "R": "R"}
# A price starts with its currency sign and ends, read aloud, in the unit: 원, 달러, 유로, 파운드, 엔.
_CURRENCY_SOUNDS = {"₩": "C", "$": "V", "€": "V", "£": "V", "¥": "C"}
_MONEY = re.compile(r"^[-+]?[A-Z]{0,3}([₩$€£¥])\s?[0-9]")
_SOUNDS = {"V": FinalSound.VOWEL, "R": FinalSound.RIEUL, "C": FinalSound.CONSONANT}
_TRAILING = re.compile(r"(?:\s*\([^()]*\)|[\s\"'”’»)\].,!?…·:;-])+$")


def final_sound(word: str) -> FinalSound:
    """The sound `word` ends in as a Korean reader says it: Hangul by its final consonant, digits and Latin
    letters as they are read aloud (12 is 십이, 10 is 십, "SMS" is 에스엠에스, "Seoul" ends in l).

    Quotes, closing brackets, full stops and a trailing "(...)" are skipped: 「운전면허증 (1종)」 takes the
    particle of 운전면허증. A word with nothing readable gets the consonant form, which reads as a pause.
    """
    text = _TRAILING.sub("", word) or word
    if not text:
        return FinalSound.CONSONANT
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        jongseong = (ord(last) - _HANGUL_FIRST) % _JONGSEONG_COUNT
        if jongseong == 0:
            return FinalSound.VOWEL
        return FinalSound.RIEUL if jongseong == _RIEUL_JONGSEONG else FinalSound.CONSONANT
    if last.isdigit() and last.isascii():
        return _number_sound(text)
    if last.isascii() and last.isalpha():
        return _latin_sound(text)
    return FinalSound.CONSONANT


def _number_sound(text: str) -> FinalSound:
    money = _MONEY.match(text)
    if money:  # ₩45,000 is read 사만 오천 원, US$4.50 is 4.50달러: the unit comes last
        return _SOUNDS[_CURRENCY_SOUNDS[money.group(1)]]
    digits = re.search(r"[0-9][0-9,.]*$", text)
    number = digits.group().replace(",", "") if digits else text[-1]
    if "." in number:  # after the point digits are read one by one: 4.50 is 사 점 오 영
        return _SOUNDS[_DIGIT_SOUNDS[int(number[-1])]]
    if number.strip("0") == "" or number[-1] != "0":
        return _SOUNDS[_DIGIT_SOUNDS[int(number[-1])]]
    zeros = len(number) - len(number.rstrip("0"))
    if zeros % 4:
        return _SOUNDS[_TENS_SOUNDS[zeros % 4]]
    return _SOUNDS[_MYRIAD_SOUNDS.get(zeros // 4, "C")]


def _latin_sound(text: str) -> FinalSound:
    word = re.search(r"[A-Za-z]+$", text)
    letters = word.group() if word else text[-1]
    if letters.isupper() and len(letters) <= 5:
        return _SOUNDS[_LETTER_SOUNDS.get(letters[-1], "V")]
    # An English word as Korean borrows it: -m, -n and -ng end in a consonant (팀, 라인, 링), -l in ㄹ (메일);
    # other endings get a vowel added (카드, 북스, 티켓 is rare enough to leave).
    ending = letters[-1].lower()
    if ending == "l":
        return FinalSound.RIEUL
    if ending in "mn" or letters.lower().endswith("ng"):
        return FinalSound.CONSONANT
    return FinalSound.VOWEL


def particle(word: str, name: str) -> str:
    """The form of particle `name` (either form: "을" or "를") that agrees with `word`."""
    after_consonant, after_vowel = PARTICLES[name]
    sound = final_sound(word)
    if after_consonant == "으로":
        return after_vowel if sound is not FinalSound.CONSONANT else after_consonant
    return after_vowel if sound is FinalSound.VOWEL else after_consonant


class _ParticleFormatter(string.Formatter):
    """`{card:을}` renders the value and the agreeing particle; any other format spec is Python's own."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec in PARTICLES:
            text = str(value)
            return text + particle(text, format_spec)
        return str(super().format_field(value, format_spec))


_FORMATTER = _ParticleFormatter()
_PARTICLE_FIELD = re.compile(r"\{\w+:[^{}]+\}")


@functools.lru_cache(maxsize=2048)
def _takes_particles(text: str) -> bool:
    return _PARTICLE_FIELD.search(text) is not None


def render(text: str, params: dict[str, object]) -> str:
    """`text.format(**params)`, with particles agreeing with the values they follow."""
    if _takes_particles(text):
        return _FORMATTER.vformat(text, (), params)
    return text.format(**params)


class Translator:
    """One language's catalog; call it with an English message id and named parameters."""

    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self._catalog = catalog

    def __call__(self, message: str, /, **params: object) -> str:
        text = self._catalog.gettext(message)
        return render(text, params) if params else text

    def plural(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, count)
        return render(text, {"count": count, **params})


def _load_catalog(language: str) -> gettext.NullTranslations:
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    po_path, mo_path = directory / f"{DOMAIN}.po", directory / f"{DOMAIN}.mo"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translations:
    """All translators, loaded once at start-up."""

    def __init__(self, languages: Iterable[str] = LANGUAGES, default: str = "ko") -> None:
        self.default = default
        self._translators = {language: Translator(language, _load_catalog(language)) for language in languages}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._translators)

    def pick(self, chosen: str | None, telegram_language: str | None = None) -> str:
        """The user's choice, else their Telegram language (ko-KR -> ko), else the default."""
        for candidate in (chosen, telegram_language):
            if candidate:
                base = candidate.split("-")[0].split("_")[0].lower()
                if base in self._translators:
                    return base
        return self.default

    def get(self, language: str) -> Translator:
        return self._translators.get(language) or self._translators[self.default]


# --- dates and times -----------------------------------------------------------------------------
# Stored times are UTC; a reader sees their own zone. Babel's skeletons give each language its own order and
# words ("12월 25일", "Dec 25"; "2027년 1월 3일", "Jan 3, 2027").

def reader_zone(timezone: str | None) -> ZoneInfo:
    """The reader's zone; an unknown or missing name falls back to the default rather than to UTC."""
    try:
        return ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _local_day(moment: datetime | date, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment


def date_text(moment: datetime | date, language: str, timezone: str | None, *, now: datetime) -> str:
    """The day of `moment` in the reader's zone, with the year when it is not the year of `now` there."""
    zone = reader_zone(timezone)
    day = _local_day(moment, zone)
    skeleton = "MMMd" if day.year == now.astimezone(zone).year else "yMMMd"
    return _day_in(day, skeleton, language)


@functools.lru_cache(maxsize=4096)
def _day_in(day: date, skeleton: str, language: str) -> str:
    # A reminder sweep formats thousands of the same few days; Babel is the slow part of a reminder.
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # the day is already the reader's
    return str(format_skeleton(skeleton, noon, tzinfo=UTC, locale=language))


def month_text(month: date, language: str, *, with_year: bool = False) -> str:
    """A calendar month as a chart's axis names it: "Nov" / "11월", with the year ("Nov 2026" / "2026년 11월")."""
    return _day_in(date(month.year, month.month, 1), "yMMM" if with_year else "MMM", language)


def time_text(moment: datetime, timezone: str | None) -> str:
    """The clock time in the reader's zone, 24-hour in every language ("21:04")."""
    return moment.astimezone(reader_zone(timezone)).strftime("%H:%M")


def moment_text(moment: datetime, language: str, timezone: str | None, *, now: datetime) -> str:
    """Day and time in the reader's zone: "12월 2일 14:39", the day left out when it is today there."""
    zone = reader_zone(timezone)
    clock = time_text(moment, timezone)
    if _local_day(moment, zone) == now.astimezone(zone).date():
        return clock
    return f"{date_text(moment, language, timezone, now=now)} {clock}"
