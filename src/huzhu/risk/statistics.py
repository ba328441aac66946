"""Robust peer statistics for the risk checks, on NumPy columns (pure: no Django).

Median and median absolute deviation (MAD) per group: a few extreme claims do not move them,
so the fraud they hide cannot raise its own threshold.
"""
from collections.abc import Sequence

import numpy as np

from .rules import Stats, UnitFigures, UnitPeers


def robust(values) -> Stats:
    """n, median and MAD of a column (empty → n = 0)."""
    column = np.asarray(values, dtype=float)
    if column.size == 0:
        return Stats(0, 0.0, 0.0)
    median = float(np.median(column))
    return Stats(int(column.size), median, float(np.median(np.abs(column - median))))


def grouped(keys: Sequence[str], values) -> dict[str, Stats]:
    """Robust figures of `values` per key (one sort, then a slice per group)."""
    key_array = np.asarray(keys, dtype=object)
    column = np.asarray(values, dtype=float)
    if column.size == 0:
        return {}
    order = np.argsort(key_array, kind="stable")
    key_sorted, value_sorted = key_array[order], column[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    ends = np.r_[starts[1:], key_sorted.size]
    return {str(key_sorted[a]): robust(value_sorted[a:b]) for a, b in zip(starts, ends, strict=True)}


def unit_peers(units: Sequence[UnitFigures], *, min_covered: int) -> UnitPeers:
    """Loss ratios of units with at least `min_covered` workers, and their pooled claim rate."""
    peers = [u for u in units if u.covered >= min_covered and u.contribution_amount > 0]
    covered = sum(u.covered for u in peers)
    return UnitPeers(robust([u.loss_ratio for u in peers]), sum(u.claims for u in peers) / covered if covered else 0.0)
