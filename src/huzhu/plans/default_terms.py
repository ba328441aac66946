"""The terms Huzhu ships with for 2026 and 2027 (DOMAIN.md; values marked [P] there are ours)."""
from datetime import date
from decimal import Decimal as D

from .terms import (
    AllowanceTerms,
    Band,
    Documents,
    Eligibility,
    InpatientTerms,
    OutpatientTerms,
    Participation,
    PlanYearTerms,
    Tier,
    WomenHealthTerms,
)

PLAN_NAMES = {
    "hospitalization": "职工住院医疗互助保障",
    "women_health": "女性馨康互助保障",
}


def hospitalization_terms(year: int) -> PlanYearTerms:
    return PlanYearTerms(
        plan="hospitalization",
        year=year,
        protection_start_on=date(year, 1, 1),
        protection_end_on=date(year, 12, 31),
        enrollment_opens_on=date(year - 1, 7, 1),
        enrollment_closes_on=date(year - 1, 12, 10),
        contribution_amount=D("100.00"),
        subsidy_amount=D("10.00"),
        claim_deadline_days=365,
        annual_cap_amount=D("500000.00"),
        eligibility=Eligibility(min_age=16, max_age_male=60, max_age_female=55),
        participation=Participation(basis="eligible", min_rate=D("0.80"), all_required_up_to=10),
        inpatient=InpatientTerms(
            bands=(
                Band(lower_amount=D("0"), upper_amount=D("10000"), rate=D("0.50")),
                Band(lower_amount=D("10000"), upper_amount=D("20000"), rate=D("0.60")),
                Band(lower_amount=D("20000"), upper_amount=D("30000"), rate=D("0.70")),
                Band(lower_amount=D("30000"), upper_amount=D("50000"), rate=D("0.80")),
                Band(lower_amount=D("50000"), upper_amount=D("100000"), rate=D("0.90")),
                Band(lower_amount=D("100000"), upper_amount=None, rate=D("1.00")),
            ),
            minimum_amount=D("200.00"),
        ),
        allowance=AllowanceTerms(daily_amounts=(D("10"), D("20"), D("30")), max_days_per_year=180),
        outpatient=OutpatientTerms(deductible_amount=D("1000"), rate=D("0.50"), annual_cap_amount=D("10000")),
        documents=Documents(
            inpatient=("settlement_sheet", "invoice", "id_card", "discharge_summary", "bank_card"),
            outpatient_chronic=("chronic_approval", "cost_statement", "invoice", "id_card", "bank_card"),
            deceased_extra=("death_certificate", "household_deregistration", "cremation_certificate"),
        ),
    )


def women_health_terms(year: int) -> PlanYearTerms:
    return PlanYearTerms(
        plan="women_health",
        year=year,
        protection_start_on=date(year, 1, 1),
        protection_end_on=date(year, 12, 31),
        enrollment_opens_on=date(year - 1, 7, 1),
        enrollment_closes_on=date(year - 1, 12, 10),
        contribution_amount=D("40.00"),
        subsidy_amount=D("0.00"),
        claim_deadline_days=365,
        eligibility=Eligibility(min_age=16, max_age_male=0, max_age_female=61, genders=("F",)),
        participation=Participation(basis="female", min_rate=D("0.80"), all_required_up_to=100),
        women=WomenHealthTerms(
            tiers=(
                Tier(code="A", name="乳腺或女性生殖器官恶性肿瘤", amount=D("32000"),
                     icd10_prefixes=("C50", "C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58")),
                Tier(code="B", name="原位癌", amount=D("8000"), icd10_prefixes=("D05", "D06", "D07.0", "D07.1", "D07.2")),
                Tier(code="C", name="非恶性原因全子宫切除或双侧卵巢切除", amount=D("3000"),
                     procedures=("total_hysterectomy", "bilateral_oophorectomy")),
            ),
            annual_cap_amount=D("32000"),
        ),
        documents=Documents(
            diagnosis=("pathology_report", "diagnosis_certificate", "discharge_summary", "invoice", "id_card", "bank_card"),
            procedure=("discharge_summary", "invoice", "id_card", "bank_card"),
        ),
    )


def default_terms(plan: str, year: int) -> PlanYearTerms:
    return {"hospitalization": hospitalization_terms, "women_health": women_health_terms}[plan](year)
