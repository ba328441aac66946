"""Pages: the association runs studies, auditors only read, every other role gets 403."""
import pytest
from django.urls import reverse

from huzhu.actuarial import services
from huzhu.actuarial.models import Study
from huzhu.conftest import PASSWORD


@pytest.fixture
def study(experience_2024_2026):
    created = services.create_study(actor=None, kind="experience", data={"years": [2025, 2026]})
    return services.run_study(actor=None, study_id=created.pk)


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("persona", ["county_clerk", "league_reviewer", "unit_contact"])
def test_other_roles_are_refused(client, request, persona, study):
    user = request.getfixturevalue(persona)
    signed_in(client, user)
    assert client.get(reverse("actuarial:index")).status_code == 403
    assert client.get(reverse("actuarial:detail", args=[study.pk])).status_code == 403


def test_an_auditor_reads_studies_and_reports_but_cannot_start_one(client, auditor, study):
    signed_in(client, auditor)
    page = client.get(reverse("actuarial:index"))
    assert page.status_code == 200 and "发起测算" not in page.content.decode()
    detail = client.get(reverse("actuarial:detail", args=[study.pk])).content.decode()
    assert "按盟市" in detail and 'id="study-charts"' in detail and "<script>" not in detail
    assert client.get(reverse("actuarial:xlsx", args=[study.pk]))["Content-Type"].startswith("application/vnd.openxml")
    response = client.post(reverse("actuarial:create", args=["experience"]), {"years": ["2026"]})
    assert response.status_code == 403 and Study.objects.count() == 1


def test_the_association_starts_a_reserve_study_from_the_form(client, association_approver, experience_2024_2026,
                                                              django_capture_on_commit_callbacks):
    signed_in(client, association_approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("actuarial:create", args=["reserve"]), {
            "plan": "hospitalization", "years": ["2024", "2025"], "target_loss_ratio": "85",
            "shortfall_probability": "5", "simulations": "500", "seed": "1", "parameter_uncertainty": "on"})
    study = Study.objects.get()
    assert response.status_code == 302 and study.status == Study.Status.DONE
    assert study.inputs["target_loss_ratio"] == pytest.approx(0.85)
    page = client.get(reverse("actuarial:detail", args=[study.pk])).content.decode()
    assert "建议每人互助金" in page


def test_a_womens_reserve_study_page_shows_the_resampled_severity_the_caps_and_the_valuation_date(
        client, association_approver, django_capture_on_commit_callbacks):
    from huzhu.demo import synthetic

    synthetic.build(plan="women_health", workers=1500, years=(2025, 2026), frequency=0.01, seed=2, ledger=False)
    signed_in(client, association_approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("actuarial:create", args=["reserve"]), {
            "plan": "women_health", "years": ["2025", "2026"], "as_of": "2026-09-30", "simulations": "500",
            "seed": "1", "parameter_uncertainty": "on"})
    study = Study.objects.get()
    assert study.status == Study.Status.DONE, study.message
    assert study.inputs["as_of"] == "2026-09-30"
    page = client.get(reverse("actuarial:detail", args=[study.pk])).content.decode()
    assert "件均补助（实际补助金重抽样）" in page and "每人每年补助上限（元）" in page
    assert "评估日期 2026-09-30" in page


def test_a_bad_form_value_comes_back_as_a_chinese_message(client, association_approver, experience_2024_2026):
    signed_in(client, association_approver)
    response = client.post(reverse("actuarial:create", args=["reserve"]), {"years": ["2025"], "simulations": "ten"},
                           follow=True)
    assert "模拟次数：应为数字" in response.content.decode() and not Study.objects.exists()


