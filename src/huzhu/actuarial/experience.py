"""Experience study: exposure, claim frequency, severity, burning cost and loss ratio by group.

Pure (no Django; import-linter contract). The service passes two DataFrames:

- coverages, one row per coverage: `coverage_id`, `exposure` (covered person-years, pro-rated for
  mid-year joins and leaves and, in an open plan year, up to the valuation date), `contribution_fen`,
  and one column per dimension;
- claims, one row per paid claim: `coverage_id`, `benefit_fen` (only claims with a benefit > 0).

Sums of money stay exact in integer fen; the statistics (rates, means, confidence intervals) are
estimates, returned as floats rounded for display and never booked anywhere.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from huzhu.core.translation import gettext_noop

DIMENSIONS = {"league": gettext_noop("盟市"), "age_band": gettext_noop("年龄段"), "gender": gettext_noop("性别"),
              "sector": gettext_noop("行业"), "kind": gettext_noop("人员类别")}
AGE_BANDS = ((16, 30, "16–29岁"), (30, 40, "30–39岁"), (40, 50, "40–49岁"), (50, 60, "50–59岁"), (60, 200, "60岁及以上"))
GENDER_LABELS = {"M": "男", "F": "女"}
KIND_LABELS = {"employee": "在职职工", "gig": "新就业形态劳动者"}
BOOTSTRAP_RESAMPLES = 2000


def exposure_years(start_day: np.ndarray, end_day: np.ndarray, period_start_day: int, period_end_day: int,
                   valued_day: int | None = None) -> np.ndarray:
    """Covered fraction of the protection period per coverage: days inside it over its length (inclusive).

    With a valuation day inside the period (an open plan year) only the days up to it count: a
    coverage of the whole year valued on day 273 of 365 is 273/365 person-years, like its claims.
    """
    start = np.maximum(np.asarray(start_day, dtype=np.int64), period_start_day)
    last_day = period_end_day if valued_day is None else min(period_end_day, valued_day)
    end = np.minimum(np.asarray(end_day, dtype=np.int64), last_day)
    days = np.clip(end - start + 1, 0, None)
    return days / float(period_end_day - period_start_day + 1)


def ages_on(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years of age of datetime64[D] birth dates on datetime64[D] days, row by row."""
    def parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        months = days.astype("datetime64[M]")
        month_day = (months.astype(np.int64) % 12 + 1) * 100 + (days - months).astype(np.int64) + 1
        return months.astype("datetime64[Y]").astype(np.int64), month_day

    birth_year, birth_month_day = parts(np.asarray(birth, dtype="datetime64[D]"))
    year, month_day = parts(np.asarray(on, dtype="datetime64[D]"))
    return year - birth_year - (month_day < birth_month_day)


def age_band(ages: np.ndarray) -> np.ndarray:
    """The age band label of each age (below 16 goes to the first band)."""
    labels = np.array([label for _, _, label in AGE_BANDS], dtype=object)
    uppers = np.array([upper for _, upper, _ in AGE_BANDS])
    return labels[np.minimum(np.searchsorted(uppers, np.asarray(ages), side="right"), len(labels) - 1)]


def poisson_interval(count: int, exposure: float, confidence: float) -> tuple[float | None, float | None]:
    """Exact (Garwood) interval of a Poisson rate: chi-square quantiles of the count over the exposure."""
    if exposure <= 0:
        return None, None
    alpha = 1 - confidence
    low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(low) / exposure, float(high) / exposure


def mean_interval(values_yuan: np.ndarray, confidence: float, *, bootstrap_below: int,
                  rng: np.random.Generator) -> tuple[float | None, float | None, str]:
    """Interval of a mean: normal when there are enough values, bootstrap percentiles when few."""
    n = len(values_yuan)
    if n < 2:
        return None, None, ""
    if n >= bootstrap_below:
        z = stats.norm.ppf(0.5 + confidence / 2)
        half = z * float(np.std(values_yuan, ddof=1)) / math.sqrt(n)
        mean = float(np.mean(values_yuan))
        return mean - half, mean + half, "normal"
    resamples = rng.choice(values_yuan, size=(BOOTSTRAP_RESAMPLES, n), replace=True).mean(axis=1)
    alpha = 1 - confidence
    return float(np.quantile(resamples, alpha / 2)), float(np.quantile(resamples, 1 - alpha / 2)), "bootstrap"


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, places)


