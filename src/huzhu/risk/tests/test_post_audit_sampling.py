"""draw_sample, the post-audit sample's pure draw: ceil(share × size) per stratum, at least one per county, the same
draw for the same seed whatever the order of the rows."""
import math
import random
from collections import Counter
from decimal import Decimal as D

import pytest

from huzhu.core.errors import ValidationFailed
from huzhu.risk.rules import (
    SampleCandidate,
    draw_sample,
    parse_month,
    previous_month,
    stratum_label,
    stratum_of,
)

BENEFITS = {"a0": D("300.00"), "a1": D("800.00"), "a2": D("2400.00")}
SCORES = {"s0": 0, "s1": 10, "s2": 50}


def candidates(sizes: dict[str, int], counties=("150203",)) -> list[SampleCandidate]:
    """`sizes` maps a stratum ("a1s0") to its claim count; claims are spread over the counties in turn."""
    rows, pk = [], 1
    for stratum, size in sizes.items():
        for _ in range(size):
            rows.append(SampleCandidate(pk, counties[pk % len(counties)], BENEFITS[stratum[:2]], SCORES[stratum[2:]]))
            pk += 1
    return rows


@pytest.mark.parametrize(("benefit", "score", "stratum"), [
    (D("0.00"), 0, "a0s0"), (D("499.99"), 0, "a0s0"), (D("500.00"), 10, "a1s1"), (D("1499.99"), 49, "a1s1"),
    (D("1500.00"), 50, "a2s2"), (D("2999.00"), 100, "a2s2"),
], ids=["nothing", "just-below-500", "500-is-the-middle-band", "just-below-1500", "1500-and-the-threshold", "top"])
def test_a_claim_falls_in_its_amount_and_score_band(benefit, score, stratum):
    assert stratum_of(SampleCandidate(1, "150203", benefit, score)) == stratum


def test_the_stratum_reads_as_its_bands_with_the_threshold():
    assert stratum_label("a1s1") == "500–1500 元 · 1–49 分"
    assert stratum_label("a2s2", threshold=60) == "1500 元及以上 · 60 分及以上"
    assert stratum_label("zz") == "zz"


def test_each_stratum_gives_the_ceiling_of_its_share():
    rows = candidates({"a0s0": 100, "a1s0": 40, "a2s0": 7, "a1s1": 21, "a2s2": 1})
    drawn = set(draw_sample(rows, D("0.05"), "2026-10"))
    by_stratum = Counter(stratum_of(c) for c in rows if c.claim_id in drawn)
    assert by_stratum == {"a0s0": 5, "a1s0": 2, "a2s0": 1, "a1s1": 2, "a2s2": 1}
    assert by_stratum == {s: math.ceil(D("0.05") * n) for s, n in Counter(stratum_of(c) for c in rows).items()}


def test_every_county_with_an_automatic_approval_gets_at_least_one():
    rows = candidates({"a0s0": 200}) + [SampleCandidate(900 + n, county, D("2400.00"), 10)
                                         for n, county in enumerate(["150402", "150102", "150102"])]
    drawn = draw_sample(rows, D("0.01"), "2026-10")
    counties = {c.county_code for c in rows if c.claim_id in drawn}
    assert counties == {"150203", "150402", "150102"}
    # ceil(1 % of 200) of the big stratum, ceil(1 % of 3) of the small one (one county), one for the other county
    assert len(drawn) == 2 + 1 + 1
    assert sum(1 for c in rows if c.claim_id in drawn and c.county_code == "150102") == 1


def test_a_share_of_zero_still_draws_one_per_county():
    rows = candidates({"a0s0": 30, "a2s1": 10}, counties=("150203", "150402", "150102"))
    drawn = draw_sample(rows, D("0"), "2026-10")
    assert len(drawn) == 3 and {c.county_code for c in rows if c.claim_id in drawn} == {"150203", "150402", "150102"}


def test_a_share_of_one_draws_every_claim():
    rows = candidates({"a0s0": 13, "a1s1": 4, "a2s2": 2}, counties=("150203", "150402"))
    assert draw_sample(rows, D("1"), "2026-10") == sorted(c.claim_id for c in rows)


def test_the_same_seed_draws_the_same_claims_whatever_the_order_and_another_month_draws_others():
    rows = candidates({"a0s0": 300, "a1s0": 120}, counties=("150203", "150402"))
    first = draw_sample(rows, D("0.05"), "2026-10")
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert draw_sample(shuffled, D("0.05"), "2026-10") == first
    assert draw_sample(rows, D("0.05"), "2026-11") != first


def test_no_candidates_draw_nothing():
    assert draw_sample([], D("0.05"), "2026-10") == []


@pytest.mark.parametrize("share", [D("-0.01"), D("1.01")], ids=["negative", "above-one"])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ValidationFailed) as refused:
        draw_sample(candidates({"a0s0": 3}), share, "2026-10")
    assert refused.value.code == "invalid_share" and "0 到 1" in refused.value.message


@pytest.mark.parametrize(("text", "month"), [
    ("2026-10", (2026, 10)), ("２０２６-０３", (2026, 3)), ("2026-13", None), ("2026-1", None), ("", None),
    ("x", None), ("٢٠٢٦-10", None),
], ids=["plain", "full-width", "month-13", "one-digit", "empty", "word", "arabic-indic"])
def test_a_month_parameter_reads_only_as_yyyy_mm(text, month):
    parsed = parse_month(text)
    assert (parsed.year, parsed.month) == month if month else parsed is None


def test_the_monthly_draw_covers_the_previous_month():
    from datetime import date
    assert previous_month(date(2026, 11, 29)) == date(2026, 10, 1)
    assert previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