def test_the_whatif_form_refuses_bad_terms_on_their_field(client, association_approver, experience_2024_2026):
    signed_in(client, association_approver)
    form = client.get(reverse("actuarial:whatif") + "?plan=hospitalization&base_year=2026")
    assert form.status_code == 200
    data = {"plan": "hospitalization", "base_year": "2026", "years": ["2026"]}
    for field in form.context["form"].fields:
        if field.kind not in ("fixed", "documents", "bool"):
            data[field.path] = field.value
        elif field.kind == "bool" and field.value:
            data[field.path] = "on"
        elif field.kind == "documents":
            data[field.path] = [code for code, _name, checked in field.choices if checked]
    data["inpatient.bands.0.rate"] = "150"
    refused = client.post(reverse("actuarial:whatif"), data)
    assert refused.status_code == 200 and "不能大于" in refused.content.decode() and not Study.objects.exists()
    data["inpatient.bands.0.rate"] = "55"
    accepted = client.post(reverse("actuarial:whatif"), data)
    assert accepted.status_code == 302
    assert Study.objects.get().inputs["terms"]["inpatient"]["bands"][0]["rate"] == "0.55"


def test_the_pdf_report_is_a_pdf(client, association_approver, study):
    signed_in(client, association_approver)
    response = client.get(reverse("actuarial:pdf", args=[study.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_association_runs_the_ibnr_methods_from_the_form_and_sees_the_regulatory_figure_marked(
        client, association_approver, experience_2024_2026, django_capture_on_commit_callbacks):
    signed_in(client, association_approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("actuarial:create", args=["ibnr"]), {
            "plan": "hospitalization", "year": "2026", "as_of": "2026-09-30", "grain": "OYDM",
            "expected_loss_ratio": "60", "regulatory_methods": ["chain_ladder", "benktander"],
            "bootstrap_simulations": "200", "seed": "2"})
    study = Study.objects.get()
    assert study.status == Study.Status.DONE, study.message
    assert study.inputs["expected_loss_ratio"] == pytest.approx(0.6)
    assert study.inputs["regulatory_methods"] == ["chain_ladder", "benktander"]
    regulatory = study.results["methods"]["regulatory"]
    page = client.get(reverse("actuarial:detail", args=[study.pk])).content.decode()
    assert "监管口径 IBNR" in page and f'data-regulatory="{regulatory["amount"]}"' in page
    assert page.count('class="num regulatory"') == 3 + 1 + 1  # three years, the total, the heading
    assert "不足三年" in page and "过度分散泊松自助法" in page
    workbook = client.get(reverse("actuarial:xlsx", args=[study.pk])).content
    from io import BytesIO

    from openpyxl import load_workbook

    assert {"多种方法比较", "监管口径"} <= set(load_workbook(BytesIO(workbook)).sheetnames)


def test_the_actuarial_command_prints_the_methods_and_the_regulatory_figure(experience_2024_2026):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("actuarial", "ibnr", "--year", "2026", "--as-of", "2026-09-30", "--grain", "OYDM",
                 "--methods", "chain_ladder", "bornhuetter_ferguson", "--bootstrap", "100", "--seed", "4", stdout=out)
    text = out.getvalue()
    assert "B-F 法" in text and "监管口径 IBNR" in text and "10%" in text and "自助法 100 次" in text


def test_the_association_prices_next_year_from_the_form(client, association_approver, experience_2024_2026,
                                                        django_capture_on_commit_callbacks):
    signed_in(client, association_approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("actuarial:create", args=["pricing"]),
                    {"plan": "hospitalization", "years": ["2024", "2025"], "prior_burning_cost": "450", "trend": "3"})
    study = Study.objects.get()
    assert study.status == Study.Status.DONE, study.message
    assert study.inputs["trend"] == pytest.approx(0.03) and study.inputs["prior_burning_cost"] == "450"
    page = client.get(reverse("actuarial:detail", args=[study.pk])).content.decode()
    assert f'data-recommended="{study.results["recommended"]}"' in page and "先验由协会设定" in page
    assert client.get(reverse("actuarial:pdf", args=[study.pk])).content.startswith(b"%PDF-")


def test_the_ibnr_form_defaults_to_the_latest_year_already_begun(client, association_approver, db):
    from datetime import date

    import time_machine

    from huzhu.plans.services import install_default_plans

    install_default_plans(years=(2025, 2026, 2027))
    signed_in(client, association_approver)
    with time_machine.travel(date(2026, 6, 1), tick=False):
        page = client.get(reverse("actuarial:index")).text
    ibnr_year = page[page.index('id="i-year"'):page.index("</select>", page.index('id="i-year"'))]
    assert '<option value="2026" selected>' in ibnr_year and '<option value="2027" selected>' not in ibnr_year