def cell(label: str, *, coverages: int, exposure: float, contribution_fen: int, benefits_fen: np.ndarray,
         confidence: float, bootstrap_below: int, rng: np.random.Generator) -> dict:
    """The figures of one group: counts and sums exact, rates and intervals estimated."""
    claims = len(benefits_fen)
    total_fen = int(benefits_fen.sum())
    yuan = benefits_fen / 100.0
    frequency = claims / exposure if exposure > 0 else None
    frequency_low, frequency_high = poisson_interval(claims, exposure, confidence)
    severity = float(yuan.mean()) if claims else None
    severity_low, severity_high, severity_method = mean_interval(yuan, confidence, bootstrap_below=bootstrap_below,
                                                                 rng=rng)
    burning = total_fen / 100.0 / exposure if exposure > 0 else None
    burning_low = burning_high = None
    if burning is not None and claims:
        # compound Poisson: Var(S) = lambda E[X^2], estimated by the sum of squared benefits
        half = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(float((yuan ** 2).sum())) / exposure
        burning_low, burning_high = max(burning - half, 0.0), burning + half
    return {
        "label": label, "coverages": coverages, "exposure": round(exposure, 4), "claims": claims,
        "benefit_fen": total_fen, "contribution_fen": int(contribution_fen),
        "frequency": _rounded(frequency, 6), "frequency_low": _rounded(frequency_low, 6),
        "frequency_high": _rounded(frequency_high, 6),
        "severity": _rounded(severity, 2), "severity_low": _rounded(severity_low, 2),
        "severity_high": _rounded(severity_high, 2), "severity_method": severity_method,
        "burning_cost": _rounded(burning, 2), "burning_cost_low": _rounded(burning_low, 2),
        "burning_cost_high": _rounded(burning_high, 2),
        "loss_ratio": _rounded(total_fen / contribution_fen, 4) if contribution_fen else None,
    }


def study(coverages: pd.DataFrame, claims: pd.DataFrame, *, dimensions: tuple[str, ...] = tuple(DIMENSIONS),
          confidence: float = 0.95, bootstrap_below: int = 30, seed: int = 0) -> dict:
    """The whole portfolio and each dimension's groups, largest exposure first."""
    rng = np.random.default_rng(seed)
    joined = claims.merge(coverages, on="coverage_id", how="inner", validate="many_to_one")

    def figures(label, covered: pd.DataFrame, paid: pd.DataFrame) -> dict:
        return cell(str(label), coverages=len(covered), exposure=float(covered["exposure"].sum()),
                    contribution_fen=int(covered["contribution_fen"].sum()),
                    benefits_fen=paid["benefit_fen"].to_numpy(dtype=np.int64), confidence=confidence,
                    bootstrap_below=bootstrap_below, rng=rng)

    result = {"confidence": confidence, "total": figures("合计", coverages, joined), "by": {}}
    for dimension in dimensions:
        paid_groups = dict(iter(joined.groupby(dimension, sort=False)))
        rows = [figures(key, group, paid_groups.get(key, joined.iloc[0:0]))
                for key, group in coverages.groupby(dimension, sort=False)]
        if dimension == "age_band":  # bands in age order; other groups largest exposure first
            order = {label: index for index, (_, _, label) in enumerate(AGE_BANDS)}
            result["by"][dimension] = sorted(rows, key=lambda row: order.get(row["label"], len(order)))
        else:
            result["by"][dimension] = sorted(rows, key=lambda row: (-row["exposure"], row["label"]))
    return result
