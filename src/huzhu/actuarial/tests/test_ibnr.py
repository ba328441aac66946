"""Chain ladder against chainladder's bundled sample triangles (published totals)."""
import numpy as np
import pytest

from huzhu.actuarial import ibnr

cl = pytest.importorskip("chainladder")


def test_mack_on_the_raa_triangle_gives_the_published_ibnr_and_ultimate():
    summary = ibnr.mack_summary(cl.load_sample("raa"))
    # Mack (1993) / R ChainLadder: RAA total IBNR 52,135 and ultimate 213,122; 1990's Mack S.E. 24,566
    assert summary["ibnr"] == pytest.approx(52135.23, abs=0.01)
    assert summary["ultimate"] == pytest.approx(213122.23, abs=0.01)
    assert summary["latest"] == pytest.approx(160987.0)
    last = summary["rows"][-1]
    assert last["origin"] == "1990-01"
    assert last["ibnr"] == pytest.approx(16339.44, abs=0.01)
    assert last["mack_se"] == pytest.approx(24566, abs=1)
    assert summary["rows"][0]["ibnr"] == 0


def test_raa_fed_as_claim_rows_through_our_triangle_gives_the_same_reserve():
    incremental = cl.load_sample("raa").cum_to_incr().values[0, 0]
    origin, later, amount = [], [], []
    for i in range(10):
        for j in range(10 - i):
            origin.append((1981 + i) * 12)
            later.append((1981 + i + j) * 12)
            amount.append(int(round(incremental[i, j] * 100)))
    result = ibnr.chain_ladder(np.array(origin), np.array(later), np.array(amount), first_month=1981 * 12,
                               last_month=1990 * 12 + 11, grain="OYDY")
    direct = ibnr.mack_summary(cl.load_sample("raa"))
    assert result["ibnr"] == pytest.approx(direct["ibnr"], abs=0.01)
    assert result["mack_se"] == pytest.approx(direct["mack_se"], abs=0.01)


def test_genins_is_the_taylor_ashe_triangle():
    first_row = cl.load_sample("genins").cum_to_incr().values[0, 0, 0]
    # Taylor & Ashe (1983), incremental paid of the first accident year (Mack 1993, table 1)
    assert first_row[:4].tolist() == [357848, 766940, 610542, 482940]


def test_taylor_ashe_gives_mack_1993_total_reserve_and_standard_error_to_half_a_yuan():
    summary = ibnr.mack_summary(cl.load_sample("genins"))
    # Mack (1993): total reserve 18,680,856 and total standard error 2,447,095
    assert summary["ibnr"] == pytest.approx(18680856, abs=0.5)
    assert summary["mack_se"] == pytest.approx(2447095, abs=0.5)
    # and per accident year, e.g. the second (75,535) and the last (1,363,155)
    assert summary["rows"][1]["mack_se"] == pytest.approx(75535, abs=0.5)
    assert summary["rows"][-1]["mack_se"] == pytest.approx(1363155, abs=0.5)


def test_raa_gives_the_published_ibnr_and_mack_total_standard_error():
    summary = ibnr.mack_summary(cl.load_sample("raa"))
    # R ChainLadder MackChainLadder(RAA): IBNR 52,135, total Mack S.E. 26,909
    assert summary["ibnr"] == pytest.approx(52135, abs=0.5)
    assert summary["mack_se"] == pytest.approx(26909, abs=0.5)


def test_the_published_standard_error_needs_macks_own_last_sigma_not_the_log_linear_default():
    # measured: chainladder's default log-linear extrapolation of the last sigma gives 2,441,364 on
    # Taylor–Ashe (0.23% low) and 26,881 on RAA; Mack's rule gives the published figures
    default = cl.MackChainladder().fit(cl.Development(average="volume").fit_transform(cl.load_sample("genins")))
    default_se = float(np.asarray(default.total_mack_std_err_.values).ravel()[0])
    assert default_se == pytest.approx(2441364, abs=1)
    assert ibnr.mack_summary(cl.load_sample("genins"))["mack_se"] - default_se > 5000


def test_development_triangle_puts_each_claim_in_its_lag_and_hides_the_future():
    origin = np.array([0, 0, 1, 2]) + 2026 * 12
    later = np.array([0, 2, 1, 2]) + 2026 * 12
    result = ibnr.development(origin, later, np.array([100, 200, 300, 400]), first_month=2026 * 12,
                              last_month=2026 * 12 + 2)
    assert result["origins"] == ["2026-01", "2026-02", "2026-03"]
    assert result["count"] == [[1, 0, 1], [1, 0, None], [1, None, None]]
    assert result["amount_fen"][0] == [100, 0, 200]


def test_plan_year_reserve_reads_its_year_from_an_annual_summary():
    summary = {"rows": [{"origin": "2026-01", "ultimate": 1500.0, "mack_se": 150.0}]}
    line = ibnr.plan_year_reserve(summary, 2026, paid_fen=80000, reported_fen=100000)
    assert line["ibnr"] == 500.0 and line["outstanding"] == 700.0 and line["cv"] == 0.1


RAA_CONTRIBUTIONS = np.linspace(20000, 30000, 10)


