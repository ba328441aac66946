"""Properties of the benefit engine, and the vectorized path equal to it to the fen."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huzhu.plans.rules import (
    DiagnosisEvent,
    InpatientEvent,
    Member,
    OutpatientEvent,
    ProcedureEvent,
    YearToDate,
    decide,
    estimate,
    tier_for,
)
from huzhu.plans.terms import Band
from huzhu.plans.vectorized import rate_claims, to_columns

from .engine_cases import HOSPITAL, WOMEN

YEAR_START = date(2026, 1, 1)


def yuan(max_fen: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_fen).map(lambda fen: Decimal(fen) / 100).map(lambda d: d.quantize(Decimal("0.01")))


days_in_year = st.integers(-20, 385).map(lambda n: YEAR_START + timedelta(days=n))
members = st.builds(
    Member,
    gender=st.sampled_from(["M", "F"]),
    birth_date=st.dates(date(1955, 1, 1), date(2012, 12, 31)),
    consecutive_years=st.integers(1, 6),
    kind=st.sampled_from(["employee", "gig"]),
    already_paid_tiers=st.frozensets(st.sampled_from(["A", "B", "C"]), max_size=2),
    coverage_start_on=st.none() | st.dates(date(2026, 1, 1), date(2026, 12, 31)),
)
stays = st.builds(lambda start, days, pay: InpatientEvent(start, start + timedelta(days=days), pay),
                  days_in_year, st.integers(0, 120), yuan(30_000_000))
outpatients = st.builds(lambda start, pay: OutpatientEvent(start, start + timedelta(days=180), pay),
                        days_in_year, yuan(2_000_000))
diagnoses = st.builds(DiagnosisEvent, days_in_year,
                      st.sampled_from(["C50.900", "C56", "D05.1", "D06.9", "D07.1", "D07.3", "C61", "N80"]))
procedures = st.builds(ProcedureEvent, days_in_year,
                       st.sampled_from(["total_hysterectomy", "bilateral_oophorectomy", "appendectomy"]))
events = st.one_of(stays, outpatients, diagnoses, procedures)
covered_member = Member(gender="F", birth_date=date(1985, 3, 2), consecutive_years=3)
histories = st.builds(YearToDate, paid_amount=yuan(50_000_000), allowance_days=st.integers(0, 200),
                      outpatient_self_pay=yuan(3_000_000), outpatient_paid_amount=yuan(1_000_000))


@st.composite
def terms_variants(draw):
    """The default terms, or ones with odd rates and small limits so that every cap bites often."""
    base = draw(st.sampled_from([HOSPITAL, WOMEN]))
    if not draw(st.booleans()):
        return base
    if base is WOMEN:
        women = base.women.model_copy(update={"annual_cap_amount": Decimal(draw(st.integers(0, 40_000)))})
        return base.model_copy(update={"women": women})
    rate = st.integers(0, 1000).map(lambda r: Decimal(r) / 1000)
    bands = tuple(b.model_copy(update={"rate": draw(rate)}) for b in base.inpatient.bands)
    return base.model_copy(update={
        "annual_cap_amount": Decimal(draw(st.integers(0, 200_000))),
        "inpatient": base.inpatient.model_copy(update={"bands": bands, "minimum_amount": Decimal(draw(st.integers(0, 500)))}),
        "allowance": base.allowance.model_copy(update={
            "max_days_per_year": draw(st.integers(0, 60)),
            "daily_amounts": tuple(Decimal(n) for n in draw(st.lists(st.integers(0, 50), min_size=1, max_size=4))),
        }),
        "outpatient": base.outpatient.model_copy(update={"rate": draw(rate),
                                                         "annual_cap_amount": Decimal(draw(st.integers(0, 10_000)))}),
    })


@given(members, histories, events, terms_variants())
def test_benefit_is_never_negative_and_its_steps_add_up(member, history, event, terms):
    decision = decide(terms, member, history, event)
    assert decision.benefit >= 0
    assert decision.benefit == decision.benefit.quantize(Decimal("0.01"))
    assert sum(s.amount for s in decision.steps) == decision.benefit


@given(histories, stays, st.integers(1, 6))
def test_stay_never_pays_more_than_its_self_pay_plus_the_allowance(history, event, years):
    member = Member(gender="F", birth_date=date(1985, 3, 2), consecutive_years=years)
    days = max((event.discharged - event.admitted).days, 1)
    allowance = HOSPITAL.allowance.daily_amount(years) * days
    assert decide(HOSPITAL, member, history, event).benefit <= event.policy_self_pay + allowance


@given(histories, events)
def test_benefit_never_passes_what_remains_under_the_annual_cap(history, event):
    remaining = HOSPITAL.annual_cap_amount - history.paid_amount
    assert decide(HOSPITAL, covered_member, history, event).benefit <= max(remaining, Decimal(0))


@given(histories, stays, yuan(1_000_000), terms_variants())
def test_stay_benefit_grows_with_the_self_pay(history, event, extra, terms):
    more = InpatientEvent(event.admitted, event.discharged, event.policy_self_pay + extra)
    assert decide(terms, covered_member, history, event).benefit <= decide(terms, covered_member, history, more).benefit


@given(histories, outpatients, yuan(1_000_000), terms_variants())
def test_outpatient_benefit_grows_with_the_self_pay(history, event, extra, terms):
    more = OutpatientEvent(event.period_start, event.period_end, event.policy_self_pay + extra)
    assert decide(terms, covered_member, history, event).benefit <= decide(terms, covered_member, history, more).benefit


@st.composite
def claim_tables(draw):
    """Several workers' events, interleaved in a random claim order."""
    workers = draw(st.lists(st.tuples(members, st.lists(events, min_size=1, max_size=8)), min_size=1, max_size=12))
    claims = [(worker_id, member, event) for worker_id, (member, evs) in enumerate(workers) for event in evs]
    order = draw(st.permutations(range(len(claims))))
    # keep each worker's own events in their order, interleave the workers
    per_worker: dict[int, list] = {}
    for worker_id, member, event in claims:
        per_worker.setdefault(worker_id, []).append((worker_id, member, event))
    sequence = [claims[i][0] for i in order]
    return [per_worker[w].pop(0) for w in sequence]


