"""Pure arithmetic of the dashboards: ratios, percentiles from day histograms. No Django."""
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")


def ratio(part, whole) -> Decimal | None:
    """part / whole to four places (0.0391 = 3.91%), None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def average_amount(amount, count) -> Decimal | None:
    """An average in yuan to the fen, None for no cases."""
    if not count:
        return None
    return (Decimal(amount) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percentile(histogram: Mapping[int, int], share: float) -> int | None:
    """The smallest value v with at least `share` of the cases at or below v (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return None
    # nearest rank: the ceil(share x total)-th smallest case
    rank = max(1, -(-int(share * 1_000_000) * total // 1_000_000))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def cumulative(values: Iterable[int]) -> list[int]:
    """Running totals: person-times since the first year."""
    total, out = 0, []
    for value in values:
        total += value
        out.append(total)
    return out
