"""Bühlmann–Straub credibility and next year's contribution (pure, no database)."""
import pandas as pd
import pytest

from huzhu.actuarial import pricing


def cells(rows):
    return pd.DataFrame(rows, columns=["group", "year", "exposure", "benefit", "claims"])


def test_equal_exposures_reduce_to_buhlmann_worked_by_hand():
    # A: 1 and 3, B: 5 and 7 per person-year, one person-year each: s² = 2, a = 7, Z = 2 / (2 + 2/7) = 0.875
    result = pricing.buhlmann_straub(cells([("A", 1, 1, 1, 1), ("A", 2, 1, 3, 1), ("B", 1, 1, 5, 1), ("B", 2, 1, 7, 1)]))
    assert result["within_variance"] == pytest.approx(2) and result["between_variance"] == pytest.approx(7)
    assert [r["credibility"] for r in result["rows"]] == [0.875, 0.875]
    assert [r["blended"] for r in result["rows"]] == [pytest.approx(2.25), pytest.approx(5.75)]
    assert result["collective"] == pytest.approx(4)


def test_the_associations_prior_is_the_complement_of_credibility():
    result = pricing.buhlmann_straub(cells([("A", 1, 1, 1, 1), ("A", 2, 1, 3, 1), ("B", 1, 1, 5, 1), ("B", 2, 1, 7, 1)]),
                                     prior=10.0)
    assert result["prior_set"] and result["rows"][0]["blended"] == pytest.approx(0.875 * 2 + 0.125 * 10)


def test_a_bigger_league_earns_more_credibility():
    rows = [("big", 1, 1000, 9000, 30), ("big", 2, 1100, 12000, 35), ("small", 1, 50, 1500, 2),
            ("small", 2, 60, 100, 1), ("mid", 1, 300, 6000, 12), ("mid", 2, 280, 5000, 10)]
    result = {r["label"]: r for r in pricing.buhlmann_straub(cells(rows))["rows"]}
    assert result["big"]["credibility"] > result["mid"]["credibility"] > result["small"]["credibility"] > 0


def test_leagues_that_differ_only_by_chance_all_take_the_prior():
    rows = [("A", 1, 100, 1000, 3), ("A", 2, 120, 1500, 4), ("B", 1, 50, 900, 2), ("B", 2, 60, 400, 1)]
    result = pricing.buhlmann_straub(cells(rows), prior=12.0)
    assert result["between_variance"] <= 0 and result["k"] is None
    assert {r["credibility"] for r in result["rows"]} == {0.0} and {r["blended"] for r in result["rows"]} == {12.0}


def test_the_contribution_pays_the_expected_benefits_out_of_the_benefit_share():
    assert pricing.contribution_for(87.0, benefit_share=0.87) == 100.0
    assert pricing.contribution_for(87.0, benefit_share=0.87, cost_factor=1.1, trend=0.05) == 115.5
