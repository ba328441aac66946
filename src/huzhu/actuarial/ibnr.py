"""IBNR: claim development triangles and chain-ladder reserves (Mack) with the `chainladder` library.

Pure (no Django). The service passes one row per claim: the month of its event (the month index
`year * 12 + month - 1`), the month it was reported (or paid) and its amount in fen. A claim
belongs to the development column of the calendar month it was reported in; every cell of the
upper triangle up to the valuation month is present (zeros included), so the valuation date is
the study's "as of" month and not merely the last month that happened to have a claim.

The reserves come from `chainladder.MackChainladder` on volume-weighted development factors:
by event month (what has occurred but is not yet reported), and by plan year with monthly
development (the ultimate of a year still open, its unexpired months included, as the earlier
years developed). Mack's standard error extrapolates the last sigma as Mack (1993) does
(`sigma_interpolation="mack"`: sigma²_{n-1} = min(sigma⁴_{n-2}/sigma²_{n-3}, sigma²_{n-3}, sigma²_{n-2})),
so the published Taylor–Ashe and RAA figures are reproduced; chainladder's default log-linear
extrapolation gives 2,441,364 instead of 2,447,095 on Taylor–Ashe.

Beside the chain ladder: Bornhuetter–Ferguson, the expected loss ratio method and Benktander,
each from chainladder's own estimator with the contributions of each accident period as the
exposure and the expected loss ratio of the pricing basis as the a-priori; the regulatory figure
(the larger of the methods, with a floor while the scheme is young) and an over-dispersed
Poisson bootstrap (England & Verrall, process variance included) of the total reserve.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from huzhu.core.translation import gettext_noop

GRAINS = {"OMDM": gettext_noop("按月"), "OQDQ": gettext_noop("按季"), "OYDM": gettext_noop("按年（逐月进展）"),
          "OYDY": gettext_noop("按年")}


def month_of(day) -> int:
    """The month index of a date."""
    return day.year * 12 + day.month - 1


def months_from_days(epoch_days: np.ndarray) -> np.ndarray:
    """Month indexes of epoch-day numbers (days since 1970-01-01)."""
    months = np.asarray(epoch_days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def development(origin_month: np.ndarray, later_month: np.ndarray, amount_fen: np.ndarray, *,
                first_month: int, last_month: int) -> dict:
    """Incremental triangles (event month x months to report or pay): counts and amounts.

    Cells after the valuation month are None; rows later than `later_month` are left out.
    """
    origin = np.asarray(origin_month, dtype=np.int64)
    later = np.asarray(later_month, dtype=np.int64)
    amount = np.asarray(amount_fen, dtype=np.int64)
    keep = (origin >= first_month) & (origin <= last_month) & (later <= last_month)
    origin, lag, amount = origin[keep] - first_month, np.maximum(later[keep] - origin[keep], 0), amount[keep]
    size = last_month - first_month + 1
    counts = np.zeros((size, size), dtype=np.int64)
    amounts = np.zeros((size, size), dtype=np.int64)
    np.add.at(counts, (origin, lag), 1)
    np.add.at(amounts, (origin, lag), amount)

    def upper(matrix: np.ndarray) -> list[list[int | None]]:
        return [[int(matrix[o, d]) if o + d < size else None for d in range(size)] for o in range(size)]

    return {"origins": [month_label(first_month + o) for o in range(size)], "lags": list(range(size)),
            "count": upper(counts), "amount_fen": upper(amounts)}


def incremental_frame(origin_month: np.ndarray, later_month: np.ndarray, amount_fen: np.ndarray, *,
                      first_month: int, last_month: int) -> pd.DataFrame:
    """Long incremental rows in yuan for `chainladder.Triangle`, every upper-triangle cell present."""
    origin = np.asarray(origin_month, dtype=np.int64)
    later = np.maximum(np.asarray(later_month, dtype=np.int64), origin)
    keep = (origin >= first_month) & (later <= last_month)
    claims = pd.DataFrame({"origin": origin[keep], "later": later[keep],
                           "amount": np.asarray(amount_fen, dtype=np.int64)[keep] / 100.0})
    grid_origin, grid_later = np.meshgrid(np.arange(first_month, last_month + 1), np.arange(first_month, last_month + 1),
                                          indexing="ij")
    upper = grid_later >= grid_origin
    zeros = pd.DataFrame({"origin": grid_origin[upper], "later": grid_later[upper], "amount": 0.0})
    frame = pd.concat([claims, zeros]).groupby(["origin", "later"], as_index=False)["amount"].sum()
    frame["origin"] = [month_label(m) for m in frame["origin"]]
    frame["later"] = [month_label(m) for m in frame["later"]]
    return frame


def _number(value) -> float | None:
    value = float(value)
    return round(value, 2) if math.isfinite(value) else None


def developed(cumulative):
    """Volume-weighted development factors, the last sigma extrapolated as Mack (1993) does."""
    import chainladder as cl  # imported here: loading it (numba, scikit-learn) takes seconds

    return cl.Development(average="volume", sigma_interpolation="mack").fit_transform(cumulative)


def mack_summary(cumulative) -> dict:
    """Mack chain ladder of a cumulative `chainladder.Triangle`: per origin and in total."""
    import chainladder as cl  # imported here: loading it (numba, scikit-learn) takes seconds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty columns give 0/0 factors: reported as None below
        model = cl.MackChainladder().fit(developed(cumulative))
        summary = model.summary_.to_frame(origin_as_datetime=True)
        ldf = model.ldf_.to_frame().iloc[0]
        total_se = float(np.asarray(model.total_mack_std_err_.values).ravel()[0])
    summary = summary.astype(float).where(np.isfinite(summary.astype(float)))
    latest = summary["Latest"].fillna(0.0)
    ibnr = summary["IBNR"].fillna(0.0)
    ultimate = summary["Ultimate"].fillna(latest)
    rows = [{"origin": pd.Timestamp(origin).strftime("%Y-%m"), "latest": round(float(latest[origin]), 2),
             "ibnr": round(float(ibnr[origin]), 2), "ultimate": round(float(ultimate[origin]), 2),
             "mack_se": _number(summary["Mack Std Err"][origin]) or 0.0} for origin in summary.index]
    return {
        "rows": rows,
        "latest": round(float(latest.sum()), 2),
        "ibnr": round(float(ibnr.sum()), 2),
        "ultimate": round(float(ultimate.sum()), 2),
        "mack_se": _number(total_se) or 0.0,
        "factors": [{"age": str(age), "ldf": _number(value)} for age, value in ldf.items()],
    }


def cumulative_triangle(origin_month: np.ndarray, later_month: np.ndarray, amount_fen: np.ndarray, *,
                        first_month: int, last_month: int, grain: str = "OMDM"):
    """The cumulative `chainladder.Triangle` (yuan) of claims (event month, report or payment month, amount)."""
    import chainladder as cl

    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain}")
    frame = incremental_frame(origin_month, later_month, amount_fen, first_month=first_month, last_month=last_month)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        triangle = cl.Triangle(frame, origin="origin", development="later", columns=["amount"],
                               cumulative=False).incr_to_cum()
        if grain != "OMDM":
            triangle = triangle.grain(grain)
    return triangle


def chain_ladder(origin_month: np.ndarray, later_month: np.ndarray, amount_fen: np.ndarray, *,
                 first_month: int, last_month: int, grain: str = "OMDM") -> dict:
    """Mack chain ladder of claims (event month, report or payment month, amount) at a grain."""
    triangle = cumulative_triangle(origin_month, later_month, amount_fen, first_month=first_month,
                                   last_month=last_month, grain=grain)
    return {"grain": grain, **mack_summary(triangle)}


def plan_year_reserve(summary_by_year: dict, year: int, *, paid_fen: int, reported_fen: int) -> dict:
    """The plan year's line of an annual-origin Mack summary, beside what is reported and paid."""
    row = next((r for r in summary_by_year["rows"] if r["origin"].startswith(str(year))), None)
    ultimate = row["ultimate"] if row else reported_fen / 100.0
    se = row["mack_se"] if row else 0.0
    return {"year": year, "reported": round(reported_fen / 100.0, 2), "paid": round(paid_fen / 100.0, 2),
            "ultimate": ultimate, "mack_se": se, "ibnr": round(ultimate - reported_fen / 100.0, 2),
            "outstanding": round(ultimate - paid_fen / 100.0, 2),
            "cv": round(se / ultimate, 4) if ultimate else None}


