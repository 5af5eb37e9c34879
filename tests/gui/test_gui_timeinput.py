"""Times typed by staff members (pure functions, no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from krisenstab.domain.timefmt import BERLIN
from krisenstab.gui.timeinput import parse_observed, parse_user_time

# 27 Nov 2026, 15:30 in Berlin (CET, UTC+1)
NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["15:10", "1510", "15.10"])
def test_time_only_means_today(text: str) -> None:
    value = parse_user_time(text, NOW)
    assert value == datetime(2026, 11, 27, 14, 10, tzinfo=UTC)


def test_time_later_than_now_means_yesterday() -> None:
    value = parse_user_time("23:50", NOW)
    assert value.astimezone(BERLIN) == datetime(2026, 11, 26, 23, 50, tzinfo=BERLIN)


def test_day_month_and_full_forms() -> None:
    assert parse_user_time("26.11. 08:00", NOW) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert parse_user_time("26.11.2026 08:00", NOW) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert parse_user_time("261530nov26", NOW) == datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["25:00", "12:61", "31.02. 10:00", "gestern", "1530xyz"])
def test_nonsense_is_refused_in_german(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_user_time(text, NOW)
    assert "gültig" in str(info.value)


def test_observed_empty_means_now_and_future_is_refused() -> None:
    assert parse_observed("", NOW) is None
    assert parse_observed("  ", NOW) is None
    assert parse_observed("15:33", NOW) is not None  # within the clock drift allowance
    with pytest.raises(ValueError, match="Zukunft"):
        parse_observed("28.11.2026 09:00", NOW)
