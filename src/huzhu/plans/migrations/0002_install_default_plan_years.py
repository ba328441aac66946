"""A fresh install has the shipped default plan years (DOMAIN.md's 2026 and 2027 terms), opened.

The terms are a frozen copy of `plans/default_terms.py` as it was when this migration was written,
not an import of it: a migration records one change and must give the same rows on any later
checkout. When the shipped defaults change, a new migration publishes them as a new version;
`plans/tests/test_default_plan_years_migration.py` fails until that is done.
"""
from django.db import migrations

YEARS = (2026, 2027)
PLAN_NAMES = {"hospitalization": "职工住院医疗互助保障", "women_health": "女性馨康互助保障"}
REASON = "系统安装时的默认条款"


def _documents(**lists) -> dict:
    kinds = ("inpatient", "outpatient_chronic", "diagnosis", "procedure", "deceased_extra")
    return {kind: list(lists.get(kind, ())) for kind in kinds}


def _common(plan: str, year: int) -> dict:
    return {
        "plan": plan, "year": year,
        "protection_start_on": f"{year}-01-01", "protection_end_on": f"{year}-12-31",
        "enrollment_opens_on": f"{year - 1}-07-01", "enrollment_closes_on": f"{year - 1}-12-10",
        "mid_year_join": True, "claim_deadline_days": 365,
        "inpatient": None, "allowance": None, "outpatient": None, "women": None,
        "review_days_simple": 15, "review_days_complex": 30, "reserve_rate": "0.05", "working_funds_rate": "0.08",
    }


def _hospitalization(year: int) -> dict:
    bands = [("0", "10000", "0.50"), ("10000", "20000", "0.60"), ("20000", "30000", "0.70"),
             ("30000", "50000", "0.80"), ("50000", "100000", "0.90"), ("100000", None, "1.00")]
    return {
        **_common("hospitalization", year),
        "contribution_amount": "100.00", "subsidy_amount": "10.00", "annual_cap_amount": "500000.00",
        "eligibility": {"min_age": 16, "max_age_male": 60, "max_age_female": 55, "genders": ["M", "F"],
                        "worker_kinds": ["employee", "gig"]},
        "participation": {"basis": "eligible", "min_rate": "0.80", "all_required_up_to": 10},
        "inpatient": {"bands": [{"lower_amount": lower, "upper_amount": upper, "rate": rate}
                                for lower, upper, rate in bands], "minimum_amount": "200.00"},
        "allowance": {"daily_amounts": ["10", "20", "30"], "max_days_per_year": 180, "min_days_per_stay": 1},
        "outpatient": {"deductible_amount": "1000", "rate": "0.50", "annual_cap_amount": "10000"},
        "documents": _documents(
            inpatient=("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card"),
            outpatient_chronic=("chronic_approval", "cost_statement", "invoice", "id_card", "bank_card"),
            deceased_extra=("death_certificate", "household_deregistration", "cremation_certificate")),
    }


def _women_health(year: int) -> dict:
    tiers = [
        ("A", "乳腺或女性生殖器官恶性肿瘤", "32000", [f"C{n}" for n in range(50, 59)], []),
        ("B", "原位癌", "8000", ["D05", "D06", "D07.0", "D07.1", "D07.2"], []),
        ("C", "非恶性原因全子宫切除或双侧卵巢切除", "3000", [], ["total_hysterectomy", "bilateral_oophorectomy"]),
    ]
    return {
        **_common("women_health", year),
        "contribution_amount": "40.00", "subsidy_amount": "0.00", "annual_cap_amount": None,
        "eligibility": {"min_age": 16, "max_age_male": 0, "max_age_female": 61, "genders": ["F"],
                        "worker_kinds": ["employee", "gig"]},
        "participation": {"basis": "female", "min_rate": "0.80", "all_required_up_to": 100},
        "women": {"tiers": [{"code": code, "name": name, "amount": amount, "icd10_prefixes": prefixes,
                             "procedures": procedures} for code, name, amount, prefixes, procedures in tiers],
                  "annual_cap_amount": "32000"},
        "documents": _documents(
            diagnosis=("pathology_report", "diagnosis_certificate", "discharge_summary", "invoice", "id_card",
                       "bank_card"),
            procedure=("discharge_summary", "invoice", "id_card", "bank_card")),
    }


DOCUMENTS = {"hospitalization": _hospitalization, "women_health": _women_health}


def frozen_document(plan: str, year: int) -> dict:
    """The terms document this migration installs for a plan year (model_dump(mode="json") shape)."""
    return DOCUMENTS[plan](year)


def install_default_plan_years(plan_model, plan_year_model, terms_version_model) -> int:
    """Create each default plan year that does not exist yet, with version 1 of its terms, opened.

    Takes the model classes so that tests can put the rows back after a flush. A plan year that
    exists in any state (a database that ran the demo, or terms the association entered) is left
    alone. Returns the number of plan years created.
    """
    created = 0
    for code, name in PLAN_NAMES.items():
        plan, _ = plan_model.objects.get_or_create(code=code, defaults={"name": name})
        for year in YEARS:
            if plan_year_model.objects.filter(plan=plan, year=year).exists():
                continue
            plan_year = plan_year_model.objects.create(plan=plan, year=year, status="open")
            version = terms_version_model.objects.create(plan_year=plan_year, number=1, reason=REASON,
                                                         document=frozen_document(code, year))
            plan_year.current_version = version
            plan_year.save(update_fields=["current_version"])
            created += 1
    return created


def install(apps, schema_editor):
    install_default_plan_years(apps.get_model("plans", "Plan"), apps.get_model("plans", "PlanYear"),
                               apps.get_model("plans", "TermsVersion"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    # Reversing keeps the rows: claims and coverages may already point at these plan years.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
