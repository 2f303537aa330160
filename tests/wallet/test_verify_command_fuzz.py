"""`jigap verify`, run as a child process on mutated and oddly signed presentations, never ends in a
traceback or an exit status other than 0 (valid) and 1 (invalid), and never says valid to any of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.wallet.forge import Forge
from tests.wallet.mutations import (
    CHARACTERS,
    KINDS,
    Mutation,
    cli_presentation,
    odd_cases,
    run_jigap_verify,
    trust_list_for,
)

FORGE = Forge.fresh()
SHOWN = FORGE.present(FORGE.credential())
# The cases that once ended in a traceback: bytes on stdin that are not UTF-8, and lone surrogates.
ODD = {name: case for name, case in odd_cases().items() if "ud800" in name or "udc00" in name or "deep" in name}


@pytest.fixture(scope="module")
def trust_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "trusted.json"
    path.write_text(json.dumps(trust_list_for(FORGE)))
    return path


def test_the_presentation_the_mutations_start_from_is_valid_on_the_command_line(trust_list: Path) -> None:
    run = run_jigap_verify(SHOWN, trust_list)
    assert (run.code, run.crash()) == (0, None), run.stderr


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.builds(
        Mutation,
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=1 << 16),
        st.sampled_from(CHARACTERS),
        st.integers(min_value=0, max_value=1 << 16),
    )
)
def test_no_mutated_presentation_crashes_jigap_verify_or_is_accepted(trust_list: Path, mutation: Mutation) -> None:
    run = run_jigap_verify(cli_presentation(mutation, SHOWN), trust_list)
    assert run.crash() is None
    assert run.code == 1, mutation


@pytest.mark.parametrize("name", sorted(ODD))
def test_no_oddly_signed_presentation_crashes_jigap_verify(trust_list: Path, name: str) -> None:
    run = run_jigap_verify(ODD[name](FORGE), trust_list)
    assert run.crash() is None
    assert run.code == 1


def test_bytes_on_stdin_that_are_not_utf8_are_an_invalid_presentation_not_a_traceback(trust_list: Path) -> None:
    run = run_jigap_verify("-" + SHOWN[1:] + "\ud800", trust_list)
    assert (run.code, run.crash()) == (1, None)
    assert json.loads(run.stdout)["failed_check"] == "malformed"
