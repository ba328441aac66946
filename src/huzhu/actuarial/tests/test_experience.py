"""Experience study figures on small hand-made portfolios."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from huzhu.actuarial import experience


def test_exposure_is_prorated_for_mid_year_joins_and_leaves():
    years = experience.exposure_years(np.array([0, 181, 0, 400]), np.array([364, 364, 90, 500]), 0, 364)
    assert years.tolist() == pytest.approx([1.0, 184 / 365, 91 / 365, 0.0])


def test_exposure_of_an_open_plan_year_counts_only_the_days_up_to_the_valuation_date():
    # a whole-year coverage, a mid-year join, one joining after the valuation date; valued on day 272 (30 Sept)
    years = experience.exposure_years(np.array([0, 181, 300]), np.array([364, 364, 364]), 0, 364, valued_day=272)
    assert years.tolist() == pytest.approx([273 / 365, 92 / 365, 0.0])
    closed = experience.exposure_years(np.array([0]), np.array([364]), 0, 364, valued_day=800)
    assert closed.tolist() == [1.0]  # a closed year is valued whole


@pytest.mark.parametrize(("age", "band"), [(16, "16–29岁"), (29, "16–29岁"), (30, "30–39岁"), (59, "50–59岁"),
                                            (60, "60岁及以上"), (15, "16–29岁")], ids=str)
def test_ages_fall_in_their_band(age, band):
    assert experience.age_band(np.array([age]))[0] == band


def test_age_is_counted_in_completed_years():
    birth = np.array(["1990-03-02", "1990-03-02"], dtype="datetime64[D]")
    on = np.array(["2026-03-01", "2026-03-02"], dtype="datetime64[D]")
    assert experience.ages_on(birth, on).tolist() == [35, 36]


def portfolio() -> tuple[pd.DataFrame, pd.DataFrame]:
    coverages = pd.DataFrame({"coverage_id": [1, 2, 3, 4], "exposure": [1.0, 1.0, 0.5, 0.5],
                              "contribution_fen": [10000] * 4, "league": ["包头市", "包头市", "赤峰市", "赤峰市"],
                              "gender": ["男", "女", "女", "男"]})
    claims = pd.DataFrame({"coverage_id": [1, 1, 3], "benefit_fen": [100000, 50000, 30000]})
    return coverages, claims


def test_frequency_severity_burning_cost_and_loss_ratio_of_the_whole_and_each_group():
    coverages, claims = portfolio()
    result = experience.study(coverages, claims, dimensions=("league", "gender"))
    total = result["total"]
    assert (total["claims"], total["exposure"], total["benefit_fen"]) == (3, 3.0, 180000)
    assert total["frequency"] == pytest.approx(1.0)
    assert total["severity"] == pytest.approx(600.0)
    assert total["burning_cost"] == pytest.approx(600.0)
    assert total["loss_ratio"] == pytest.approx(180000 / 40000)
    leagues = {row["label"]: row for row in result["by"]["league"]}
    assert leagues["包头市"]["claims"] == 2 and leagues["赤峰市"]["exposure"] == 1.0
    assert leagues["赤峰市"]["burning_cost"] == pytest.approx(300.0)
    assert sum(row["benefit_fen"] for row in result["by"]["gender"]) == 180000


def test_the_frequency_interval_is_the_exact_poisson_one():
    low, high = experience.poisson_interval(10, 100.0, 0.95)
    assert low == pytest.approx(stats.chi2.ppf(0.025, 20) / 2 / 100)
    assert high == pytest.approx(stats.chi2.ppf(0.975, 22) / 2 / 100)
    assert experience.poisson_interval(0, 100.0, 0.95)[0] == 0


def test_few_benefits_get_a_bootstrap_interval_and_many_a_normal_one():
    rng = np.random.default_rng(0)
    few = experience.mean_interval(np.array([100.0, 200.0, 300.0, 900.0]), 0.95, bootstrap_below=30, rng=rng)
    many = experience.mean_interval(np.arange(1.0, 101.0), 0.95, bootstrap_below=30, rng=rng)
    assert few[2] == "bootstrap" and 100 <= few[0] < few[1] <= 900
    half = stats.norm.ppf(0.975) * np.std(np.arange(1.0, 101.0), ddof=1) / 10
    assert many[2] == "normal" and many[0] == pytest.approx(50.5 - half)
