"""Reserve adequacy: a Monte Carlo of next year's claims and the contribution it calls for.

Pure (no Django). Claims per person-year are Poisson. A benefit is drawn from a severity model
and never pays more than the terms allow: each claim is cut at the most one claim can pay, and
each worker's year at the yearly cap. Two severity models: a lognormal fitted to the experience
(hospitalization), or the empirical distribution of the benefits actually paid (the women's plan,
a handful of fixed lump sums and their top-ups, which no lognormal describes). With parameter
uncertainty each simulated year first draws its own parameters: the frequency from its Gamma
posterior (Jeffreys prior); for the lognormal, sigma^2 from its scaled inverse chi-square and mu
from its normal given sigma. Seeded: the same inputs give the same answer.

A year's total is the exact sum of its simulated benefits while the number of benefits stays
small enough to draw; past that it is the normal approximation of the sum given the year's
count and parameters (the central limit theorem: tens of thousands of benefits a year), with the
moments of the capped severity (the yearly cap is then applied per claim, which can only overstate).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

EXACT_DRAWS_LIMIT = 20_000_000  # benefits drawn one by one in all simulated years together
LOGNORMAL, EMPIRICAL = "lognormal", "empirical"


@dataclass(frozen=True)
class Fit:
    """Frequency and severity fitted to an experience (severity in yuan), and the terms' caps."""

    claims: int
    exposure: float
    mu: float
    sigma: float
    severity_model: str = LOGNORMAL
    claim_cap: float | None = None  # the most one claim can pay under the terms
    year_cap: float | None = None  # the most one worker's year can pay under the terms
    benefits: tuple[float, ...] = field(default=(), repr=False)  # observed benefits, for EMPIRICAL

    @property
    def frequency(self) -> float:
        return self.claims / self.exposure if self.exposure > 0 else 0.0

    @property
    def mean_severity(self) -> float:
        """Expected benefit of one claim, after the per-claim cap."""
        return severity_moments(self, np.array([self.mu]), np.array([self.sigma ** 2]))[0][0]

    @property
    def sd_severity(self) -> float:
        mean, second = severity_moments(self, np.array([self.mu]), np.array([self.sigma ** 2]))
        return math.sqrt(max(float(second[0] - mean[0] ** 2), 0.0))

    def as_dict(self) -> dict:
        fields = {key: value for key, value in asdict(self).items() if key != "benefits"}
        return {**fields, "frequency": self.frequency, "mean_severity": self.mean_severity,
                "sd_severity": self.sd_severity}


def fit_experience(*, exposure: float, benefits_fen: np.ndarray, severity_model: str = LOGNORMAL,
                   claim_cap: float | None = None, year_cap: float | None = None) -> Fit:
    """Maximum-likelihood frequency and lognormal severity (log-mean, log-sd) of paid benefits.

    The caps are the terms' (yuan); with EMPIRICAL the paid benefits themselves are the severity.
    """
    if severity_model not in (LOGNORMAL, EMPIRICAL):
        raise ValueError(f"unknown severity model {severity_model}")
    values = np.asarray(benefits_fen, dtype=np.float64)
    values = values[values > 0] / 100.0
    caps = {"severity_model": severity_model, "claim_cap": claim_cap, "year_cap": year_cap}
    if len(values) == 0:
        return Fit(claims=0, exposure=exposure, mu=0.0, sigma=0.0, **caps)
    logs = np.log(values)
    sigma = float(np.std(logs, ddof=1)) if len(values) > 1 else 0.0
    observed = tuple(float(v) for v in values) if severity_model == EMPIRICAL else ()
    return Fit(claims=len(values), exposure=exposure, mu=float(np.mean(logs)), sigma=sigma, benefits=observed, **caps)


def _claim_cap(fit: Fit) -> float:
    caps = [c for c in (fit.claim_cap, fit.year_cap) if c is not None]
    return min(caps) if caps else math.inf


