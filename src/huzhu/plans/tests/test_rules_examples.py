"""Worked examples of the benefit engine (DOMAIN.md default 2026 terms), one row per rule."""
from datetime import date
from decimal import Decimal

import pytest

from huzhu.plans.rules import YearToDate, claim_deadline, decide, estimate, is_within_deadline
from huzhu.plans.vectorized import rate_claims, to_columns

from .engine_cases import HOSPITAL, WOMEN, diagnosis, outpatient, procedure, stay, worker

D = Decimal
ONE_DAY = ("2026-03-01", "2026-03-02")  # a one-day stay: allowance 30 in the 3rd year
TEN_DAYS = ("2026-03-01", "2026-03-11")

EXAMPLES = [
    # DOMAIN.md's estimate example
    pytest.param(HOSPITAL, worker(), [stay(*TEN_DAYS, "15000.00"), outpatient("2026-01-01", "2026-06-30", "4000.00")],
                 ["8300.00", "1500.00"], id="domain-example-stay-and-outpatient-half-year"),
    # band edges (+30 allowance for one day)
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "10000.00")], ["5030.00"], id="band-edge-10000"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "10000.01")], ["5030.01"], id="just-above-10000-rounds-half-up"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "20000.00")], ["11030.00"], id="band-edge-20000"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "30000.00")], ["18030.00"], id="band-edge-30000"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "50000.00")], ["34030.00"], id="band-edge-50000"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "100000.00")], ["79030.00"], id="band-edge-100000"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "100000.01")], ["79030.01"], id="above-100000-pays-in-full"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "401.01")], ["230.51"], id="half-fen-rounds-up"),
    # DOMAIN: min 200 a stay, never above B
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "150.00")], ["180.00"], id="minimum-below-200-pays-all-of-B"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "300.00")], ["230.00"], id="minimum-200-tops-up-the-band"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "400.00")], ["230.00"], id="band-reaches-the-minimum"),
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "0.00")], ["30.00"], id="no-self-pay-pays-the-allowance"),
    # daily allowance by consecutive year; at least one day
    pytest.param(HOSPITAL, worker(years=1), [stay(*TEN_DAYS, "1000.00")], ["600.00"], id="allowance-1st-year-10"),
    pytest.param(HOSPITAL, worker(years=2), [stay(*TEN_DAYS, "1000.00")], ["700.00"], id="allowance-2nd-year-20"),
    pytest.param(HOSPITAL, worker(years=3), [stay(*TEN_DAYS, "1000.00")], ["800.00"], id="allowance-3rd-year-30"),
    pytest.param(HOSPITAL, worker(years=7), [stay(*TEN_DAYS, "1000.00")], ["800.00"], id="allowance-7th-year-30"),
    pytest.param(HOSPITAL, worker(), [stay("2026-03-01", "2026-03-01", "1000.00")], ["530.00"],
                 id="same-day-discharge-counts-one-day"),
    pytest.param(HOSPITAL, worker(), [stay("2026-01-01", "2026-04-11", "1000.00"), stay("2026-05-01", "2026-08-09", "1000.00"),
                                      stay("2026-09-01", "2026-09-11", "1000.00")],
                 ["3500.00", "2900.00", "500.00"], id="180-day-limit-across-stays"),
    # outpatient special/chronic disease
    pytest.param(HOSPITAL, worker(), [outpatient("2026-01-01", "2026-06-30", "4000.00"),
                                      outpatient("2026-07-01", "2026-12-31", "3000.00")],
                 ["1500.00", "1500.00"], id="outpatient-half-years-take-the-deductible-once"),
    pytest.param(HOSPITAL, worker(), [outpatient("2026-01-01", "2026-06-30", "800.00"),
                                      outpatient("2026-07-01", "2026-12-31", "1200.00")],
                 ["0.00", "500.00"], id="outpatient-below-deductible-carries-over"),
    pytest.param(HOSPITAL, worker(), [outpatient("2026-01-01", "2026-06-30", "15000.00"),
                                      outpatient("2026-07-01", "2026-12-31", "10000.00"),
                                      outpatient("2026-12-01", "2026-12-31", "5000.00")],
                 ["7000.00", "3000.00", "0.00"], id="outpatient-yearly-sub-cap-10000"),
    pytest.param(HOSPITAL, worker(), [outpatient("2026-01-01", "2026-06-30", "1000.01")], ["0.01"],
                 id="outpatient-half-fen-rounds-up"),
    # DOMAIN: annual cap 500,000 for everything together
    pytest.param(HOSPITAL, worker(), [stay(*ONE_DAY, "500000.00"), stay(*TEN_DAYS, "30000.00"),
                                      stay(*TEN_DAYS, "10000.00"), stay(*TEN_DAYS, "10000.00")],
                 ["479030.00", "18300.00", "2670.00", "0.00"], id="cap-hit-in-the-middle-of-a-stay"),
    # protection period, coverage and eligibility
    pytest.param(HOSPITAL, worker(), [stay("2025-12-30", "2026-01-05", "5000.00")], ["0.00"],
                 id="stay-admitted-before-the-period-belongs-to-last-year"),
    pytest.param(HOSPITAL, worker(), [stay("2026-12-31", "2027-01-05", "5000.00")], ["2650.00"],
                 id="stay-admitted-on-the-last-day-is-covered-in-full"),
    pytest.param(HOSPITAL, worker(coverage_start_on=date(2026, 3, 5)), [stay(*TEN_DAYS, "5000.00")], ["0.00"],
                 id="event-before-coverage-starts"),
    pytest.param(HOSPITAL, worker(coverage_start_on=date(2026, 3, 1)), [stay(*TEN_DAYS, "5000.00")], ["2800.00"],
                 id="no-waiting-period-first-covered-day-pays"),
    pytest.param(HOSPITAL, worker(birth="1970-12-31"), [stay(*TEN_DAYS, "5000.00")], ["0.00"],
                 id="woman-aged-55-when-the-period-began-is-past-retirement-age"),
    pytest.param(HOSPITAL, worker(birth="1971-03-01"), [stay(*TEN_DAYS, "5000.00")], ["2800.00"],
                 id="woman-turning-55-during-the-year-stays-covered-age-is-taken-at-enrollment"),
    pytest.param(HOSPITAL, worker(birth="1971-06-01", coverage_start_on=date(2026, 7, 1)),
                 [stay("2026-08-01", "2026-08-11", "5000.00")], ["0.00"],
                 id="mid-year-joiner-already-55-on-the-day-coverage-starts-is-not-covered"),
    pytest.param(HOSPITAL, worker(birth="1971-03-02"), [stay(*TEN_DAYS, "5000.00")], ["2800.00"],
                 id="woman-aged-54-is-covered"),
    pytest.param(HOSPITAL, worker(gender="M", birth="1967-03-02"), [stay(*TEN_DAYS, "5000.00")], ["2800.00"],
                 id="man-aged-58-is-covered"),
    pytest.param(HOSPITAL, worker(birth="2010-03-02"), [stay(*TEN_DAYS, "5000.00")], ["0.00"],
                 id="worker-aged-15-is-too-young"),
    pytest.param(HOSPITAL, worker(kind="gig"), [stay(*TEN_DAYS, "5000.00")], ["2800.00"], id="gig-worker-is-covered"),
    pytest.param(HOSPITAL, worker(), [diagnosis("2026-05-01", "C50.900")], ["0.00"],
                 id="diagnosis-is-not-in-the-hospitalization-plan"),
    # women_health tiers
    pytest.param(WOMEN, worker(), [diagnosis("2026-05-01", "C50.900")], ["32000.00"], id="tier-A-breast-cancer"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-05-01", "c58")], ["32000.00"], id="tier-A-lower-case-code"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-05-01", "D07.2")], ["8000.00"], id="tier-B-D07-2"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-05-01", "D07.3")], ["0.00"], id="D07-3-is-not-covered"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-05-01", "C61")], ["0.00"], id="C61-is-not-covered"),
    pytest.param(WOMEN, worker(), [procedure("2026-05-01", "total_hysterectomy")], ["3000.00"], id="tier-C-procedure"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-03-01", "D05.1"), diagnosis("2026-09-01", "C50.9")],
                 ["8000.00", "24000.00"], id="tier-B-then-A-tops-up-to-24000"),
    pytest.param(WOMEN, worker(), [procedure("2026-03-01", "total_hysterectomy"), diagnosis("2026-09-01", "D05.1")],
                 ["3000.00", "5000.00"], id="tier-C-then-B-tops-up-to-5000"),
    pytest.param(WOMEN, worker(), [procedure("2026-03-01", "total_hysterectomy"), diagnosis("2026-09-01", "C50.9")],
                 ["3000.00", "29000.00"], id="tier-C-then-A-tops-up-to-29000"),
    pytest.param(WOMEN, worker(), [procedure("2026-02-01", "bilateral_oophorectomy"), diagnosis("2026-04-01", "D06.0"),
                                   diagnosis("2026-09-01", "C53.0")],
                 ["3000.00", "5000.00", "24000.00"], id="tier-C-then-B-then-A-pays-32000-in-all"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-03-01", "C56"), diagnosis("2026-09-01", "D06.0")],
                 ["32000.00", "0.00"], id="tier-A-then-B-pays-0-as-B-is-lower"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-03-01", "D05.1"), procedure("2026-09-01", "total_hysterectomy")],
                 ["8000.00", "0.00"], id="tier-B-then-C-pays-0-as-C-is-lower"),
    pytest.param(WOMEN, worker(), [diagnosis("2026-03-01", "D05.1"), diagnosis("2026-09-01", "D06.0")],
                 ["8000.00", "0.00"], id="tier-B-twice-in-a-year-pays-once"),
    pytest.param(WOMEN, worker(), [procedure("2026-03-01", "total_hysterectomy"),
                                   procedure("2026-04-01", "bilateral_oophorectomy")],
                 ["3000.00", "0.00"], id="tier-C-procedures-pay-once"),
    pytest.param(WOMEN, worker(already_paid_tiers=frozenset({"B"})), [diagnosis("2026-05-01", "D06.1")], ["0.00"],
                 id="tier-paid-in-a-later-year-pays-0"),
    pytest.param(WOMEN, worker(already_paid_tiers=frozenset({"B"})), [diagnosis("2026-05-01", "C53.0")],
                 ["32000.00"], id="tier-B-in-2025-then-A-in-2026-pays-32000-in-full"),
    pytest.param(WOMEN, worker(already_paid_tiers=frozenset({"C"})), [diagnosis("2026-05-01", "D05.1")],
                 ["8000.00"], id="tier-C-in-an-earlier-year-then-B-pays-8000-in-full"),
    pytest.param(WOMEN, worker(gender="M"), [diagnosis("2026-05-01", "C50.9")], ["0.00"], id="women-plan-excludes-men"),
    pytest.param(WOMEN, worker(birth="1965-01-01"), [diagnosis("2026-05-01", "C50.9")], ["0.00"],
                 id="woman-aged-61-is-too-old-for-the-women-plan"),
    pytest.param(WOMEN, worker(birth="1966-01-01"), [diagnosis("2026-05-01", "C50.9")], ["32000.00"],
                 id="woman-aged-60-is-covered-by-the-women-plan"),
    pytest.param(WOMEN, worker(), [diagnosis("2027-01-01", "C50.9")], ["0.00"], id="diagnosis-after-the-period"),
    pytest.param(WOMEN, worker(), [stay(*TEN_DAYS, "5000.00")], ["0.00"], id="stay-is-not-in-the-women-plan"),
]


