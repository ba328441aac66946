"""The review clock: working days from complete documents (DOMAIN.md: 15, or 30 for complex cases).

Working days follow China's public holidays and adjusted working days (调休) from the
`chinesecalendar` package. For a year it does not know yet (its data is published each
November/December by the State Council), we fall back to Monday–Friday and say so.
"""
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def _official(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def calendar_knows(day: date) -> bool:
    """Whether the official holiday calendar covers this day's year."""
    return _official(day) is not None


def is_working_day(day: date) -> bool:
    """A working day by the official calendar; Monday–Friday when the year is not published yet."""
    official = _official(day)
    return official if official is not None else day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def due_on(complete_on: date, *, simple_days: int, complex_days: int, complex_case: bool) -> date:
    """When the claim must be finished: working days from complete documents."""
    return add_working_days(complete_on, complex_days if complex_case else simple_days)
