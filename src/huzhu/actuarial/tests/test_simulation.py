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


# DOMAIN: women's tiers 32,000 / 8,000 / 3,000 and the top-ups 24,000 (B then A) and 5,000 (C then B)
WOMEN_BENEFITS_YUAN = [32_000] * 40 + [8_000] * 10 + [3_000] * 6 + [24_000] * 3 + [5_000] * 1


def test_a_workers_simulated_year_never_pays_more_than_the_yearly_cap():
    # a heavy lognormal and three claims a person-year: without the caps one year of one worker pays millions
    fit = simulation.Fit(claims=3000, exposure=1000.0, mu=10.0, sigma=2.0, claim_cap=32_000.0, year_cap=32_000.0)
    one_worker, _ = simulation.simulate(fit, exposure=1, simulations=20_000, seed=4, parameter_uncertainty=False)
    assert one_worker.max() <= 32_000.0
    assert one_worker.max() == 32_000.0  # the cap binds, it is not merely far away
    ten_workers, _ = simulation.simulate(fit, exposure=10, simulations=5_000, seed=4)
    assert ten_workers.max() <= 320_000.0


def test_the_spread_of_the_year_stays_under_what_paying_every_claim_the_cap_would_give():
    fit = simulation.Fit(claims=60, exposure=30_000.0, mu=9.9, sigma=1.6, claim_cap=32_000.0, year_cap=32_000.0)
    totals, _ = simulation.simulate(fit, exposure=50_000, simulations=20_000, seed=8, parameter_uncertainty=False)
    expected_count = fit.frequency * 50_000
    # Var(S) = lambda E[min(X, cap)^2] <= lambda cap^2: the SD is at most cap x sqrt(expected claims)
    assert totals.std() <= 32_000 * math.sqrt(expected_count) * 1.02
    assert fit.mean_severity < 32_000


def test_capped_lognormal_moments_match_capped_draws():
    fit = simulation.Fit(claims=100, exposure=1000.0, mu=9.0, sigma=1.5, claim_cap=30_000.0)
    draws = np.minimum(np.random.default_rng(3).lognormal(9.0, 1.5, 2_000_000), 30_000.0)
    assert fit.mean_severity == pytest.approx(draws.mean(), rel=0.005)
    assert fit.sd_severity == pytest.approx(draws.std(), rel=0.005)


def test_the_normal_approximation_uses_the_capped_severity(monkeypatch):
    monkeypatch.setattr(simulation, "EXACT_DRAWS_LIMIT", 0)
    fit = simulation.Fit(claims=400, exposure=10_000.0, mu=9.0, sigma=1.5, claim_cap=30_000.0, year_cap=30_000.0)
    totals, method = simulation.simulate(fit, exposure=50_000, simulations=20_000, seed=2, parameter_uncertainty=False)
    count = fit.frequency * 50_000
    assert method == "normal"
    assert totals.mean() == pytest.approx(count * fit.mean_severity, rel=0.005)
    assert totals.var() == pytest.approx(count * (fit.sd_severity ** 2 + fit.mean_severity ** 2), rel=0.05)


def test_empirical_severities_are_only_the_amounts_actually_paid():
    benefits = np.array(WOMEN_BENEFITS_YUAN) * 100
    fit = simulation.fit_experience(exposure=30_000, benefits_fen=benefits, severity_model=simulation.EMPIRICAL,
                                    claim_cap=32_000.0, year_cap=32_000.0)
    totals, _ = simulation.simulate(fit, exposure=30_000, simulations=5_000, seed=6)
    assert np.all(totals % 1000 == 0)  # sums of 32,000 / 24,000 / 8,000 / 5,000 / 3,000
    assert fit.mean_severity == pytest.approx(np.mean(WOMEN_BENEFITS_YUAN))
    assert fit.as_dict()["severity_model"] == "empirical" and "benefits" not in fit.as_dict()


def resampled_contribution(sample_yuan, *, exposure, people, simulations, seed, target_loss_ratio, shortfall,
                           share) -> float:
    """The contribution a person needs, by resampling the claims directly: Poisson count, amounts drawn with replacement."""
    rng = np.random.default_rng(seed)
    sample = np.asarray(sample_yuan, dtype=float)
    counts = rng.poisson(len(sample) / exposure * people, simulations)
    totals = np.array([rng.choice(sample, size=n).sum() for n in counts])
    return max(totals.mean() / target_loss_ratio / people, np.quantile(totals, 1 - shortfall) / (people * share))


def test_the_recommended_womens_contribution_is_close_to_resampling_the_claims():
    benefits = np.array(WOMEN_BENEFITS_YUAN) * 100
    fit = simulation.fit_experience(exposure=30_000, benefits_fen=benefits, severity_model=simulation.EMPIRICAL,
                                    claim_cap=32_000.0, year_cap=32_000.0)
    totals, _ = simulation.simulate(fit, exposure=30_000, simulations=20_000, seed=1, parameter_uncertainty=False)
    needed = simulation.contribution_needed(totals, people=30_000, target_loss_ratio=0.85, shortfall_probability=0.05,
                                            benefit_share=0.87, reserve=0.0)["needed"]
    expected = resampled_contribution(WOMEN_BENEFITS_YUAN, exposure=30_000, people=30_000, simulations=20_000, seed=77,
                                      target_loss_ratio=0.85, shortfall=0.05, share=0.87)
    assert needed == pytest.approx(expected, rel=0.03)