@pytest.mark.parametrize(("terms", "member", "events", "expected"), EXAMPLES)
def test_worked_example_pays_the_expected_benefits(terms, member, events, expected):
    result = estimate(terms, member, events)
    assert [str(d.benefit) for d in result.decisions] == expected
    assert result.total == sum((D(x) for x in expected), D("0.00"))


@pytest.mark.parametrize(("terms", "member", "events", "expected"), EXAMPLES)
def test_worked_example_steps_add_up_to_the_benefit_and_are_explained(terms, member, events, expected):
    for decision in estimate(terms, member, events).decisions:
        assert sum(s.amount for s in decision.steps) == decision.benefit
        assert decision.steps, "every decision explains itself"
        assert all(s.name and s.label for s in decision.steps)


@pytest.mark.parametrize(("terms", "member", "events", "expected"), EXAMPLES)
def test_worked_example_is_rated_the_same_by_the_vectorized_path(terms, member, events, expected):
    columns = to_columns(terms, [(1, member, event) for event in events])
    assert [f"{fen / 100:.2f}" for fen in rate_claims(terms, columns).tolist()] == expected


def names(terms, member, events):
    return [[(s.name, str(s.amount)) for s in d.steps] for d in estimate(terms, member, events).decisions]


def test_domain_example_steps_have_the_documented_wire_names():
    assert names(HOSPITAL, worker(), [stay(*TEN_DAYS, "15000.00"), outpatient("2026-01-01", "2026-06-30", "4000.00")]) == [
        [("band 0-10000 @ 50%", "5000.00"), ("band 10000-20000 @ 60%", "3000.00"), ("allowance 10 days x 30", "300.00")],
        [("(4000.00 - 1000.00) x 50%", "1500.00")],
    ]


