"""Plan-year terms: the schema (pydantic) that every plan year's data must satisfy.

Terms are data, never constants in code (DOMAIN.md). The defaults for 2026 and 2027 live in
`default_terms.py`; the benefit engine (`rules.py`) reads nothing but these objects.
"""
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PlanCode = Literal["hospitalization", "women_health"]
Money = Decimal


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(Frozen):
    """A marginal band of the expense base: the part of B in [lower, upper) pays at `rate`."""

    lower_amount: Money = Field(ge=0)
    upper_amount: Money | None = Field(default=None, description="None = no upper limit")
    rate: Decimal = Field(ge=0, le=1)


class InpatientTerms(Frozen):
    bands: tuple[Band, ...]
    minimum_amount: Money = Field(ge=0, description="minimum a stay, never above B")

    @model_validator(mode="after")
    def bands_are_contiguous(self) -> "InpatientTerms":
        if not self.bands or self.bands[0].lower_amount != 0:
            raise ValueError("the first band must start at 0")
        for before, after in zip(self.bands, self.bands[1:]):
            if before.upper_amount is None or before.upper_amount != after.lower_amount:
                raise ValueError("bands must be contiguous and only the last may be open")
            if before.upper_amount <= before.lower_amount:
                raise ValueError("a band's upper bound must be above its lower bound")
        return self


class AllowanceTerms(Frozen):
    """Daily hospital allowance by the worker's consecutive year in the plan."""

    daily_amounts: tuple[Money, ...] = Field(
        min_length=1, description="index 0 = 1st consecutive year; the last applies from then on"
    )
    max_days_per_year: int = Field(ge=0)
    min_days_per_stay: int = Field(default=1, ge=0)

    def daily_amount(self, consecutive_years: int) -> Money:
        index = min(max(consecutive_years, 1), len(self.daily_amounts)) - 1
        return self.daily_amounts[index]


class OutpatientTerms(Frozen):
    """Outpatient special/chronic disease (门诊慢特病) benefit, per plan year."""

    deductible_amount: Money = Field(ge=0, description="taken once a year")
    rate: Decimal = Field(ge=0, le=1)
    annual_cap_amount: Money = Field(ge=0)


class Tier(Frozen):
    """A women's-plan lump sum, paid once per worker for life in the scheme."""

    code: str = Field(pattern=r"^[A-Z]$")
    name: str
    amount: Money = Field(ge=0)
    icd10_prefixes: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()


class WomenHealthTerms(Frozen):
    tiers: tuple[Tier, ...]
    annual_cap_amount: Money = Field(ge=0)


class Eligibility(Frozen):
    min_age: int = Field(ge=0)
    max_age_male: int = Field(ge=0, description="exclusive: statutory retirement age")
    max_age_female: int = Field(ge=0)
    genders: tuple[Literal["M", "F"], ...] = ("M", "F")
    worker_kinds: tuple[Literal["employee", "gig"], ...] = ("employee", "gig")


class Participation(Frozen):
    """How many of a unit's people must enroll (参互率)."""

    basis: Literal["eligible", "female"] = "eligible"
    min_rate: Decimal = Field(ge=0, le=1)
    all_required_up_to: int = Field(ge=0, description="a unit this small must enroll everybody")


class Documents(Frozen):
    """Required document kinds per claim type (codes of archives.DocumentKind)."""

    inpatient: tuple[str, ...] = ()
    outpatient_chronic: tuple[str, ...] = ()
    diagnosis: tuple[str, ...] = ()
    procedure: tuple[str, ...] = ()
    deceased_extra: tuple[str, ...] = ()


class PlanYearTerms(Frozen):
    """Everything a plan year decides. Validated on save; frozen once the year opens."""

    plan: PlanCode
    year: int = Field(ge=2000, le=2100)
    protection_start_on: date
    protection_end_on: date = Field(description="last covered day, inclusive")
    enrollment_opens_on: date
    enrollment_closes_on: date
    contribution_amount: Money = Field(ge=0, description="per person (share) and year, full fee")
    subsidy_amount: Money = Field(ge=0, description="union subsidy per person, part of the contribution")
    mid_year_join: bool = True
    claim_deadline_days: int = Field(ge=0, description="days after the protection period ends")
    annual_cap_amount: Money | None = Field(default=None, ge=0)
    eligibility: Eligibility
    participation: Participation
    inpatient: InpatientTerms | None = None
    allowance: AllowanceTerms | None = None
    outpatient: OutpatientTerms | None = None
    women: WomenHealthTerms | None = None
    documents: Documents = Documents()
    review_days_simple: int = Field(default=15, ge=1, description="working days from complete documents")
    review_days_complex: int = Field(default=30, ge=1)
    reserve_rate: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    working_funds_rate: Decimal = Field(default=Decimal("0.08"), ge=0, le=1)

    @model_validator(mode="after")
    def consistent(self) -> "PlanYearTerms":
        if self.protection_end_on < self.protection_start_on:
            raise ValueError("protection_end_on is before protection_start_on")
        if self.enrollment_closes_on < self.enrollment_opens_on:
            raise ValueError("enrollment_closes_on is before enrollment_opens_on")
        if self.subsidy_amount > self.contribution_amount:
            raise ValueError("subsidy_amount exceeds contribution_amount")
        if self.plan == "hospitalization" and not (self.inpatient and self.allowance and self.outpatient):
            raise ValueError("hospitalization terms need inpatient, allowance and outpatient parts")
        if self.plan == "women_health" and not self.women:
            raise ValueError("women_health terms need the women part")
        return self

    def covers(self, day: date) -> bool:
        return self.protection_start_on <= day <= self.protection_end_on

    @property
    def payer_amount(self) -> Money:
        """What the worker or unit pays after the union subsidy."""
        return self.contribution_amount - self.subsidy_amount
