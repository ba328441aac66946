"""The review clock: working days from complete documents (DOMAIN.md: 15, or 30 for complex cases).

Working days follow China's public holidays and adjusted working days (调休): first the days the
association entered (`OfficialDay`, from the State Council's notice, which is published each
November or December), then the `chinesecalendar` package. For a year neither knows, the clock
is provisional: the statutory holidays that the `holidays` package derives from the law (New
Year, Spring Festival, ...) are days off, every other Monday–Friday is a working day. The
package cannot know the adjusted working weekends (调休 班) the notice will add, so around a
holiday a provisional deadline can come a day or two after the official one. Entered days are
read once a minute per process (a year's schedule is a few dozen rows); `forget_entered_days()`
drops them at once after a change.
"""
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar

ENTERED_DAYS_SECONDS = 60
_entered_source: Callable[[], Mapping[date, bool]] = dict  # claims.apps installs the database reader
_entered: Mapping[date, bool] = {}
_entered_years: frozenset[int] = frozenset()
_entered_read_at: float | None = None


def use_entered_days(source: Callable[[], Mapping[date, bool]]) -> None:
    """Where the entered days come from (day → is a working day); set once at start-up."""
    global _entered_source
    _entered_source = source
    forget_entered_days()


def forget_entered_days() -> None:
    """Read the entered days again on next use (after the schedule changed)."""
    global _entered_read_at
    _entered_read_at = None


def _entered_days() -> Mapping[date, bool]:
    global _entered, _entered_years, _entered_read_at
    if _entered_read_at is None or time.monotonic() - _entered_read_at > ENTERED_DAYS_SECONDS:
        _entered = _entered_source()
        _entered_years = frozenset(day.year for day in _entered)
        _entered_read_at = time.monotonic()
    return _entered


@lru_cache(maxsize=4096)
def _official(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@lru_cache(maxsize=64)
def provisional_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of a year by the `holidays` package, day → Chinese name (days off only,
    no 调休 班); empty for a year the package does not cover."""
    import holidays  # a fraction of a second to import, needed only for a year nobody published

    try:
        found = holidays.country_holidays("CN", years=year, language="zh_CN")
    except NotImplementedError:
        return MappingProxyType({})
    return MappingProxyType(dict(sorted(found.items())))


def package_knows(year: int) -> bool:
    """Whether the chinesecalendar package has the State Council's schedule of this year."""
    return _official(date(year, 1, 1)) is not None


def calendar_knows(day: date) -> bool:
    """Whether the official holiday schedule of this day's year is known (entered or in the package)."""
    return _official(day) is not None or is_entered_year(day.year)


def is_entered_year(year: int) -> bool:
    """Whether the association entered a schedule for this year."""
    _entered_days()
    return year in _entered_years


def is_provisional(year: int) -> bool:
    """Whether the clock counts this year by the provisional statutory holidays (nobody knows its schedule)."""
    return not package_knows(year) and not is_entered_year(year) and bool(provisional_holidays(year))


def is_working_day(day: date) -> bool:
    """A working day by the entered schedule, else the package; for a year neither knows, Monday–Friday
    except the provisional statutory holidays. A year with an entered schedule uses nothing else."""
    entered = _entered_days()
    if day in entered:
        return entered[day]
    official = _official(day)
    if official is not None:
        return official
    if day.weekday() >= 5:
        return False
    return day.year in _entered_years or day not in provisional_holidays(day.year)


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
