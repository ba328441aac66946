"""IBNR: claim development triangles and chain-ladder reserves (Mack) with the `chainladder` library.

Pure (no Django). The service passes one row per claim: the month of its event (the month index
`year * 12 + month - 1`), the month it was reported (or paid) and its amount in fen. A claim
belongs to the development column of the calendar month it was reported in; every cell of the
upper triangle up to the valuation month is present (zeros included), so the valuation date is
the study's "as of" month and not merely the last month that happened to have a claim.

The reserves come from `chainladder.MackChainladder` on volume-weighted development factors:
by event month (what has occurred but is not yet reported), and by plan year with monthly
development (the ultimate of a year still open, its unexpired months included, as the earlier
years developed).
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


def mack_summary(cumulative) -> dict:
    """Mack chain ladder of a cumulative `chainladder.Triangle`: per origin and in total."""
    import chainladder as cl  # imported here: loading it (numba, scikit-learn) takes seconds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty columns give 0/0 factors: reported as None below
        model = cl.MackChainladder().fit(cl.Development(average="volume").fit_transform(cumulative))
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


def chain_ladder(origin_month: np.ndarray, later_month: np.ndarray, amount_fen: np.ndarray, *,
                 first_month: int, last_month: int, grain: str = "OMDM") -> dict:
    """Mack chain ladder of claims (event month, report or payment month, amount) at a grain."""
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
