"""The review clock: working days by China's official calendar; statutory holidays only when a year is unknown."""
from datetime import date

import pytest

from .. import review_clock

pytestmark = pytest.mark.django_db  # the clock reads the holidays the association entered


@pytest.mark.parametrize(("start", "days", "due"), [
    (date(2026, 9, 30), 1, date(2026, 10, 8)),  # National Day 1–7 October off
    (date(2026, 6, 1), 15, date(2026, 6, 23)),  # Dragon Boat Festival on 19 June
    (date(2026, 2, 13), 2, date(2026, 2, 24)),  # Saturday 14 Feb worked, Spring Festival 15–23 Feb off
], ids=["national-day", "dragon-boat", "adjusted-saturday"])
def test_working_days_follow_the_official_holidays_and_adjusted_days(start, days, due):
    assert review_clock.add_working_days(start, days) == due


def test_a_year_nobody_published_counts_its_statutory_holidays_provisionally():
    assert not review_clock.calendar_knows(date(2099, 1, 1)) and review_clock.is_provisional(2099)
    assert not review_clock.is_working_day(date(2099, 1, 1))  # a Thursday, New Year's Day
    assert review_clock.is_working_day(date(2099, 1, 2))  # a Friday: no bridge day without the notice
    assert not review_clock.is_working_day(date(2099, 1, 3))  # a Saturday
    assert review_clock.add_working_days(date(2098, 12, 31), 2) == date(2099, 1, 5)


def test_spring_festival_2027_is_not_counted_as_working_days_before_the_schedule_is_known():
    assert not review_clock.package_knows(2027), "chinesecalendar now has 2027: pick a year it lacks"
    assert review_clock.is_provisional(2027)
    spring_festival = [date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)]  # Fri, Mon–Wed
    assert [review_clock.is_working_day(day) for day in spring_festival] == [False] * 4
    assert not review_clock.is_working_day(date(2027, 1, 1))  # New Year's Day, a Friday
    assert review_clock.is_working_day(date(2027, 2, 11))
    assert review_clock.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    # provisional means holidays only: no weekend is known to be worked (调休 班)
    assert not any(review_clock.is_working_day(date(2027, 2, day)) for day in (6, 7, 13, 14, 20, 21))


def test_an_entered_schedule_overrides_the_provisional_holidays():
    from ..services import set_official_days

    set_official_days(actor=None, year=2027, days=[
        *((date(2027, 2, day), False, "春节") for day in range(6, 13)), (date(2027, 2, 20), True, "春节调休")])
    assert not review_clock.is_provisional(2027)
    assert not review_clock.is_working_day(date(2027, 2, 11))  # entered, not in the package's guess
    assert review_clock.is_working_day(date(2027, 2, 20))  # an entered working Saturday
    assert review_clock.is_working_day(date(2027, 2, 5))  # the package's New Year's Eve: the entry decides
    assert review_clock.is_working_day(date(2027, 5, 3))  # only what was entered is off in an entered year


def test_complex_cases_get_thirty_working_days():
    simple = review_clock.due_on(date(2026, 3, 2), simple_days=15, complex_days=30, complex_case=False)
    complex_ = review_clock.due_on(date(2026, 3, 2), simple_days=15, complex_days=30, complex_case=True)
    assert review_clock.working_days_between(date(2026, 3, 2), simple) == 15
    assert review_clock.working_days_between(date(2026, 3, 2), complex_) == 30