# --- several methods side by side ----------------------------------------------------------------
METHODS = {"chain_ladder": gettext_noop("链梯法"), "bornhuetter_ferguson": gettext_noop("B-F 法"),
           "expected_loss_ratio": gettext_noop("预期赔付率法"), "benktander": gettext_noop("Benktander 法")}
# DOMAIN (《健康保险管理办法》 art. 49, as the scheme reads it): IBNR by at least two methods, the larger
# taken; while fewer than three years of data exist, at least 10% of the year's paid claims.
FLOOR_RATE = 0.10
FLOOR_YEARS = 3


def origin_periods(cumulative) -> list[str]:
    """The triangle's accident periods as "YYYY-MM" of their first month."""
    return [pd.Timestamp(p.start_time).strftime("%Y-%m") for p in cumulative.origin]


def exposure_by_origin(cumulative, earned_by_month: dict[int, float]) -> np.ndarray:
    """Contributions (yuan) earned in each accident period of the triangle, from month index -> yuan."""
    freq = cumulative.origin.freqstr
    totals = {str(p): 0.0 for p in cumulative.origin}
    for month, amount in earned_by_month.items():
        period = str(pd.Period(month_label(month), freq="M").asfreq(freq))
        if period in totals:
            totals[period] += amount
    return np.array([totals[str(p)] for p in cumulative.origin], dtype=float)


