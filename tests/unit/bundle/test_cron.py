"""Quartz cron expressions and time zones, as Databricks job schedules accept them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brickgate.bundle.cron import known_timezone, quartz_problem

VALID = [
    "0 0 6 ? * MON-FRI",
    "0 30 2 * * ?",
    "0 0/15 * * * ?",
    "*/10 * * ? * *",
    "0 0 12 1,15 * ?",
    "0 0 8 L * ?",
    "0 0 8 L-3 * ?",
    "0 0 8 LW * ?",
    "0 0 8 15W * ?",
    "0 0 8 ? * 6L",
    "0 0 8 ? * FRI#3",
    "0 0 8 ? * 2#1",
    "0 0 8 ? jan-mar,DEC sun",
    "0 0 22-2 ? * *",
    "0 15 10 ? * * 2030",
    "0 0 0 ? * 1-7/2 2025-2030",
]
INVALID = {
    "0 0 6 * *": "expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 5",
    "0 0 6 * * ? 2030 x": "expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 8",
    "0 0 6 * * MON": "use '?' in exactly one of day-of-month and day-of-week",
    "0 0 6 ? * ?": "use '?' in exactly one of day-of-month and day-of-week",
    "60 0 6 ? * *": "second field '60': '60' is not a value in 0-59",
    "0 0 24 ? * *": "hour field '24': '24' is not a value in 0-23",
    "0 0 6 32 * ?": "day-of-month field '32': '32' is not a value in 1-31",
    "0 0 6 0 * ?": "day-of-month field '0': '0' is not a value in 1-31",
    "0 0 6 ? 13 *": "month field '13': '13' is not a value in 1-12 or JAN-DEC",
    "0 0 6 ? FOO *": "month field 'FOO': 'FOO' is not a value in 1-12 or JAN-DEC",
    "0 0 6 ? * 8": "day-of-week field '8': '8' is not a value in 1-7 or SUN-SAT",
    "0 0/61 6 ? * *": "minute field '0/61': step 61 is larger than the field's range (0-59)",
    "0 0/0 6 ? * *": "minute field '0/0': step '0' must be a positive number",
    "? 0 6 ? * *": "second field '?': '?' is only allowed in day-of-month and day-of-week",
    "0 0 6 ? * FRI#6": "day-of-week field 'FRI#6': the number after '#' must be between 1 and 5",
    "0 0 6 ? * 1#1,2#2": "day-of-week field '1#1,2#2': 'L' and '#' cannot be combined with other days in a list",
    "0 0 6 L,15 * ?": "day-of-month field 'L,15': 'L' and 'W' cannot be combined with other days in a list",
    "0 0 6 32W * ?": "day-of-month field '32W': the day before 'W' must be between 1 and 31",
    "0 0 6 L-31 * ?": "day-of-month field 'L-31': the offset after 'L-' must be at most 30",
    "0 0 6 ? * * 1969": "year field '1969': '1969' is not a value in 1970-2099",
    "0 0 6-x ? * *": "hour field '6-x': 'x' is not a value in 0-23",
}


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions(expression: str) -> None:
    assert quartz_problem(expression) is None


@pytest.mark.parametrize(("expression", "problem"), INVALID.items())
def test_invalid_expressions_say_why(expression: str, problem: str) -> None:
    assert quartz_problem(expression) == problem


@given(
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 23),
    st.integers(1, 31),
    st.integers(1, 12),
)
def test_any_fixed_time_with_question_mark_is_valid(sec: int, minute: int, hour: int, dom: int, month: int) -> None:
    assert quartz_problem(f"{sec} {minute} {hour} {dom} {month} ?") is None
    assert quartz_problem(f"{sec} {minute} {hour} ? {month} {1 + dom % 7}") is None


@given(st.text(max_size=40))
def test_never_raises(expression: str) -> None:
    assert quartz_problem(expression) is None or isinstance(quartz_problem(expression), str)


@pytest.mark.parametrize(
    ("zone", "known"),
    [
        ("UTC", True),
        ("Europe/Paris", True),
        ("America/New_York", True),
        ("GMT", True),
        ("GMT+01:00", True),
        ("Europe/Pariss", False),
        ("CEST", False),
        ("", False),
    ],
)
def test_timezones(zone: str, known: bool) -> None:
    assert known_timezone(zone) is known