def severity_moments(fit: Fit, mu: np.ndarray, sigma2: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """E[X] and E[X^2] of one claim's benefit, X = min(scale x severity, per-claim cap)."""
    cap = _claim_cap(fit)
    if fit.severity_model == EMPIRICAL:
        values = np.minimum(np.asarray(fit.benefits, dtype=np.float64) * scale, cap)
        first, second = (float(values.mean()), float((values ** 2).mean())) if len(values) else (0.0, 0.0)
        return np.full(len(mu), first), np.full(len(mu), second)
    mu = np.asarray(mu, dtype=np.float64) + math.log(scale)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    if not math.isfinite(cap):
        return np.exp(mu + sigma2 / 2), np.exp(2 * mu + 2 * sigma2)
    # limited moments of a lognormal: E[min(X,c)^k] = e^(k mu + k^2 s^2/2) Phi((ln c - mu - k s^2)/s) + c^k P(X > c)
    sigma = np.maximum(np.sqrt(sigma2), 1e-12)
    log_cap = math.log(cap)
    above = stats.norm.sf((log_cap - mu) / sigma)
    first = np.exp(mu + sigma2 / 2) * stats.norm.cdf((log_cap - mu - sigma2) / sigma) + cap * above
    second = np.exp(2 * mu + 2 * sigma2) * stats.norm.cdf((log_cap - mu - 2 * sigma2) / sigma) + cap ** 2 * above
    return first, second


def _draw_severities(fit: Fit, rng: np.random.Generator, mu: np.ndarray, sigma: np.ndarray, scale: float) -> np.ndarray:
    """One benefit per simulated claim (the parameters given per claim), cut at the per-claim cap."""
    if fit.severity_model == EMPIRICAL:
        # DOMAIN: the women's benefits are fixed lump sums: resample the amounts actually paid
        drawn = rng.choice(np.asarray(fit.benefits, dtype=np.float64), size=len(mu)) * scale
    else:
        drawn = rng.lognormal(mu, sigma) * scale
    return np.minimum(drawn, _claim_cap(fit))


def _capped_worker_years(rng: np.random.Generator, owner: np.ndarray, benefits: np.ndarray, *, people: int,
                         cap: float, simulations: int) -> np.ndarray:
    """Each simulated year's total when its claims fall on workers drawn at random and each worker's
    year is cut at the yearly cap."""
    worker = rng.integers(0, people, size=len(owner))
    keys = owner.astype(np.int64) * people + worker
    order = np.argsort(keys, kind="stable")
    keys, amounts = keys[order], benefits[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    worker_years = np.minimum(np.add.reduceat(amounts, starts), cap)
    return np.bincount(keys[starts] // people, weights=worker_years, minlength=simulations)


def simulate(fit: Fit, *, exposure: float, simulations: int, seed: int, parameter_uncertainty: bool = True,
             cost_factor: float = 1.0) -> tuple[np.ndarray, str]:
    """Simulated totals (yuan) of a year with `exposure` person-years; and the method used."""
    rng = np.random.default_rng(seed)
    n = max(fit.claims, 1)
    lognormal = fit.severity_model == LOGNORMAL
    if parameter_uncertainty and fit.claims > 0:
        frequency = rng.gamma(fit.claims + 0.5, 1.0 / fit.exposure, simulations)
        if lognormal and fit.claims > 1:
            sigma2 = (fit.claims - 1) * fit.sigma ** 2 / rng.chisquare(fit.claims - 1, simulations)
        else:
            sigma2 = np.full(simulations, fit.sigma ** 2)
        mu = rng.normal(fit.mu, np.sqrt(sigma2 / n)) if lognormal else np.full(simulations, fit.mu)
    else:
        frequency = np.full(simulations, fit.frequency)
        sigma2 = np.full(simulations, fit.sigma ** 2)
        mu = np.full(simulations, fit.mu)
    sigma = np.sqrt(sigma2)
    counts = rng.poisson(frequency * exposure)
    scale = float(cost_factor)
    if int(counts.sum()) <= EXACT_DRAWS_LIMIT:
        owner = np.repeat(np.arange(simulations), counts)
        benefits = _draw_severities(fit, rng, mu[owner], sigma[owner], scale)
        if fit.year_cap is not None and len(owner):
            # DOMAIN: at most the yearly cap a worker a plan year, for all the worker's claims together
            totals = _capped_worker_years(rng, owner, benefits, people=max(int(round(exposure)), 1), cap=fit.year_cap,
                                          simulations=simulations)
        else:
            totals = np.bincount(owner, weights=benefits, minlength=simulations)
        return totals, "exact"
    mean, second = severity_moments(fit, mu, sigma2, scale)
    variance = np.maximum(second - mean ** 2, 0.0)
    # the sum of N benefits: mean N E[X], variance N Var(X) given the year's count N
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