def test_methods_sit_side_by_side_and_the_chain_ladder_one_is_mack():
    summary = ibnr.methods_summary(cl.load_sample("raa"), RAA_CONTRIBUTIONS, expected_loss_ratio=0.8)
    assert summary["totals"]["chain_ladder"] == pytest.approx(52135.23, abs=0.01)
    assert summary["mack_se"] == pytest.approx(26909, abs=0.5)
    assert summary["rows"][-1]["mack_se"] == pytest.approx(24566, abs=1)
    assert summary["exposure"] == pytest.approx(250000)


def test_bornhuetter_ferguson_expected_loss_and_benktander_follow_their_formulas():
    summary = ibnr.methods_summary(cl.load_sample("raa"), RAA_CONTRIBUTIONS, expected_loss_ratio=0.8)
    last = summary["rows"][-1]  # 1990: latest 2,063, contributions 30,000, reported share 1 / CDF
    prior = 0.8 * 30000
    reported = 2063 / (2063 + 16339.44)  # the chain ladder's share reported so far
    assert last["reported_share"] == pytest.approx(reported, abs=1e-4)
    assert last["bornhuetter_ferguson"] == pytest.approx(prior * (1 - reported), rel=1e-4)
    assert last["expected_loss_ratio"] == pytest.approx(prior - 2063, abs=0.01)
    # Benktander (two iterations): the BF ultimate used as the prior once more
    assert last["benktander"] == pytest.approx((2063 + prior * (1 - reported)) * (1 - reported), rel=1e-4)


@pytest.mark.parametrize("years, paid, expected, by_floor", [
    (2.5, 700_000, 70_000.0, True),     # young scheme: 10% of the year's paid claims is more
    (2.5, 100_000, 60_630.2, False),    # young scheme, the larger method is above the floor
    (3, 700_000, 60_630.2, False),      # three years of data: no floor
], ids=["floor_lifts_a_young_schemes_reserve", "larger_method_beats_the_floor", "no_floor_after_three_years"])
def test_regulatory_figure_takes_the_larger_method_and_the_floor_while_young(years, paid, expected, by_floor):
    totals = {"chain_ladder": 52135.23, "bornhuetter_ferguson": 60630.2, "expected_loss_ratio": 39013.0}
    figure = ibnr.regulatory_ibnr(totals, methods=("chain_ladder", "bornhuetter_ferguson"), data_years=years,
                                  paid_in_year=paid)
    assert figure["method"] == "bornhuetter_ferguson"
    assert figure["amount"] == expected and figure["by_floor"] is by_floor


def test_regulatory_figure_refuses_a_single_method():
    with pytest.raises(ValueError):
        ibnr.regulatory_ibnr({"chain_ladder": 1.0}, methods=("chain_ladder",), data_years=5, paid_in_year=0)


def test_bootstrap_is_reproducible_from_its_seed_and_centres_on_the_chain_ladder_reserve():
    first = ibnr.bootstrap_reserve(cl.load_sample("raa"), simulations=500, seed=7)
    again = ibnr.bootstrap_reserve(cl.load_sample("raa"), simulations=500, seed=7)
    other = ibnr.bootstrap_reserve(cl.load_sample("raa"), simulations=500, seed=8)
    assert first == again and first["mean"] != other["mean"]
    assert first["mean"] == pytest.approx(52135, rel=0.1)
    values = [p["value"] for p in first["percentiles"]]
    assert values == sorted(values) and first["percentiles"][-1]["p"] == 99.5
    assert sum(first["histogram"]["counts"]) == 500


def test_contributions_are_earned_evenly_over_the_days_covered():
    day = (np.datetime64("2026-01-01") - np.datetime64("1970-01-01")).astype(int)
    july = (np.datetime64("2026-07-01") - np.datetime64("1970-01-01")).astype(int)
    end = (np.datetime64("2026-12-31") - np.datetime64("1970-01-01")).astype(int)
    earned = ibnr.earned_by_month(np.array([36500, 18400]), np.array([day, july]), np.array([end, end]))
    assert earned[2026 * 12] == pytest.approx(31.0)               # 31 of 365 days of 365 yuan
    assert earned[2026 * 12 + 6] == pytest.approx(31.0 + 31.0)     # the joiner: 184 yuan over 184 days
    assert sum(earned.values()) == pytest.approx(549.0)


def test_exposure_is_summed_into_the_triangles_accident_periods():
    triangle = cl.load_sample("raa")
    earned = {1990 * 12 + m: 10.0 for m in range(12)} | {1981 * 12: 5.0, 1975 * 12: 99.0}
    exposure = ibnr.exposure_by_origin(triangle, earned)
    assert exposure[0] == 5.0 and exposure[-1] == 120.0 and exposure.sum() == 125.0


def test_a_large_monthly_triangle_is_bootstrapped_by_quarter_and_a_small_one_as_it_is():
    months = np.arange(2019 * 12, 2026 * 12)  # seven years of monthly origins: 84 x 84 cells
    large = ibnr.cumulative_triangle(months, months + 1, np.full(len(months), 10000), first_month=2019 * 12,
                                     last_month=2025 * 12 + 11)
    triangle, grain = ibnr.bootstrap_triangle(large, "OMDM")
    assert grain == "OQDQ" and len(triangle.origin) == 28
    assert ibnr.bootstrap_triangle(cl.load_sample("raa"), "OYDY")[1] == "OYDY"