@settings(max_examples=300)
@given(claim_tables(), terms_variants())
def test_vectorized_path_equals_the_scalar_engine_to_the_fen(claims, terms):
    expected: dict[int, list[int]] = {}
    by_worker: dict[int, tuple[Member, list]] = {}
    for worker_id, member, event in claims:
        by_worker.setdefault(worker_id, (member, []))[1].append(event)
    for worker_id, (member, evs) in by_worker.items():
        expected[worker_id] = [int(d.benefit * 100) for d in estimate(terms, member, evs).decisions]
    scalar = [expected[worker_id].pop(0) for worker_id, _, _ in claims]
    assert rate_claims(terms, to_columns(terms, claims)).tolist() == scalar


def test_vectorized_path_rounds_odd_rates_half_up_like_the_scalar_engine():
    bands = (Band(lower_amount=Decimal(0), upper_amount=None, rate=Decimal("0.333")),)
    terms = HOSPITAL.model_copy(update={"inpatient": HOSPITAL.inpatient.model_copy(update={"bands": bands,
                                                                                         "minimum_amount": Decimal(0)})})
    event = InpatientEvent(date(2026, 3, 1), date(2026, 3, 2), Decimal("1.50"))  # 0.4995 -> 0.50
    assert decide(terms, covered_member, YearToDate(), event).benefit == Decimal("30.50")
    assert rate_claims(terms, to_columns(terms, [(1, covered_member, event)])).tolist() == [3050]


women_events = st.lists(st.one_of(diagnoses, procedures), min_size=1, max_size=6)


@settings(max_examples=200)
@given(st.lists(st.tuples(members, women_events), min_size=1, max_size=6), terms_variants().filter(lambda t: t.women))
def test_a_womans_year_pays_her_highest_tier_within_the_cap_and_both_engines_agree(workers, terms):
    claims = [(n, member, event) for n, (member, evs) in enumerate(workers) for event in evs]
    rated = rate_claims(terms, to_columns(terms, claims)).tolist()
    for n, (member, evs) in enumerate(workers):
        result = estimate(terms, member, evs)
        assert [int(d.benefit * 100) for d in result.decisions] == [fen for w, fen in zip(
            (w for w, _, _ in claims), rated, strict=True) if w == n]
        # DOMAIN: top-ups make the year's total the highest covered tier's amount, within the cap
        highest = max((tier.amount for event in evs if (tier := tier_for(terms, event)) is not None
                       and tier.code not in member.already_paid_tiers
                       and decide(terms, member, YearToDate(), event).covered), default=Decimal(0))
        assert result.total == min(highest, terms.women.annual_cap_amount)
