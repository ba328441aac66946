"""What-if: re-rating past claims under the current terms gives back exactly what was decided."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from huzhu.actuarial import services
from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover, scans, stay_fields
from huzhu.conftest import SYSTEM, make_staff, make_worker
from huzhu.core.actors import SystemActor
from huzhu.core.errors import ValidationFailed
from huzhu.enrollment.services import record_leaving
from huzhu.plans.queries import plan_year
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role

TODAY = date(2026, 12, 20)


def approve(claim, reviewer, approver):
    while claim.status not in (Claim.Status.APPROVED, Claim.Status.PAID):
        if claim.status == Claim.Status.EXPERT_REVIEW:  # a large benefit sees the medical expert first
            expert = (get_user_model().objects.filter(username="expert").first()
                      or make_staff("expert", Role.EXPERT))
            claim_services.give_expert_opinion(actor=expert, claim=claim, opinion="agree", reasons="诊断明确")
            claim.refresh_from_db()
            continue
        claim = claim_services.pass_review(actor=reviewer if claim.status == Claim.Status.SECOND_REVIEW else approver,
                                           claim=claim)
    return claim


@pytest.fixture
def decided_claims(db, home_unit, county_clerk, league_reviewer, association_approver):
    """Stays of three workers decided by the claims services: bands, minimum, allowance days and the annual cap."""
    install_default_plans()
    people = [make_worker(home_unit, phone=f"1380000000{n}") for n in range(3)]
    for n, person in enumerate(people):
        cover(person, consecutive_years=n + 1)
    # the first worker leaves in February: his June stay is still covered (DOMAIN), re-rated alike
    record_leaving(actor=SystemActor(SYSTEM), worker=people[0], left_on=date(2026, 2, 1))
    plans = [  # (worker, self-pay, days): the third worker's stays pass the 500,000 cap and 180 days
        (0, "150.00", 2), (0, "8000.00", 10), (1, "23456.78", 30), (1, "120000.00", 100), (1, "333.33", 3),
        (2, "300000.00", 90), (2, "260000.00", 95), (2, "5000.00", 10), (0, "64000.01", 5),
    ]
    claims = []
    for k, (who, self_pay, days) in enumerate(plans):
        admitted = date(2026, 1, 5) + timedelta(days=20 * k)
        fields = stay_fields(self_pay, admitted=admitted, discharged=admitted + timedelta(days=days))
        claim = claim_services.file_claim(actor=county_clerk, worker=people[who], documents=scans(), today=TODAY,
                                          **fields)
        claims.append(approve(claim, league_reviewer, association_approver))
    return claims


def test_unchanged_terms_reproduce_the_decided_benefits_exactly(decided_claims):
    document = plan_year("hospitalization", 2026).current_version.document
    study = services.create_study(actor=None, kind="whatif", data={"years": [2026], "base_year": 2026,
                                                                    "terms": document})
    study = services.run_study(actor=None, study_id=study.pk)
    assert study.status == "done", study.message
    total = study.results["total"]
    paid_fen = int(sum(c.benefit_amount for c in Claim.objects.all()) * 100)
    assert total["stored_fen"] == paid_fen
    assert total["current_fen"] == total["proposed_fen"] == paid_fen
    assert total["reproduced"] == total["claims"] == len(decided_claims)
    assert total["claims_changed"] == 0 and total["winners"] == total["losers"] == 0
    assert any(c.benefit_amount < Decimal("2000") and c.benefit_amount == Decimal("150.00") + 20
               for c in decided_claims)  # minimum never above B, plus two days' allowance
    assert decided_claims[-1].covered and decided_claims[-1].benefit_amount > 0  # the leaver's June stay


def test_a_higher_minimum_and_contribution_make_winners_and_change_the_loss_ratio(decided_claims):
    document = plan_year("hospitalization", 2026).current_version.document
    document["inpatient"]["minimum_amount"] = "500.00"
    document["inpatient"]["bands"][0]["rate"] = "0.60"
    document["contribution_amount"] = "120.00"
    study = services.create_study(actor=None, kind="whatif", data={"years": [2026], "base_year": 2026,
                                                                    "terms": document})
    study = services.run_study(actor=None, study_id=study.pk)
    total = study.results["total"]
    assert total["difference_fen"] > 0 and total["winners"] >= 2 and total["losers"] == 0
    assert total["proposed_contribution_fen"] == 3 * 12000
    assert total["proposed_loss_ratio"] == pytest.approx(total["proposed_fen"] / 36000, abs=1e-4)
    labels = {change["label"] for change in study.results["changes"]}
    assert len(labels) == 3


def test_the_synthetic_experience_is_reproduced_claim_by_claim(experience_2024_2026):
    document = plan_year("hospitalization", 2026).current_version.document
    study = services.create_study(actor=None, kind="whatif", data={"years": [2024, 2025, 2026], "base_year": 2026,
                                                                    "terms": document})
    study = services.run_study(actor=None, study_id=study.pk)
    for year in study.results["years"]:
        assert year["reproduced"] == year["claims"] > 0
        assert year["current_fen"] == year["stored_fen"]


def test_invalid_terms_are_refused_with_the_field_named(decided_claims):
    document = plan_year("hospitalization", 2026).current_version.document
    document["inpatient"]["bands"][1]["rate"] = "1.50"
    with pytest.raises(ValidationFailed) as refused:
        services.create_study(actor=None, kind="whatif", data={"years": [2026], "base_year": 2026, "terms": document})
    assert "inpatient.bands.1.rate" in refused.value.message


def test_a_what_if_feeds_next_years_price_with_its_benefit_level(experience_2024_2026):
    document = plan_year("hospitalization", 2026).current_version.document
    document["inpatient"]["bands"][0]["rate"] = "0.60"
    whatif = services.run_study(actor=None, study_id=services.create_study(
        actor=None, kind="whatif", data={"years": [2024, 2025], "base_year": 2026, "terms": document}).pk)
    total = whatif.results["total"]
    assert total["proposed_fen"] > total["current_fen"] > 0
    priced = services.run_study(actor=None, study_id=services.create_study(
        actor=None, kind="pricing", data={"years": [2024, 2025], "whatif_study": whatif.pk}).pk)
    assert priced.status == "done", priced.message
    factor = round(total["proposed_fen"] / total["current_fen"], 4)
    assert priced.results["cost_factor"] == factor and priced.results["whatif_study"] == whatif.pk
    assert priced.results["recommended"] == pytest.approx(priced.results["blended"] * factor / 0.87, abs=0.01)


def test_pricing_from_a_study_that_is_not_a_finished_what_if_is_refused(experience_2024_2026):
    priced = services.run_study(actor=None, study_id=services.create_study(
        actor=None, kind="pricing", data={"years": [2024, 2025], "whatif_study": 999}).pk)
    assert priced.status == "failed" and "#999" in priced.message
