"""The review clock: working days by China's official calendar, weekends when a year is unknown."""
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


def test_a_year_nobody_published_falls_back_to_weekdays():
    assert not review_clock.calendar_knows(date(2099, 1, 1))
    assert review_clock.is_working_day(date(2099, 1, 1))  # a Thursday: New Year unknown, counted as work
    assert not review_clock.is_working_day(date(2099, 1, 3))  # a Saturday
    assert review_clock.add_working_days(date(2098, 12, 31), 2) == date(2099, 1, 2)
    assert review_clock.add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 5)


def test_complex_cases_get_thirty_working_days():
    simple = review_clock.due_on(date(2026, 3, 2), simple_days=15, complex_days=30, complex_case=False)
    complex_ = review_clock.due_on(date(2026, 3, 2), simple_days=15, complex_days=30, complex_case=True)
    assert review_clock.working_days_between(date(2026, 3, 2), simple) == 15
    assert review_clock.working_days_between(date(2026, 3, 2), complex_) == 30
