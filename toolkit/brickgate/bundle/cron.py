"""Quartz cron expressions and time zone ids as Databricks job schedules accept them.

Databricks schedules use Quartz syntax: 6 or 7 space-separated fields
`second minute hour day-of-month month day-of-week [year]`. Exactly one of day-of-month and
day-of-week is `?`. Each field is `*`, a value, a range `a-b`, a step `x/n` (x a value, a range
or `*`), or a comma list of those; months take JAN-DEC and weekdays SUN-SAT (1 = Sunday), any
case. Day-of-month also takes `L`, `L-n`, `LW` and `nW`; day-of-week takes `L`, `nL` and `n#k`
(k in 1..5); these special forms stand alone, never in a list, as in Quartz's CronExpression.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, kw_only=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] is the value low + i


MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
FIELDS = (
    Field(name="second", low=0, high=59),
    Field(name="minute", low=0, high=59),
    Field(name="hour", low=0, high=23),
    Field(name="day-of-month", low=1, high=31),
    Field(name="month", low=1, high=12, names=MONTHS),
    Field(name="day-of-week", low=1, high=7, names=DAYS),
    Field(name="year", low=1970, high=2099),
)
_OFFSET_ZONE = re.compile(r"^(GMT|UTC)[+-]\d{1,2}(:\d{2})?$")


def quartz_problem(expression: str) -> str | None:
    """Why Databricks would reject `expression`, or None when it is valid.

    >>> quartz_problem("0 30 2 * * ?") is None
    True
    >>> quartz_problem("0 30 2 * * *")
    "use '?' in exactly one of day-of-month and day-of-week"
    >>> quartz_problem("30 2 * * *")
    'expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 5'
    """
    parts = expression.split()
    if len(parts) not in (6, 7):
        return f"expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got {len(parts)}"
    for field, text in zip(FIELDS, parts, strict=False):
        problem = _field_problem(field, text)
        if problem:
            return f"{field.name} field '{text}': {problem}"
    if (parts[3] == "?") == (parts[5] == "?"):
        return "use '?' in exactly one of day-of-month and day-of-week"
    return None


def _field_problem(field: Field, text: str) -> str | None:
    if text == "?":
        return (
            None
            if field.name in ("day-of-month", "day-of-week")
            else "'?' is only allowed in day-of-month and day-of-week"
        )
    special = _special_problem(field, text)
    if special is not None:
        return special or None
    for item in text.split(","):
        problem = _item_problem(field, item)
        if problem:
            return problem
    return None


def _special_problem(field: Field, text: str) -> str | None:
    """'' when `text` is a valid L/W/# form, a problem when it is an invalid one, None when it is none."""
    text = text.upper()
    if field.name == "day-of-month" and ("L" in text or "W" in text):
        if "," in text:
            return "'L' and 'W' cannot be combined with other days in a list"
        if text in ("L", "LW"):
            return ""
        if match := re.fullmatch(r"L-(\d+)", text):
            return "" if int(match.group(1)) <= 30 else "the offset after 'L-' must be at most 30"
        if match := re.fullmatch(r"(\d+)W", text):
            return "" if 1 <= int(match.group(1)) <= 31 else "the day before 'W' must be between 1 and 31"
        return "expected L, L-n, LW or nW"
    if field.name == "day-of-week" and ("L" in text or "#" in text):
        if "," in text:
            return "'L' and '#' cannot be combined with other days in a list"
        if text == "L":
            return ""
        if match := re.fullmatch(r"(\w+?)L", text):
            return "" if _value(field, match.group(1)) is not None else f"'{match.group(1)}' is not a day of the week"
        if match := re.fullmatch(r"(\w+)#(\d+)", text):
            if _value(field, match.group(1)) is None:
                return f"'{match.group(1)}' is not a day of the week"
            return "" if 1 <= int(match.group(2)) <= 5 else "the number after '#' must be between 1 and 5"
        return "expected L, nL or n#k"
    return None


def _item_problem(field: Field, item: str) -> str | None:
    base, slash, step = item.partition("/")
    if slash:
        if not step.isdigit() or int(step) == 0:
            return f"step '{step}' must be a positive number"
        if field.name != "year" and int(step) > field.high - field.low + 1:
            return f"step {step} is larger than the field's range ({field.low}-{field.high})"
        if base == "":
            return "a step needs a start: use '*/n' or 'a/n'"
    if base == "*":
        return None
    low_text, dash, high_text = base.partition("-")
    for text in (low_text, high_text) if dash else (low_text,):
        if _value(field, text) is None:
            return _value_problem(field, text)
    return None


def _value(field: Field, text: str) -> int | None:
    if text.isdigit():
        value = int(text)
        return value if field.low <= value <= field.high else None
    name = text.upper()
    return field.low + field.names.index(name) if name in field.names else None


def _value_problem(field: Field, text: str) -> str:
    allowed = f"{field.low}-{field.high}"
    if field.names:
        allowed += f" or {field.names[0]}-{field.names[-1]}"
    return f"'{text}' is not a value in {allowed}"


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC", "GMT", "Z"}


def known_timezone(timezone_id: str) -> bool:
    """True when Java would accept `timezone_id`: an IANA zone, UTC/GMT or a GMT±hh:mm offset.

    >>> known_timezone("Europe/Paris"), known_timezone("GMT+01:00"), known_timezone("Europe/Pariss")
    (True, True, False)
    """
    return timezone_id in _zones() or bool(_OFFSET_ZONE.match(timezone_id))


def timezone_names() -> list[str]:
    """Every known zone id, sorted (for "did you mean" hints)."""
    return sorted(_zones())
