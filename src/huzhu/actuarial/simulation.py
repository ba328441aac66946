"""Reserve adequacy: a Monte Carlo of next year's claims and the contribution it calls for.

Pure (no Django). Claims per person-year are Poisson; a benefit is lognormal, both fitted to the
experience. With parameter uncertainty each simulated year first draws its own parameters: the
frequency from its Gamma posterior (Jeffreys prior), the lognormal sigma^2 from its scaled inverse
chi-square and mu from its normal given sigma. Seeded: the same inputs give the same answer.

A year's total is the exact sum of its simulated benefits while the number of benefits stays
small enough to draw; past that it is the normal approximation of the sum given the year's
count and parameters (the central limit theorem: tens of thousands of benefits a year).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

EXACT_DRAWS_LIMIT = 20_000_000  # benefits drawn one by one in all simulated years together


@dataclass(frozen=True)
class Fit:
    """Frequency and lognormal severity fitted to an experience (severity in yuan)."""

    claims: int
    exposure: float
    mu: float
    sigma: float

    @property
    def frequency(self) -> float:
        return self.claims / self.exposure if self.exposure > 0 else 0.0

    @property
    def mean_severity(self) -> float:
        return math.exp(self.mu + self.sigma ** 2 / 2)

    def as_dict(self) -> dict:
        return {**asdict(self), "frequency": self.frequency, "mean_severity": self.mean_severity}


def fit_experience(*, exposure: float, benefits_fen: np.ndarray) -> Fit:
    """Maximum-likelihood frequency and lognormal severity (log-mean, log-sd) of paid benefits."""
    values = np.asarray(benefits_fen, dtype=np.float64)
    values = values[values > 0] / 100.0
    if len(values) == 0:
        return Fit(claims=0, exposure=exposure, mu=0.0, sigma=0.0)
    logs = np.log(values)
    sigma = float(np.std(logs, ddof=1)) if len(values) > 1 else 0.0
    return Fit(claims=len(values), exposure=exposure, mu=float(np.mean(logs)), sigma=sigma)


def simulate(fit: Fit, *, exposure: float, simulations: int, seed: int, parameter_uncertainty: bool = True,
             cost_factor: float = 1.0) -> tuple[np.ndarray, str]:
    """Simulated totals (yuan) of a year with `exposure` person-years; and the method used."""
    rng = np.random.default_rng(seed)
    n = max(fit.claims, 1)
    if parameter_uncertainty and fit.claims > 0:
        frequency = rng.gamma(fit.claims + 0.5, 1.0 / fit.exposure, simulations)
        if fit.claims > 1:
            sigma2 = (fit.claims - 1) * fit.sigma ** 2 / rng.chisquare(fit.claims - 1, simulations)
        else:
            sigma2 = np.full(simulations, fit.sigma ** 2)
        mu = rng.normal(fit.mu, np.sqrt(sigma2 / n))
    else:
        frequency = np.full(simulations, fit.frequency)
        sigma2 = np.full(simulations, fit.sigma ** 2)
        mu = np.full(simulations, fit.mu)
    sigma = np.sqrt(sigma2)
    counts = rng.poisson(frequency * exposure)
    scale = float(cost_factor)
    if int(counts.sum()) <= EXACT_DRAWS_LIMIT:
        owner = np.repeat(np.arange(simulations), counts)
        benefits = rng.lognormal(mu[owner], sigma[owner]) * scale
        totals = np.bincount(owner, weights=benefits, minlength=simulations)
        return totals, "exact"
    mean = np.exp(mu + sigma2 / 2) * scale
    variance = (np.exp(sigma2) - 1) * np.exp(2 * mu + sigma2) * scale ** 2
    totals = rng.normal(counts * mean, np.sqrt(counts * variance))
    return np.maximum(totals, 0.0), "normal"


def adequacy(totals: np.ndarray, *, contributions: float, benefit_share: float, reserve: float) -> dict:
    """Shortfall probability: benefits above what the year's contributions leave for benefits plus the reserve."""
    available = contributions * benefit_share + reserve
    quantiles = {f"p{int(q * 1000) / 10:g}": float(np.quantile(totals, q)) for q in (0.5, 0.75, 0.9, 0.95, 0.99, 0.995)}
    return {
        "mean": float(totals.mean()), "sd": float(totals.std(ddof=1)) if len(totals) > 1 else 0.0,
        "quantiles": quantiles, "available": available,
        "shortfall_probability": float(np.mean(totals > available)),
        "expected_shortfall": float(np.mean(np.maximum(totals - available, 0.0))),
        "loss_ratio_mean": float(totals.mean() / contributions) if contributions else None,
    }


def contribution_needed(totals: np.ndarray, *, people: float, target_loss_ratio: float, shortfall_probability: float,
                        benefit_share: float, reserve: float) -> dict:
    """The contribution a person that meets both the target loss ratio and the shortfall probability."""
    if people <= 0:
        return {"for_loss_ratio": None, "for_shortfall": None, "needed": None}
    for_loss_ratio = float(totals.mean()) / target_loss_ratio / people
    # P(S > c * people * share + reserve) <= p  <=>  c >= (q_{1-p}(S) - reserve) / (people * share)
    quantile = float(np.quantile(totals, 1 - shortfall_probability))
    for_shortfall = max(quantile - reserve, 0.0) / (people * benefit_share)
    return {"for_loss_ratio": for_loss_ratio, "for_shortfall": for_shortfall,
            "needed": max(for_loss_ratio, for_shortfall), "quantile": quantile}


def histogram(totals: np.ndarray, bins: int = 40) -> dict:
    """Counts of the simulated totals in equal bins, for the chart."""
    counts, edges = np.histogram(totals, bins=bins)
    return {"edges": [round(float(e), 2) for e in edges], "counts": [int(c) for c in counts]}
