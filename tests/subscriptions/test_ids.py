"""Row ids sort in the order they were made (new rows append to the id indexes) and never repeat."""

from __future__ import annotations

from subscriptions.ids import TimeOrderedIds

NOW = 1_800_000_000.0  # 2027-01-15, seconds since the Unix epoch


def test_ids_made_one_after_another_sort_one_after_another_and_are_unique() -> None:
    ids = TimeOrderedIds()
    made = [ids.new_id() for _ in range(50_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert {len(one) for one in made} == {20}
    assert all(set(one) <= set("0123456789abcdef") for one in made)


def test_ids_keep_counting_up_when_the_clock_steps_back() -> None:
    instants = iter([NOW, NOW, NOW - 0.5, NOW + 2.0])
    ids = TimeOrderedIds(now=lambda: next(instants))
    made = [ids.new_id() for _ in range(4)]
    assert made == sorted(made) and len(set(made)) == 4
    # The same millisecond and the step back share the first id's time part; a later one moves on.
    assert made[0][:11] == made[1][:11] == made[2][:11] != made[3][:11]


def test_gift_codes_stay_random_url_safe_secrets() -> None:
    ids = TimeOrderedIds()
    codes = {ids.token() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(code) == 22 for code in codes)


def test_no_token_starts_with_a_dash_that_a_command_line_would_take_for_an_option() -> None:
    ids = TimeOrderedIds()
    tokens = [ids.token(12) for _ in range(5000)]  # about 78 would start with "-" if drawn once
    assert not [token for token in tokens if token.startswith("-")]
    assert any("-" in token for token in tokens)  # the dash is still one of the 64 characters elsewhere
