"""Adjudication with the year's accumulators: caps, allowance days and the outpatient deductible."""
from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from huzhu.conftest import make_staff
from huzhu.core.actors import SystemActor
from huzhu.core.errors import ValidationFailed
from huzhu.regions.models import Role

from .. import services
from ..models import Claim
from .conftest import TODAY, scans, stay_fields

S = Claim.Status


def take_through(claim, league_reviewer, association_approver):
    services.pass_review(actor=league_reviewer, claim=claim)
    if claim.status == S.EXPERT_REVIEW:  # large benefits and women's claims see the medical expert first
        expert = get_user_model().objects.filter(username="expert").first() or make_staff("expert", Role.EXPERT)
        services.give_expert_opinion(actor=expert, claim=claim, opinion="agree",
                                     reasons="诊断明确")
    services.pass_review(actor=association_approver, claim=claim)
    claim.refresh_from_db()
    return claim


def test_second_stay_is_cut_to_the_remaining_annual_cap(file_stay, league_reviewer, association_approver):
    first = take_through(file_stay("400000.00", fund="0.00"), league_reviewer, association_approver)
    assert first.benefit_amount == D("379100.00")  # bands on 400,000 plus 10 days x 10
    second = file_stay("400000.00", fund="0.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 11))
    second = take_through(second, league_reviewer, association_approver)
    assert second.benefit_amount == D("120900.00")  # 500,000 - 379,100
    assert second.explanation[-1]["name"].startswith("annual cap 500000.00")


def test_an_estimate_counts_claims_still_in_review_but_approval_counts_only_decided_ones(
        file_stay, league_reviewer, association_approver, no_straight_through):
    first = file_stay("400000.00", fund="0.00")
    second = file_stay("400000.00", fund="0.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 11))
    assert second.benefit_amount == D("120900.00")  # estimate after the first, still in review
    services.reject_claim(actor=league_reviewer, claim=first, reason_code="other", comment="材料不实")
    second = take_through(second, league_reviewer, association_approver)
    assert second.benefit_amount == D("379100.00")


def test_allowance_days_accumulate_to_the_yearly_limit(file_stay, league_reviewer, association_approver):
    long_stay = take_through(file_stay("20000.00", admitted=date(2026, 1, 1), discharged=date(2026, 6, 20)),
                             league_reviewer, association_approver)
    assert long_stay.allowance_days == 170
    short = take_through(file_stay("20000.00", admitted=date(2026, 7, 1), discharged=date(2026, 7, 21),
                                   today=date(2026, 8, 1)), league_reviewer, association_approver)
    assert short.allowance_days == 10
    assert "yearly limit 180" in short.explanation[-1]["name"]


def test_the_outpatient_deductible_is_taken_once_a_year(worker, county_clerk, league_reviewer, association_approver,
                                                        no_straight_through):
    def outpatient(start, end, self_pay):
        amounts = {"total_amount": D(self_pay), "policy_self_pay_amount": D(self_pay)}
        return services.file_claim(actor=county_clerk, worker=worker, today=date(2026, 12, 31), claim_type="outpatient_chronic",
                                   period_start_on=start, period_end_on=end, amounts=amounts,
                                   documents=scans(("chronic_approval", "cost_statement", "invoice", "id_card", "bank_card")))
    first = take_through(outpatient(date(2026, 1, 1), date(2026, 6, 30), "4000.00"), league_reviewer, association_approver)
    second = take_through(outpatient(date(2026, 7, 1), date(2026, 12, 31), "2000.00"), league_reviewer, association_approver)
    assert (first.benefit_amount, second.benefit_amount) == (D("1500.00"), D("1000.00"))


def test_a_second_womens_tier_tops_up_to_the_higher_amount(plans, home_unit, county_clerk, league_reviewer,
                                                           association_approver):
    from huzhu.conftest import make_worker

    from .conftest import cover

    woman = make_worker(home_unit, gender="F")
    cover(woman, plan="women_health")
    documents = scans(("pathology_report", "diagnosis_certificate", "discharge_summary", "invoice", "id_card", "bank_card"))

    def diagnosis(code, day):
        return services.file_claim(actor=county_clerk, worker=woman, today=TODAY, claim_type="diagnosis",
                                   diagnosed_on=day, diagnosis_code=code, diagnosis_name="", documents=documents)
    in_situ = take_through(diagnosis("D05.100", date(2026, 2, 1)), league_reviewer, association_approver)
    malignant = take_through(diagnosis("C50.900", date(2026, 5, 1)), league_reviewer, association_approver)
    assert (in_situ.benefit_amount, in_situ.tier) == (D("8000.00"), "B")
    assert (malignant.benefit_amount, malignant.tier) == (D("24000.00"), "A")
    assert in_situ.complex_case  # pathology gets a second medical review: 30 working days


WOMEN_DOCUMENTS = ("pathology_report", "diagnosis_certificate", "discharge_summary", "invoice", "id_card", "bank_card")


def women_diagnosis(clerk, woman, code, day, today=TODAY):
    return services.file_claim(actor=clerk, worker=woman, today=today, claim_type="diagnosis", diagnosed_on=day,
                               diagnosis_code=code, diagnosis_name="", documents=scans(WOMEN_DOCUMENTS))


def test_a_tier_paid_in_one_plan_year_pays_nothing_in_another(plans, home_unit, county_clerk, league_reviewer,
                                                               association_approver):
    from huzhu.conftest import make_worker

    from .conftest import cover

    woman = make_worker(home_unit, gender="F")
    cover(woman, plan="women_health")
    cover(woman, plan="women_health", year=2027)
    first = take_through(women_diagnosis(county_clerk, woman, "C50.900", date(2026, 3, 1)),
                         league_reviewer, association_approver)
    assert first.benefit_amount == D("32000.00")
    with pytest.raises(ValidationFailed) as refused:
        women_diagnosis(county_clerk, woman, "C53.000", date(2027, 3, 1), today=date(2027, 4, 1))
    assert refused.value.code == "not_covered_tier_already_paid"


def test_a_higher_tier_in_a_later_plan_year_pays_in_full(plans, home_unit, county_clerk, league_reviewer,
                                                         association_approver):
    from huzhu.conftest import make_worker

    from .conftest import cover

    woman = make_worker(home_unit, gender="F")
    cover(woman, plan="women_health")
    cover(woman, plan="women_health", year=2027)
    take_through(women_diagnosis(county_clerk, woman, "D05.100", date(2026, 3, 1)), league_reviewer, association_approver)
    later = take_through(women_diagnosis(county_clerk, woman, "C50.900", date(2027, 3, 1), today=date(2027, 4, 1)),
                         league_reviewer, association_approver)
    assert (later.benefit_amount, later.tier) == (D("32000.00"), "A")  # no top-up across years


def test_a_lower_tier_decided_at_0_in_one_year_still_pays_in_a_later_year(plans, home_unit, county_clerk,
                                                                           league_reviewer, association_approver):
    from huzhu.conftest import make_worker

    from .conftest import cover

    woman = make_worker(home_unit, gender="F")
    cover(woman, plan="women_health")
    cover(woman, plan="women_health", year=2027)
    take_through(women_diagnosis(county_clerk, woman, "C50.900", date(2026, 3, 1)), league_reviewer, association_approver)
    lower = take_through(women_diagnosis(county_clerk, woman, "D05.100", date(2026, 5, 1)),
                         league_reviewer, association_approver)
    assert (lower.benefit_amount, lower.tier) == (D("0.00"), "B")  # B after A in the same year tops up nothing
    later = take_through(women_diagnosis(county_clerk, woman, "D06.100", date(2027, 3, 1), today=date(2027, 4, 1)),
                         league_reviewer, association_approver)
    assert later.benefit_amount == D("8000.00")  # tier B was never paid, so it pays in full in 2027


def test_the_claim_keeps_the_terms_version_it_was_decided_under(file_stay, league_reviewer, association_approver):
    claim = take_through(file_stay("8000.00"), league_reviewer, association_approver)
    assert claim.terms_version_id == claim.plan_year.current_version_id
    assert claim.decided_at is not None
    assert stay_fields()["claim_type"] == claim.claim_type


def test_a_leaver_is_paid_for_a_november_stay_and_keeps_next_years_paid_coverage_whole(
        plans, home_unit, county_clerk, league_reviewer, association_approver):
    from huzhu.conftest import SYSTEM, make_worker
    from huzhu.enrollment import services as enrollment
    from huzhu.enrollment.models import Coverage
    from huzhu.plans.queries import plan_year

    leaver = make_worker(home_unit, name="离职的人")
    for year, paid_on in ((2026, date(2025, 11, 1)), (2027, date(2026, 7, 1))):
        enrollment.enroll_and_pay(actor=None, check_participation=False, plan_year=plan_year("hospitalization", year),
                                  batches=[(home_unit, [leaver.pk])], paid_on=paid_on)
    enrollment.record_leaving(actor=SystemActor(SYSTEM), worker=leaver, left_on=date(2026, 7, 31))

    def stay(admitted, discharged, today):
        claim = services.file_claim(actor=county_clerk, worker=leaver, documents=scans(), today=today,
                                    **stay_fields("8000.00", admitted=admitted, discharged=discharged))
        return take_through(claim, league_reviewer, association_approver)

    november = stay(date(2026, 11, 2), date(2026, 11, 12), date(2026, 12, 1))
    assert november.covered and november.benefit_amount == D("4100.00")  # 8,000 x 50% + 10 days x 10
    next_year = Coverage.objects.get(worker=leaver, plan_year__year=2027)
    assert (next_year.status, next_year.starts_on, next_year.ends_on, next_year.left_on) == (
        Coverage.Status.ACTIVE, date(2027, 1, 1), date(2027, 12, 31), None)
    assert next_year.consecutive_years == 2
    march = stay(date(2027, 3, 1), date(2027, 3, 11), date(2027, 4, 1))
    assert march.covered and march.benefit_amount == D("4200.00")  # 2nd consecutive year: 10 days x 20