def earned_by_month(contribution_fen: np.ndarray, start_day: np.ndarray, end_day: np.ndarray) -> dict[int, float]:
    """Each calendar month's earned contributions in yuan: a coverage earns evenly over its days (1/365)."""
    contribution = np.asarray(contribution_fen, dtype=np.float64) / 100.0
    start = np.asarray(start_day, dtype=np.int64)
    end = np.asarray(end_day, dtype=np.int64)
    keep = (end >= start) & (contribution > 0)
    if not keep.any():
        return {}
    contribution, start, end = contribution[keep], start[keep], end[keep]
    first, last = int(start.min()), int(end.max())
    rate = np.zeros(last - first + 2)
    daily = contribution / (end - start + 1)
    np.add.at(rate, start - first, daily)
    np.add.at(rate, end - first + 1, -daily)
    per_day = np.cumsum(rate)[:-1]
    months = months_from_days(np.arange(first, last + 1))
    sums = pd.Series(per_day).groupby(months).sum()
    return {int(month): float(amount) for month, amount in sums.items()}


def _weights(cumulative, exposure: np.ndarray):
    weights = cumulative.latest_diagonal * 0
    weights.values = np.asarray(exposure, dtype=float).reshape(weights.values.shape)
    return weights


def _per_origin(triangle) -> np.ndarray:
    values = np.asarray(triangle.values, dtype=float).reshape(-1)
    return np.where(np.isfinite(values), values, 0.0)


def methods_summary(cumulative, exposure: np.ndarray, *, expected_loss_ratio: float,
                    benktander_iterations: int = 2) -> dict:
    """IBNR of each accident period by chain ladder, Bornhuetter–Ferguson, expected loss ratio and Benktander.

    `exposure` is the contributions of each accident period (yuan); the a-priori ultimate is
    `expected_loss_ratio * exposure`. Each method is chainladder's own estimator on the same
    development factors.
    """
    import chainladder as cl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        development_model = developed(cumulative)
        weights = _weights(cumulative, exposure)
        estimators = {
            "chain_ladder": cl.Chainladder(),
            "bornhuetter_ferguson": cl.BornhuetterFerguson(apriori=expected_loss_ratio),
            "expected_loss_ratio": cl.ExpectedLoss(apriori=expected_loss_ratio),
            "benktander": cl.Benktander(apriori=expected_loss_ratio, n_iters=benktander_iterations),
        }
        ibnr = {name: _per_origin(model.fit(development_model, sample_weight=weights).ibnr_)
                for name, model in estimators.items()}
        latest = _per_origin(cumulative.latest_diagonal)
        mack = cl.MackChainladder().fit(development_model)
        mack_se = np.nan_to_num(mack.summary_.to_frame()["Mack Std Err"].to_numpy(dtype=float))
        total_se = float(np.asarray(mack.total_mack_std_err_.values).ravel()[0])
        cdf = _per_origin(cl.Chainladder().fit(development_model).ultimate_) / np.where(latest, latest, np.nan)
    rows = []
    for index, origin in enumerate(origin_periods(cumulative)):
        rows.append({"origin": origin, "latest": round(float(latest[index]), 2),
                     "exposure": round(float(exposure[index]), 2),
                     "reported_share": round(1 / float(cdf[index]), 4) if np.isfinite(cdf[index]) and cdf[index] else None,
                     "mack_se": round(float(mack_se[index]), 2),
                     **{name: round(float(values[index]), 2) for name, values in ibnr.items()}})
    return {"methods": list(METHODS), "expected_loss_ratio": expected_loss_ratio,
            "benktander_iterations": benktander_iterations, "rows": rows,
            "latest": round(float(latest.sum()), 2), "exposure": round(float(np.sum(exposure)), 2),
            "totals": {name: round(float(values.sum()), 2) for name, values in ibnr.items()},
            "mack_se": _number(total_se) or 0.0}


