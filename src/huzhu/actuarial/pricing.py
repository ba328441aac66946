"""Next year's price: a Bühlmann–Straub credibility blend of each league's burning cost. Pure (no Django).

Each league's observed burning cost (benefits per person-year) in each year is weighted by its
exposure. The structural parameters are estimated from the data (Bühlmann & Straub 1970, the
unbiased estimators, e.g. Bühlmann & Gisler, *A Course in Credibility Theory*, §4.8):

    within-year variance  s² = Σ_i Σ_j w_ij (X_ij − X_i)² / Σ_i (n_i − 1)
    between-league        a  = (Σ_i w_i (X_i − X̄)² − (I − 1) s²) / (w − Σ_i w_i² / w)
    credibility           Z_i = w_i / (w_i + s²/a)

and each league's cost is blended with the prior the association sets (by default the scheme's
own exposure-weighted mean X̄): Z_i X_i + (1 − Z_i) prior. When a ≤ 0 the leagues do not differ
beyond chance and every Z is 0.
"""
from __future__ import annotations

import math

import pandas as pd


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, places)


def buhlmann_straub(cells: pd.DataFrame, *, prior: float | None = None) -> dict:
    """Credibility-weighted burning cost per group from (group, year, exposure, benefit, claims) rows."""
    cells = cells[cells["exposure"] > 0].copy()
    cells["cost"] = cells["benefit"] / cells["exposure"]
    groups = cells.groupby("group", sort=True)
    weight = groups["exposure"].sum()
    benefit = groups["benefit"].sum()
    claims = groups["claims"].sum()
    years = groups["year"].nunique()
    mean = benefit / weight                       # X_i, the exposure-weighted mean of each group
    total_weight = float(weight.sum())
    collective = float(benefit.sum() / total_weight) if total_weight else 0.0
    deviations = cells["exposure"] * (cells["cost"] - cells["group"].map(mean)) ** 2
    degrees = float((years - 1).sum())
    within = float(deviations.sum() / degrees) if degrees > 0 else math.nan
    count = len(weight)
    spread = total_weight - float((weight ** 2).sum()) / total_weight if total_weight else 0.0
    between = (float((weight * (mean - collective) ** 2).sum()) - (count - 1) * within) / spread \
        if spread > 0 and math.isfinite(within) else math.nan
    credible = math.isfinite(between) and between > 0
    k = within / between if credible else math.inf
    complement = collective if prior is None else float(prior)
    rows = []
    for group in weight.index:
        z = float(weight[group] / (weight[group] + k)) if credible else 0.0
        frequency = float(claims[group] / weight[group])
        rows.append({"label": group, "years": int(years[group]), "exposure": _round(float(weight[group])),
                     "claims": int(claims[group]), "frequency": _round(frequency, 6),
                     "severity": _round(float(benefit[group] / claims[group])) if claims[group] else None,
                     "burning_cost": _round(float(mean[group]), 4), "credibility": round(z, 4),
                     "blended": _round(z * float(mean[group]) + (1 - z) * complement, 4)})
    blended_total = sum(r["blended"] * r["exposure"] for r in rows) / total_weight if total_weight else 0.0
    return {"rows": rows, "collective": _round(collective, 4), "prior": _round(complement, 4),
            "prior_set": prior is not None, "within_variance": _round(within, 4), "between_variance": _round(between, 4),
            "k": _round(k, 2) if credible else None, "exposure": _round(total_weight),
            "blended": _round(blended_total, 4)}


def contribution_for(burning_cost: float, *, benefit_share: float, cost_factor: float = 1.0,
                     trend: float = 0.0) -> float:
    """The contribution per person that pays the expected benefits out of the share left for benefits."""
    return round(burning_cost * cost_factor * (1 + trend) / benefit_share, 2)
