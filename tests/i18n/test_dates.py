"""Dates read in the reader's zone and language, with the year only when it is not this year."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.i18n import date_text, moment_text, time_text

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 14:00 on Dec 2 in Seoul


def test_a_day_this_year_leaves_the_year_out_in_both_languages() -> None:
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # Nov 26, 01:30 in Seoul
    assert date_text(moment, "ko", "Asia/Seoul", now=NOW) == "11월 26일"
    assert date_text(moment, "en", "Asia/Seoul", now=NOW) == "Nov 26"
    assert date_text(moment, "en", "UTC", now=NOW) == "Nov 25"


def test_a_day_in_another_year_shows_its_year() -> None:
    assert date_text(datetime(2036, 11, 22, 3, 0, tzinfo=UTC), "ko", "Asia/Seoul", now=NOW) == "2036년 11월 22일"
    assert date_text(datetime(2025, 3, 1, 3, 0, tzinfo=UTC), "en", "Asia/Seoul", now=NOW) == "Mar 1, 2025"


def test_the_year_is_the_readers_year_not_utcs() -> None:
    new_year_in_seoul = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # Jan 1, 2027 in Seoul
    assert date_text(new_year_in_seoul, "ko", "Asia/Seoul", now=NOW) == "2027년 1월 1일"


def test_a_moment_today_is_its_time_and_another_day_carries_the_day() -> None:
    assert time_text(NOW, "Asia/Seoul") == "14:00"
    assert moment_text(NOW, "ko", "Asia/Seoul", now=NOW) == "14:00"
    assert moment_text(datetime(2026, 11, 25, 16, 30, tzinfo=UTC), "ko", "Asia/Seoul", now=NOW) == "11월 26일 01:30"


def test_an_unknown_zone_falls_back_to_seoul() -> None:
    assert time_text(NOW, "Mars/Olympus") == "14:00"
