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


def test_genins_sample_reproduces_its_known_chain_ladder_total():
    summary = ibnr.mack_summary(cl.load_sample("genins"))
    # GenIns (Taylor & Ashe): chain-ladder IBNR 18,680,856; Mack total S.E. about 2,447,000
    assert summary["ibnr"] == pytest.approx(18680856, rel=1e-6)
    assert summary["mack_se"] == pytest.approx(2447095, rel=0.01)


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
