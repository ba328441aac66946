from decimal import Decimal

import pytest

from huzhu.reports import charts, rules


@pytest.mark.parametrize(("histogram", "share", "expected"), [
    ({}, 0.5, None),
    ({3: 1}, 0.5, 3),
    ({1: 5, 2: 5}, 0.5, 1),
    ({1: 5, 2: 5}, 0.9, 2),
    ({0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 30: 1}, 0.9, 8),
    ({0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 30: 2}, 0.9, 30),
], ids=["empty", "one case", "median of two equal halves", "p90 of two halves", "p90 nearest rank",
        "p90 lands on the tail"])
def test_percentile_is_the_nearest_rank_of_the_histogram(histogram, share, expected):
    assert rules.percentile(histogram, share) == expected


def test_ratio_is_none_without_a_denominator_and_rounds_half_up():
    assert rules.ratio(1, 0) is None
    assert rules.ratio(39, 1000) == Decimal("0.0390")
    assert rules.ratio(1, 3) == Decimal("0.3333")


def test_average_benefit_is_to_the_fen():
    assert rules.average_amount(Decimal("1000.00"), 3) == Decimal("333.33")
    assert rules.average_amount(Decimal("5"), 0) is None


def test_cumulative_person_times_run_from_the_first_year():
    assert rules.cumulative([3, 4, 5]) == [3, 7, 12]


def test_svg_bar_chart_escapes_labels_and_draws_one_bar_per_value():
    svg = charts.bar_chart("参互<人次>", ["2025", "2026"], [10, 20], line=[10, 30], line_label="累计")
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and "&lt;人次&gt;" in svg and "<polyline" in svg
