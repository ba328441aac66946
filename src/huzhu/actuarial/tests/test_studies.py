"""Creating and running studies: saved inputs and results, re-runs, refusals, each kind on synthetic data."""
from datetime import date

import pytest

from huzhu.actuarial import services
from huzhu.actuarial.models import Study
from huzhu.actuarial.tasks import run_study_task
from huzhu.audit.models import AuditEvent
from huzhu.core.errors import PermissionDenied, ValidationFailed


def run(kind: str, data: dict, actor=None) -> Study:
    study = services.create_study(actor=actor, kind=kind, data=data)
    return services.run_study(actor=actor, study_id=study.pk)


def test_an_experience_study_is_saved_with_inputs_results_and_an_audit_event(experience_2024_2026,
                                                                            association_approver):
    study = run("experience", {"years": [2024, 2025]}, association_approver)
    assert study.status == Study.Status.DONE and study.progress == 100
    assert study.inputs["years"] == [2024, 2025] and study.created_by == association_approver
    total = study.results["total"]
    assert total["coverages"] == 3000 and 0 < total["exposure"] < 3000
    assert sum(row["claims"] for row in study.results["by"]["league"]) == total["claims"]
    assert {row["label"] for row in study.results["by"]["age_band"]} <= {"16–29岁", "30–39岁", "40–49岁", "50–59岁",
                                                                          "60岁及以上"}
    assert AuditEvent.objects.filter(object_type="actuarial.Study", object_id=str(study.pk)).count() == 2


def test_the_ibnr_study_shows_the_open_year_ultimate_beside_the_ledger(experience_2024_2026):
    study = run("ibnr", {"year": 2026, "as_of": "2026-09-30"})
    assert study.status == Study.Status.DONE, study.message
    line = study.results["plan_year_reported_basis"]
    assert line["ultimate"] > line["reported"] >= line["paid"] > 0
    assert line["mack_se"] > 0
    assert float(study.results["ledger"]["paid"]) == pytest.approx(line["paid"], abs=0.01)
    report = study.results["triangles"]["report"]
    assert report["origins"][0] == "2024-01" and report["origins"][-1] == "2026-09"
    assert report["count"][-1][1] is None


def test_the_reserve_study_is_reproducible_from_its_seed(experience_2024_2026):
    inputs = {"years": [2024, 2025], "simulations": 2000, "seed": 9, "reserve_amount": "50000.00"}
    first, second = run("reserve", inputs), run("reserve", inputs)
    assert first.results["adequacy"] == second.results["adequacy"]
    fit = first.results["fit"]
    assert first.results["adequacy"]["mean"] == pytest.approx(first.results["expected_closed_form"], rel=0.05)
    assert 0.02 < fit["frequency"] < 0.08
    assert first.results["needed"]["needed"] >= first.results["needed"]["for_loss_ratio"]


def test_the_open_years_exposure_counts_to_the_valuation_date(experience_2024_2026):
    from huzhu.enrollment.models import Coverage

    Coverage.objects.update(left_on=None)  # leavers aside: only the valuation date ends a coverage here
    study = run("experience", {"years": [2026], "as_of": "2026-09-30"})
    assert study.results["as_of"] == "2026-09-30"
    expected = 0.0
    for starts_on, ends_on in Coverage.objects.filter(plan_year__year=2026, plan_year__plan_id="hospitalization",
                                                      status=Coverage.Status.ACTIVE).values_list("starts_on", "ends_on"):
        last = min(ends_on, date(2026, 9, 30))
        expected += max((last - max(starts_on, date(2026, 1, 1))).days + 1, 0) / 365
    assert study.results["total"]["exposure"] == pytest.approx(expected, abs=1e-3)
    whole = run("experience", {"years": [2026], "as_of": "2027-03-31"}).results["total"]
    assert whole["exposure"] > study.results["total"]["exposure"] * 1.2