def test_minimum_step_says_it_tops_up_to_200_or_to_the_self_pay():
    assert names(HOSPITAL, worker(), [stay(*ONE_DAY, "300.00")])[0][1] == ("minimum 200.00 a stay", "50.00")
    assert names(HOSPITAL, worker(), [stay(*ONE_DAY, "150.00")])[0][1] == (
        "minimum 200.00 a stay, not above self-pay 150.00", "75.00")


def test_allowance_step_names_the_yearly_day_limit_when_it_cuts():
    steps = names(HOSPITAL, worker(), [stay("2026-01-01", "2026-07-20", "0.00"), stay(*TEN_DAYS, "0.00")])
    assert steps[1] == [("allowance 0 days x 30 (10 days in stay, yearly limit 180)", "0.00")]


def test_second_outpatient_period_shows_the_earlier_benefit_subtracted():
    steps = names(HOSPITAL, worker(), [outpatient("2026-01-01", "2026-06-30", "4000.00"),
                                       outpatient("2026-07-01", "2026-12-31", "3000.00")])
    assert steps[1] == [("(7000.00 - 1000.00) x 50%", "3000.00"),
                        ("less outpatient benefits paid earlier this year", "-1500.00")]


def test_stay_is_cut_to_the_remaining_annual_cap_with_a_step_saying_so():
    history = YearToDate(paid_amount=D("499000.00"))
    decision = decide(HOSPITAL, worker(), history, stay(*TEN_DAYS, "15000.00"))
    assert decision.benefit == D("1000.00")
    assert (decision.steps[-1].name, decision.steps[-1].amount) == ("annual cap 500000.00, remaining 1000.00", D("-7300.00"))
    assert "年度封顶" in decision.steps[-1].label