def regulatory_ibnr(totals: dict[str, float], *, methods: tuple[str, ...], data_years: float,
                    paid_in_year: float) -> dict:
    """The reserve the rule asks for: the largest of the chosen methods (at least two), floored while young."""
    if len(set(methods)) < 2:
        raise ValueError("at least two methods")
    chosen = max(methods, key=lambda name: totals[name])
    largest = totals[chosen]
    floor_applies = data_years < FLOOR_YEARS
    floor = round(FLOOR_RATE * paid_in_year, 2) if floor_applies else None
    by_floor = floor is not None and floor > largest
    return {"methods": list(methods), "method": chosen, "largest": largest, "data_years": round(data_years, 2),
            "floor_applies": floor_applies, "paid_in_year": round(paid_in_year, 2), "floor": floor,
            "by_floor": by_floor, "amount": floor if by_floor else largest}


# A bootstrap holds simulations x origins x developments cells several times over: 84 monthly
# origins and 1,000 simulations peaked at 3 GB (measured), so larger triangles are bootstrapped coarser.
BOOTSTRAP_CELLS = 48 * 48
COARSER = {"OMDM": ("OMDM", "OQDQ", "OYDY"), "OQDQ": ("OQDQ", "OYDY"), "OYDM": ("OYDM", "OYDY"), "OYDY": ("OYDY",)}


def bootstrap_triangle(cumulative, grain: str):
    """The triangle to bootstrap and its grain: the study's own unless too large, then the next coarser."""
    for candidate in COARSER[grain]:
        triangle = cumulative if candidate == grain else cumulative.grain(candidate)
        if len(triangle.origin) * len(triangle.development) <= BOOTSTRAP_CELLS:
            return triangle, candidate
    return triangle, candidate


def bootstrap_reserve(cumulative, *, simulations: int, seed: int,
                      percentiles: tuple[float, ...] = (50, 75, 90, 95, 99, 99.5)) -> dict:
    """Over-dispersed Poisson bootstrap (England & Verrall) of the total reserve, process variance included.

    chainladder resamples the Pearson residuals into `simulations` triangles and, when a chain
    ladder is fitted to them, draws the future increments from a gamma with the ODP scale; it
    seeds that draw with `seed + 1`, so a seed of 0 would not be reproducible (callers pass >= 1).
    """
    import chainladder as cl

    if seed < 1:
        raise ValueError("seed must be at least 1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        samples = cl.BootstrapODPSample(n_sims=simulations, random_state=seed).fit_transform(cumulative)
        totals = np.asarray(cl.Chainladder().fit(samples).ibnr_.sum("origin").values, dtype=float).reshape(-1)
        scale = float(np.asarray(samples.scale_).ravel()[0])
    totals = totals[np.isfinite(totals)]
    if totals.size == 0:
        return {"simulations": 0}
    counts, edges = np.histogram(totals, bins=30)
    return {"simulations": int(totals.size), "seed": seed, "scale": round(scale, 4),
            "mean": round(float(totals.mean()), 2), "sd": round(float(totals.std(ddof=1)), 2),
            "percentiles": [{"p": p, "value": round(float(np.percentile(totals, p)), 2)} for p in percentiles],
            "histogram": {"counts": counts.tolist(), "edges": [round(float(e), 2) for e in edges]}}