def test_the_reserve_study_of_the_womens_plan_resamples_the_paid_lump_sums_under_the_cap(db):
    import numpy as np

    from huzhu.actuarial import synthetic
    from huzhu.claims.models import Claim

    from .test_simulation import resampled_contribution

    synthetic.build(plan="women_health", workers=3000, years=(2025, 2026), frequency=0.01, as_of=date(2026, 9, 30),
                    seed=5, ledger=False)
    inputs = {"plan": "women_health", "years": [2025, 2026], "as_of": "2026-09-30", "simulations": 20_000, "seed": 3,
              "reserve_amount": "0.00", "parameter_uncertainty": False}
    results = run("reserve", inputs).results
    fit = results["fit"]
    assert (fit["severity_model"], fit["claim_cap"], fit["year_cap"]) == ("empirical", 32000.0, 32000.0)
    paid = [float(b) for b in Claim.objects.filter(plan_year__plan_id="women_health", benefit_amount__gt=0,
                                                   status__in=(Claim.Status.APPROVED, Claim.Status.PAID),
                                                   diagnosed_on__lte=date(2026, 9, 30))
            .values_list("benefit_amount", flat=True)]
    assert fit["claims"] == len(paid) > 20 and max(paid) <= 32000
    # the spread of a year stays under what paying every claim the cap would give: cap x sqrt(expected claims)
    assert results["adequacy"]["sd"] <= 32000 * np.sqrt(fit["frequency"] * results["next_exposure"]) * 1.02
    expected = resampled_contribution(paid, exposure=fit["exposure"], people=results["next_exposure"],
                                      simulations=20_000, seed=11, target_loss_ratio=0.85, shortfall=0.05,
                                      share=results["benefit_share"])
    assert results["needed"]["needed"] == pytest.approx(expected, rel=0.05)


def test_a_finished_study_is_recomputed_only_when_forced(experience_2024_2026):
    study = run("experience", {"years": [2026]})
    finished_at = study.finished_at
    assert services.run_study(actor=None, study_id=study.pk).finished_at == finished_at
    assert services.run_study(actor=None, study_id=study.pk, force=True).finished_at > finished_at


def test_a_study_without_data_fails_with_a_chinese_message(db):
    from huzhu.plans.services import install_default_plans

    install_default_plans()
    study = run("ibnr", {"year": 2026, "as_of": "2026-06-30"})
    assert study.status == Study.Status.FAILED and "没有已报告的申领" in study.message


def test_a_missing_plan_year_is_named(db):
    from huzhu.plans.services import install_default_plans

    install_default_plans()
    study = run("experience", {"years": [1999]})
    assert study.status == Study.Status.FAILED and "1999" in study.message


@pytest.mark.parametrize(("kind", "data", "words"), [
    ("reserve", {"years": [2026], "simulations": 10}, "模拟次数"),
    ("reserve", {"years": []}, "请至少选择一个年度"),
    ("experience", {"years": [2026], "dimensions": ["shoe_size"]}, "shoe_size"),
    ("ibnr", {"year": 2026, "as_of": "2026-13-01"}, "评估日期"),
], ids=["too_few_simulations", "no_years", "unknown_dimension", "bad_date"])
def test_bad_inputs_are_refused_before_anything_is_saved(db, kind, data, words):
    with pytest.raises(ValidationFailed) as refused:
        services.create_study(actor=None, kind=kind, data=data)
    assert words in refused.value.message
    assert not Study.objects.exists()


def test_only_the_association_may_create_a_study(db, auditor, county_clerk):
    for actor in (auditor, county_clerk):
        with pytest.raises(PermissionDenied):
            services.create_study(actor=actor, kind="experience", data={"years": [2026]})


