"""The reserve simulation against closed-form expectations on simple inputs."""
import math

import numpy as np
import pytest
from scipy import stats

from huzhu.actuarial import simulation


def fixed(frequency=0.04, exposure=10_000.0, mu=7.0, sigma=0.8) -> simulation.Fit:
    return simulation.Fit(claims=int(frequency * exposure), exposure=exposure, mu=mu, sigma=sigma)


def test_without_parameter_uncertainty_the_mean_and_variance_are_the_compound_poisson_ones():
    fit = fixed()
    totals, method = simulation.simulate(fit, exposure=5000, simulations=20_000, seed=3, parameter_uncertainty=False)
    expected_count = fit.frequency * 5000
    mean = expected_count * math.exp(fit.mu + fit.sigma ** 2 / 2)
    variance = expected_count * math.exp(2 * fit.mu + 2 * fit.sigma ** 2)
    assert method == "exact"
    assert totals.mean() == pytest.approx(mean, abs=4 * math.sqrt(variance / len(totals)))
    assert totals.var() == pytest.approx(variance, rel=0.05)


def test_a_constant_benefit_makes_the_shortfall_a_poisson_tail():
    fit = simulation.Fit(claims=100, exposure=1000.0, mu=math.log(1000.0), sigma=0.0)
    totals, _ = simulation.simulate(fit, exposure=1000, simulations=50_000, seed=7, parameter_uncertainty=False)
    result = simulation.adequacy(totals, contributions=120_000, benefit_share=1.0, reserve=0.0)
    # S = 1000 N with N ~ Poisson(100): P(S > 120,000) = P(N > 120)
    assert result["shortfall_probability"] == pytest.approx(stats.poisson.sf(120, 100), abs=0.004)


def test_the_same_seed_gives_the_same_years_and_another_seed_does_not():
    fit = fixed()
    first, _ = simulation.simulate(fit, exposure=1000, simulations=500, seed=11)
    again, _ = simulation.simulate(fit, exposure=1000, simulations=500, seed=11)
    other, _ = simulation.simulate(fit, exposure=1000, simulations=500, seed=12)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_parameter_uncertainty_keeps_the_mean_and_widens_the_spread():
    fit = simulation.Fit(claims=40, exposure=1000.0, mu=7.0, sigma=0.8)
    plain, _ = simulation.simulate(fit, exposure=1000, simulations=20_000, seed=5, parameter_uncertainty=False)
    uncertain, _ = simulation.simulate(fit, exposure=1000, simulations=20_000, seed=5, parameter_uncertainty=True)
    assert uncertain.mean() == pytest.approx(plain.mean(), rel=0.05)
    assert uncertain.std() > 1.2 * plain.std()


def test_the_normal_approximation_for_many_claims_keeps_mean_and_variance(monkeypatch):
    monkeypatch.setattr(simulation, "EXACT_DRAWS_LIMIT", 0)
    fit = fixed()
    totals, method = simulation.simulate(fit, exposure=50_000, simulations=20_000, seed=2, parameter_uncertainty=False)
    expected_count = fit.frequency * 50_000
    assert method == "normal"
    assert totals.mean() == pytest.approx(expected_count * math.exp(fit.mu + fit.sigma ** 2 / 2), rel=0.005)
    assert totals.var() == pytest.approx(expected_count * math.exp(2 * fit.mu + 2 * fit.sigma ** 2), rel=0.05)


def test_the_contribution_needed_meets_the_loss_ratio_and_the_shortfall_probability():
    totals = np.arange(1, 1001, dtype=float) * 100  # 100 ... 100,000, mean 50,050
    needed = simulation.contribution_needed(totals, people=100, target_loss_ratio=0.5, shortfall_probability=0.1,
                                            benefit_share=0.8, reserve=10_000)
    assert needed["for_loss_ratio"] == pytest.approx(50_050 / 0.5 / 100)
    assert needed["for_shortfall"] == pytest.approx((np.quantile(totals, 0.9) - 10_000) / 80)
    assert needed["needed"] == max(needed["for_loss_ratio"], needed["for_shortfall"])
    covered = needed["for_shortfall"] * 100 * 0.8 + 10_000
    assert np.mean(totals > covered) <= 0.1


def test_fitting_recovers_frequency_and_lognormal_parameters():
    rng = np.random.default_rng(1)
    benefits = np.rint(rng.lognormal(7.0, 0.5, 4000) * 100).astype(np.int64)
    fit = simulation.fit_experience(exposure=100_000, benefits_fen=benefits)
    assert fit.frequency == pytest.approx(0.04)
    assert fit.mu == pytest.approx(7.0, abs=0.03) and fit.sigma == pytest.approx(0.5, abs=0.02)
