"""Titles and labels are shortened at a word by one helper: invoice titles, button labels."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.core.buttons import LABEL_LIMIT
from handlers.core.text import ELLIPSIS, shorten
from handlers.wallet.buttons import CardAction, CardStep

WORDS = st.lists(st.text(alphabet="abcdefghij가나다-", min_size=1, max_size=12), min_size=1, max_size=12)


def test_a_title_that_fits_is_left_alone_and_a_long_one_is_cut_after_a_whole_word() -> None:
    assert shorten("Cafe Onda monthly pass", 32) == "Cafe Onda monthly pass"
    assert shorten("Cafe Onda monthly pass - 20 Americanos", 32) == "Cafe Onda monthly pass - 20…"
    assert shorten("Daily Hanja membership premium", 20) == "Daily Hanja…"


def test_one_word_longer_than_the_room_is_cut_inside_it_as_there_is_no_boundary() -> None:
    assert shorten("Supercalifragilistic", 10) == "Supercali…"


@given(WORDS, st.integers(min_value=2, max_value=60))
def test_a_shortened_title_fits_and_ends_on_a_whole_word(words: list[str], limit: int) -> None:
    text = " ".join(words)
    short = shorten(text, limit)
    assert len(short) <= limit
    if short == text:
        return
    assert short.endswith(ELLIPSIS)
    kept = short.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    room = limit - len(ELLIPSIS)
    if " " in text[1 : room + 1]:  # a boundary within reach: what was dropped starts between two words
        assert text[len(kept)] in " -"


def test_a_button_label_is_shortened_by_the_same_helper() -> None:
    label = "Driver's licence · Road Traffic Authority of the Republic · revoked"
    button = CardAction(CardStep.OPEN, "c1").button(label)
    assert len(button.text) <= LABEL_LIMIT and button.text == shorten(label, LABEL_LIMIT)
    assert button.text == "Driver's licence · Road Traffic Authority of…"