def test_a_created_study_waits_queued_for_its_door_to_start_the_task(experience_2024_2026, association_approver,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        study = services.create_study(actor=association_approver, kind="experience", data={"years": [2026]})
    study.refresh_from_db()
    assert study.status == Study.Status.QUEUED and not callbacks  # the page queues it (test_pages), not the service
    assert date.fromisoformat(study.inputs.get("as_of") or "2026-01-01")


def test_the_task_runs_a_created_study(experience_2024_2026, association_approver):
    study = services.create_study(actor=association_approver, kind="experience", data={"years": [2026]})
    assert run_study_task.delay(study.pk).get() == Study.Status.DONE
    study.refresh_from_db()
    assert study.results["total"]["claims"] > 0


def test_the_ibnr_study_puts_the_methods_side_by_side_and_marks_the_regulatory_figure(experience_2024_2026):
    study = run("ibnr", {"year": 2026, "as_of": "2026-09-30", "grain": "OYDM", "bootstrap_simulations": 200,
                         "seed": 3})
    assert study.status == Study.Status.DONE, study.message
    methods = study.results["methods"]
    assert [row["origin"] for row in methods["rows"]] == ["2024-01", "2025-01", "2026-01"]
    # contributions as exposure: the three years' coverages, each earned in full over its year
    assert methods["exposure"] > 0 and all(row["exposure"] > 0 for row in methods["rows"])
    assert methods["pricing_loss_ratio"] == pytest.approx(0.87)  # 1 - 5% reserve - 8% working funds
    regulatory = methods["regulatory"]
    larger = max(methods["totals"]["chain_ladder"], methods["totals"]["bornhuetter_ferguson"])
    assert regulatory["largest"] == pytest.approx(larger)
    assert regulatory["amount"] >= larger
    assert methods["bootstrap"]["simulations"] == 200
    again = run("ibnr", {"year": 2026, "as_of": "2026-09-30", "grain": "OYDM", "bootstrap_simulations": 200,
                         "seed": 3})
    assert again.results["methods"]["bootstrap"] == methods["bootstrap"]


def test_a_young_scheme_keeps_at_least_ten_percent_of_the_years_paid_claims(experience_2024_2026):
    study = run("ibnr", {"year": 2026, "as_of": "2026-09-30", "grain": "OYDM", "bootstrap_simulations": 0})
    regulatory = study.results["methods"]["regulatory"]
    # 2024-01 to 2026-09 is 2.75 years of data: fewer than three, so the floor applies
    assert regulatory["data_years"] == 2.75 and regulatory["floor_applies"] is True
    assert regulatory["floor"] == pytest.approx(0.1 * regulatory["paid_in_year"], abs=0.01)
    assert regulatory["paid_in_year"] > 0
    assert regulatory["amount"] == max(regulatory["largest"], regulatory["floor"])
    assert study.results["methods"]["bootstrap"] is None


def test_the_expected_loss_ratio_is_editable_and_moves_bornhuetter_ferguson(experience_2024_2026):
    low = run("ibnr", {"year": 2026, "as_of": "2026-09-30", "grain": "OYDM", "bootstrap_simulations": 0,
                       "expected_loss_ratio": 0.3})
    high = run("ibnr", {"year": 2026, "as_of": "2026-09-30", "grain": "OYDM", "bootstrap_simulations": 0,
                        "expected_loss_ratio": 0.9})
    low_totals, high_totals = low.results["methods"]["totals"], high.results["methods"]["totals"]
    assert high_totals["bornhuetter_ferguson"] == pytest.approx(3 * low_totals["bornhuetter_ferguson"], rel=1e-6)
    assert high_totals["chain_ladder"] == low_totals["chain_ladder"]


def test_the_regulatory_comparison_needs_two_methods(experience_2024_2026):
    with pytest.raises(ValidationFailed):
        run("ibnr", {"year": 2026, "regulatory_methods": ["chain_ladder"]})


def test_the_pricing_study_blends_each_leagues_cost_with_the_associations_prior(experience_2024_2026):
    study = run("pricing", {"years": [2024, 2025], "prior_burning_cost": "500", "cost_factor": 1.1, "trend": 0.05})
    assert study.status == Study.Status.DONE, study.message
    r = study.results
    assert r["prior"] == 500.0 and r["prior_set"] and len(r["rows"]) >= 2
    for row in r["rows"]:
        z = row["credibility"]
        assert 0 <= z <= 1
        assert row["blended"] == pytest.approx(z * row["burning_cost"] + (1 - z) * 500, rel=1e-3)
    assert r["recommended"] == pytest.approx(r["blended"] * 1.1 * 1.05 / 0.87, abs=0.01)
    assert sum(row["claims"] for row in r["rows"]) > 0


def test_the_pricing_command_prints_the_recommended_contribution(experience_2024_2026):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("actuarial", "pricing", "--years", "2024", "2025", "--prior-burning-cost", "400", stdout=out)
    assert "建议互助金" in out.getvalue() and "Z = " in out.getvalue()
