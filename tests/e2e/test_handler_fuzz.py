"""Arbitrary input for every handler through the sandbox: no traceback reaches the error handler.

A seeded corpus reaches every command, button prefix, deep link and flow state with the inputs that broke
them before (other scripts' digits, 40-digit ids, exponents, over-long texts); hypothesis then draws its own
cases and shrinks whatever crashes to the smallest steps that still do.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.handler_fuzz import (
    ACTORS,
    SHORT,
    Case,
    Command,
    DeepLink,
    Press,
    RealPress,
    Step,
    Text,
    WorldThread,
    bot_surface,
    corpus,
)

pytestmark = pytest.mark.xdist_group("handler_fuzz")


@pytest.fixture(scope="module")
def fuzzing(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path) -> Iterator[WorldThread]:
    target = tmp_path_factory.mktemp("fuzz") / "jigap.db"
    shutil.copyfile(migrated_sqlite_template, target)
    with WorldThread(f"sqlite+aiosqlite:///{target}") as thread:
        yield thread


def test_the_seeded_corpus_reaches_every_handler_and_crashes_none(fuzzing: WorldThread) -> None:
    surface = fuzzing.world.surface
    assert surface == SURFACE
    cases = corpus(surface, seed=12, random_cases=20, odd=SHORT)
    crashes = [crash for case in cases for crash in fuzzing.run(case)]
    reached = fuzzing.world.handlers_reached
    assert {f"/{name}" for name in surface.commands} <= reached
    assert {f"button {prefix}" for prefix in surface.button_prefixes} <= reached
    assert {"text", "real button"} <= reached
    assert crashes == []


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    routes = SURFACE
    step: st.SearchStrategy[Step] = st.one_of(
        st.builds(Command, st.sampled_from(routes.commands), text),
        st.builds(lambda prefix, rest: Press(f"{prefix}:{rest}".encode()[:64].decode(errors="ignore")),
                  st.sampled_from(routes.button_prefixes), text),
        st.builds(RealPress, st.integers(0, 7)),
        st.builds(lambda prefix, rest: Command("start", f"{prefix}_{rest}"), st.sampled_from(routes.deep_links), text),
        st.builds(lambda prefix, rest: DeepLink(f"{prefix}_{rest}"[:64]), st.sampled_from(routes.deep_links),
                  st.from_regex(r"[A-Za-z0-9_-]{0,40}", fullmatch=True)),
        st.builds(Text, text.filter(str.strip)),
    )
    return Case(draw(st.sampled_from(ACTORS)), tuple(draw(st.lists(step, min_size=1, max_size=4))))


SURFACE = bot_surface()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_arbitrary_steps_by_anyone_crash_no_handler(fuzzing: WorldThread, case: Case) -> None:
    assert fuzzing.run(case) == []
