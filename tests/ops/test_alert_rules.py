"""The alerts' rules on their own: what counts as the outbox behind, 429s that persist, a sweep falling behind
and an error rate that jumps, and what stays quiet."""

from __future__ import annotations

from datetime import timedelta

from bot.alert_rules import (
    AlertKind,
    AlertSettings,
    MinuteRecord,
    Observation,
    SweepRun,
    errors_jumped,
    findings,
    rate_limits_persist,
    sweep_behind,
)

SETTINGS = AlertSettings(lag=timedelta(minutes=10), rate_limited_minutes=5, every=timedelta(minutes=30))


def observed(lag_minutes: float = 0, rate_limited: list[int] | None = None, errors: list[int] | None = None,
             sweeps: list[SweepRun] | None = None) -> Observation:
    return Observation(timedelta(minutes=lag_minutes), 3, rate_limited or [], errors or [], sweeps or [])


def test_the_outbox_is_behind_only_past_the_configured_lag() -> None:
    assert findings(observed(lag_minutes=10), SETTINGS) == {}
    found = findings(observed(lag_minutes=10.5), SETTINGS)[AlertKind.OUTBOX_LAG]
    assert found.figures == {"minutes": 10, "pending": 3}


def test_429s_alert_only_when_every_one_of_the_last_minutes_had_some() -> None:
    assert rate_limits_persist([9, 1, 2, 3, 4], 5) is not None
    assert rate_limits_persist([9, 1, 0, 3, 4], 5) is None  # one quiet minute: Telegram paced a burst
    assert rate_limits_persist([1, 2, 3, 4], 5) is None  # not watched long enough yet
    assert rate_limits_persist([0, 1, 1, 1, 1, 1], 5) is not None
    assert rate_limits_persist([0, 1, 1, 1, 1, 1], 5).figures == {"minutes": 5, "answers": 5}  # type: ignore[union-attr]


def test_a_sweep_is_behind_when_a_run_took_or_is_taking_longer_than_its_interval() -> None:
    assert sweep_behind([SweepRun("tick", 5, 4.9, None)]) is None
    assert sweep_behind([SweepRun("tick", 5, 7.2, None)]).figures == {"seconds": 7, "interval": 5}  # type: ignore[union-attr]
    assert sweep_behind([SweepRun("tick", 5, 1.0, 12.0)]).figures == {"seconds": 12, "interval": 5}  # type: ignore[union-attr]
    assert sweep_behind([SweepRun("tick", 5, None, 3.0)]) is None


def test_the_error_rate_jumps_against_its_baseline_and_past_a_floor() -> None:
    assert errors_jumped([0] * 30 + [4]) is None  # a few errors in a quiet hour are not a jump
    assert errors_jumped([0] * 30 + [5]).figures == {"errors": 5, "baseline": 0}  # type: ignore[union-attr]
    assert errors_jumped([4] * 30 + [11]) is None  # a busy baseline: 11 is less than three times 4
    assert errors_jumped([4] * 30 + [12]) is not None
    assert errors_jumped([]) is None


def test_a_running_total_becomes_what_each_minute_added_and_survives_a_restart_of_its_source() -> None:
    record = MinuteRecord(keep=3)
    for total in (10, 12, 12, 20, 3):
        record.record(total)
    assert record.per_minute == [0, 8, 3]  # the first total is a starting point; 3 after 20: counted afresh


def test_all_four_kinds_are_found_at_once() -> None:
    found = findings(observed(lag_minutes=30, rate_limited=[1] * 5, errors=[0, 0, 9],
                              sweeps=[SweepRun("tick", 5, 9.0, None)]), SETTINGS)
    assert set(found) == set(AlertKind)