def test_tier_top_up_step_names_the_tiers_paid_earlier_in_the_year():
    steps = names(WOMEN, worker(), [diagnosis("2026-03-01", "D05.1"), diagnosis("2026-09-01", "C50.9")])
    assert steps[1] == [("tier A 32000.00", "32000.00"), ("less tier B paid earlier this year 8000.00", "-8000.00")]


def test_tier_top_up_label_says_what_was_paid_and_what_it_tops_up_to():
    decisions = estimate(WOMEN, worker(), [procedure("2026-03-01", "total_hysterectomy"), diagnosis("2026-09-01", "D05.1")]).decisions
    assert decisions[1].steps[1].label == "已付 C 档 3000.00 元，补足至 B 档 8000.00 元"
    lower = estimate(WOMEN, worker(), [diagnosis("2026-03-01", "C56"), diagnosis("2026-09-01", "D06.0")]).decisions[1]
    assert [(s.name, s.amount) for s in lower.steps] == [("tier B 8000.00", D("8000.00")),
                                                         ("less tier A paid earlier this year 32000.00", D("-8000.00"))]
    assert lower.steps[1].label == "已付 A 档 32000.00 元，不低于 B 档 8000.00 元，不再补助"


def test_women_yearly_cap_still_cuts_a_top_up():
    small_cap = WOMEN.model_copy(update={"women": WOMEN.women.model_copy(update={"annual_cap_amount": D("6000")})})
    decisions = estimate(small_cap, worker(), [procedure("2026-03-01", "total_hysterectomy"),
                                               diagnosis("2026-09-01", "D05.1")]).decisions
    assert [d.benefit for d in decisions] == [D("3000.00"), D("3000.00")]  # top-up 5,000 cut to the 3,000 left
    assert [(s.name, s.amount) for s in decisions[1].steps] == [
        ("tier B 8000.00", D("8000.00")), ("less tier C paid earlier this year 3000.00", D("-3000.00")),
        ("women yearly cap 6000.00, remaining 3000.00", D("-2000.00"))]
    columns = to_columns(small_cap, [(1, worker(), e) for e in (procedure("2026-03-01", "total_hysterectomy"),
                                                               diagnosis("2026-09-01", "D05.1"))])
    assert rate_claims(small_cap, columns).tolist() == [300000, 300000]


