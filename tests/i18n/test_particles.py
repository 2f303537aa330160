"""Korean particles agree with the word before them, whatever value a placeholder gets."""

from __future__ import annotations

import gettext

import pytest

from bot.i18n import FinalSound, Translator, final_sound, particle


@pytest.mark.parametrize(("word", "sound"), [
    ("운전면허증", FinalSound.CONSONANT), ("카드", FinalSound.VOWEL), ("서울", FinalSound.RIEUL),
    ("“전체”", FinalSound.VOWEL), ("운전면허증 (1종)", FinalSound.CONSONANT), ("학생증.", FinalSound.CONSONANT),
    ("3", FinalSound.CONSONANT), ("2", FinalSound.VOWEL), ("7", FinalSound.RIEUL), ("10", FinalSound.CONSONANT),
    ("20,000", FinalSound.CONSONANT), ("4.50", FinalSound.CONSONANT), ("₩45,000", FinalSound.CONSONANT),
    ("US$4.50", FinalSound.VOWEL), ("PIN", FinalSound.CONSONANT), ("SMS", FinalSound.VOWEL), ("URL", FinalSound.RIEUL),
    ("Seoul", FinalSound.RIEUL), ("Cafe Onda", FinalSound.VOWEL),
    ("Road Traffic Authority", FinalSound.VOWEL), ("Team", FinalSound.CONSONANT), ("", FinalSound.CONSONANT),
])
def test_a_word_ends_in_the_sound_a_korean_reader_says(word: str, sound: FinalSound) -> None:
    assert final_sound(word) is sound


@pytest.mark.parametrize(("word", "name", "expected"), [
    ("운전면허증", "를", "을"), ("카드", "을", "를"), ("서울", "이", "이"), ("카페", "이", "가"),
    ("학생증", "는", "은"), ("지갑", "와", "과"), ("사과", "과", "와"),
    ("서울", "으로", "로"), ("집", "로", "으로"), ("학교", "으로", "로"), ("7", "으로", "로"), ("3", "로", "으로"),
    ("카페", "이에요", "예요"), ("₩45,000", "예요", "이에요"), ("Bar Haneul", "라는", "이라는"), ("관리자", "이라는", "라는"),
])
def test_the_particle_agrees_with_the_word_whichever_form_is_named(word: str, name: str, expected: str) -> None:
    assert particle(word, name) == expected


class _Catalog(gettext.NullTranslations):
    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self._texts = texts

    def gettext(self, message: str) -> str:
        return self._texts.get(message, message)


def test_a_translation_names_the_particle_in_the_placeholder() -> None:
    tr = Translator("ko", _Catalog({"Removed your {card}.": "{card:를} 삭제했어요.",
                                    "{amount} now": "{amount:,} 원"}))
    assert tr("Removed your {card}.", card="운전면허증") == "운전면허증을 삭제했어요."
    assert tr("Removed your {card}.", card="학생증 카드") == "학생증 카드를 삭제했어요."
    assert tr("{amount} now", amount=45000) == "45,000 원"  # other format specs are Python's own