@pytest.mark.parametrize(("terms", "member", "event", "reason", "name"), [
    pytest.param(HOSPITAL, worker(), stay("2025-12-30", "2026-01-05", "1.00"), "outside_protection_period",
                 "not covered: 2025-12-30 outside protection period 2026-01-01 to 2026-12-31", id="outside-period"),
    pytest.param(HOSPITAL, worker(coverage_start_on=date(2026, 3, 5)), stay(*TEN_DAYS, "1.00"), "before_coverage",
                 "not covered: 2026-03-01 before coverage starts 2026-03-05", id="before-coverage"),
    pytest.param(HOSPITAL, worker(birth="2010-03-02"), stay(*TEN_DAYS, "1.00"), "not_eligible",
                 "not covered: age 15 at enrollment outside 16 to under 55", id="too-young"),
    pytest.param(WOMEN, worker(gender="M"), diagnosis("2026-05-01", "C50"), "not_eligible",
                 "not covered: gender M not eligible", id="wrong-gender"),
    pytest.param(WOMEN, worker(), diagnosis("2026-05-01", "C61"), "not_covered_diagnosis",
                 "not covered: C61 not in any tier", id="not-a-tier"),
    pytest.param(WOMEN, worker(already_paid_tiers=frozenset({"A"})), diagnosis("2026-05-01", "C50"),
                 "tier_already_paid", "not covered: tier A already paid", id="tier-paid-before"),
    pytest.param(WOMEN, worker(), stay(*TEN_DAYS, "1.00"), "not_in_plan",
                 "not covered: inpatient not in plan women_health", id="not-in-plan"),
])
def test_uncovered_event_pays_0_with_a_step_naming_why(terms, member, event, reason, name):
    decision = decide(terms, member, YearToDate(), event)
    assert (decision.benefit, decision.covered, decision.reason) == (D("0.00"), False, reason)
    assert [(s.name, s.amount) for s in decision.steps] == [(name, D("0.00"))]
    assert decision.steps[0].label.startswith("不予补助")


def test_claim_deadline_is_365_days_after_the_protection_period_ends():
    assert claim_deadline(HOSPITAL) == date(2027, 12, 31)
    assert is_within_deadline(HOSPITAL, date(2027, 12, 31))
    assert not is_within_deadline(HOSPITAL, date(2028, 1, 1))


def test_accumulator_after_a_stay_and_an_outpatient_period_holds_what_was_used():
    member = worker()
    history = YearToDate()
    for event in (stay(*TEN_DAYS, "15000.00"), outpatient("2026-01-01", "2026-06-30", "4000.00")):
        history = history.after(decide(HOSPITAL, member, history, event), event)
    assert history == YearToDate(paid_amount=D("9800.00"), allowance_days=10, outpatient_self_pay=D("4000.00"),
                                 outpatient_paid_amount=D("1500.00"))


def test_accumulator_records_a_paid_tier_but_not_a_refused_one():
    member = worker()
    event = diagnosis("2026-05-01", "D05.1")
    history = YearToDate().after(decide(WOMEN, member, YearToDate(), event), event)
    assert (history.tiers_paid, history.women_paid_amount) == (frozenset({"B"}), D("8000.00"))
    refused = diagnosis("2026-05-01", "C61")
    assert YearToDate().after(decide(WOMEN, member, YearToDate(), refused), refused) == YearToDate()
