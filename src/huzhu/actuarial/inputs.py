"""What each kind of study is asked (pydantic schemas), and their errors in Chinese. Pure.

The page, the command line and a stored study's `inputs` all go through these schemas, so a
study can be re-run from what was saved.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from huzhu.core.translation import gettext_noop
from huzhu.plans.terms import PlanYearTerms

from .experience import DIMENSIONS
from .ibnr import GRAINS, METHODS


class Inputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: Literal["hospitalization", "women_health"] = "hospitalization"


def _years(value: tuple[int, ...]) -> tuple[int, ...]:
    if not value:
        raise ValueError("years_required")
    return tuple(sorted(set(value)))


class ExperienceInputs(Inputs):
    years: tuple[int, ...]
    as_of: date | None = None  # valuation date: an open year's exposure counts to it; default today
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    dimensions: tuple[str, ...] = tuple(DIMENSIONS)
    bootstrap_below: int = Field(default=30, ge=2, le=10_000)
    seed: int = 1

    _check_years = field_validator("years")(_years)

    @field_validator("dimensions")
    @classmethod
    def known_dimensions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in value if d not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown_dimension:{','.join(unknown)}")
        return value


class IbnrInputs(Inputs):
    year: int = Field(ge=2000, le=2100)
    as_of: date | None = None
    grain: str = "OMDM"
    expected_loss_ratio: float | None = Field(default=None, gt=0, le=3,
                                              description="a-priori loss ratio; default the pricing basis' benefit share")
    regulatory_methods: tuple[str, ...] = ("chain_ladder", "bornhuetter_ferguson")
    benktander_iterations: int = Field(default=2, ge=1, le=50)
    bootstrap_simulations: int = Field(default=1000, ge=0, le=20_000, description="0 leaves the bootstrap out")
    seed: int = Field(default=1, ge=1)

    @field_validator("regulatory_methods")
    @classmethod
    def two_known_methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(m not in METHODS for m in value):
            raise ValueError("unknown_method")
        if len(set(value)) < 2:
            raise ValueError("two_methods")
        return tuple(m for m in METHODS if m in value)

    @field_validator("grain")
    @classmethod
    def known_grain(cls, value: str) -> str:
        if value not in GRAINS:
            raise ValueError("unknown_grain")
        return value


class WhatIfInputs(Inputs):
    years: tuple[int, ...]
    base_year: int = Field(ge=2000, le=2100)
    terms: PlanYearTerms  # a whole terms document, e.g. a plan year's with changes

    _check_years = field_validator("years")(_years)


class ReserveInputs(Inputs):
    years: tuple[int, ...]
    as_of: date | None = None  # valuation date: an open year's exposure counts to it; default today
    next_exposure: float | None = Field(default=None, gt=0, description="person-years next year; default the last year's")
    contribution_amount: Decimal | None = Field(default=None, ge=0, description="per person; default the current terms'")
    reserve_amount: Decimal | None = Field(default=None, ge=0, description="total reserve; default the ledger's")
    benefit_share: float | None = Field(default=None, gt=0, le=1,
                                        description="share of contributions left for benefits; default 1 - reserve - working funds")
    target_loss_ratio: float = Field(default=0.85, gt=0, le=2)
    shortfall_probability: float = Field(default=0.05, gt=0, lt=1)
    simulations: int = Field(default=10_000, ge=100, le=1_000_000)
    seed: int = 1
    parameter_uncertainty: bool = True
    cost_factor: float = Field(default=1.0, gt=0, le=10, description="benefit level under proposed terms (from a what-if)")

    _check_years = field_validator("years")(_years)


class PricingInputs(Inputs):
    years: tuple[int, ...]
    as_of: date | None = None  # valuation date: an open year's exposure counts to it; default today
    prior_burning_cost: Decimal | None = Field(default=None, ge=0,
                                               description="the association's prior benefits per person-year; default the scheme's mean")
    cost_factor: float = Field(default=1.0, gt=0, le=10, description="benefit level under proposed terms (from a what-if)")
    whatif_study: int | None = Field(default=None, ge=1,
                                     description="a finished what-if study: its proposed/current benefits are the cost factor")
    trend: float = Field(default=0.0, ge=-0.5, le=1, description="expected change in cost to next year")
    benefit_share: float | None = Field(default=None, gt=0, le=1,
                                        description="share of contributions left for benefits; default 1 - reserve - working funds")

    _check_years = field_validator("years")(_years)


SCHEMAS: dict[str, type[Inputs]] = {"experience": ExperienceInputs, "ibnr": IbnrInputs, "whatif": WhatIfInputs,
                                    "reserve": ReserveInputs, "pricing": PricingInputs}

FIELD_LABELS = {
    "plan": gettext_noop("保障项目"),
    "years": gettext_noop("年度"),
    "year": gettext_noop("年度"),
    "base_year": gettext_noop("条款所属年度"),
    "confidence": gettext_noop("置信水平"),
    "dimensions": gettext_noop("分析维度"),
    "bootstrap_below": gettext_noop("自助法样本阈值"),
    "seed": gettext_noop("随机种子"),
    "as_of": gettext_noop("评估日期"),
    "grain": gettext_noop("进展粒度"),
    "expected_loss_ratio": gettext_noop("预期赔付率"),
    "regulatory_methods": gettext_noop("监管口径比较的方法"),
    "benktander_iterations": gettext_noop("Benktander 迭代次数"),
    "bootstrap_simulations": gettext_noop("自助法模拟次数"),
    "terms": gettext_noop("测算条款"),
    "next_exposure": gettext_noop("下一年度保障人年"),
    "contribution_amount": gettext_noop("每人互助金"),
    "reserve_amount": gettext_noop("总准备金"),
    "benefit_share": gettext_noop("可用于补助的互助金比例"),
    "target_loss_ratio": gettext_noop("目标赔付率"),
    "shortfall_probability": gettext_noop("可接受的不足概率"),
    "simulations": gettext_noop("模拟次数"),
    "parameter_uncertainty": gettext_noop("计入参数不确定性"),
    "cost_factor": gettext_noop("补助水平系数"),
    "whatif_study": gettext_noop("条款测算"),
    "prior_burning_cost": gettext_noop("协会设定的先验人均赔付成本"),
    "trend": gettext_noop("成本趋势"),
}
MESSAGES = {"years_required": gettext_noop("请至少选择一个年度"), "unknown_grain": gettext_noop("进展粒度不正确"),
            "unknown_method": gettext_noop("不认识的评估方法"), "two_methods": gettext_noop("请至少选择两种评估方法"),
            "missing": gettext_noop("必填"), "extra_forbidden": gettext_noop("不认识的字段")}


def _message(error: dict) -> str:
    kind = error["type"]
    text = str(error.get("ctx", {}).get("error", "")) if kind == "value_error" else ""
    if text in MESSAGES:
        return MESSAGES[text]
    if text.startswith("unknown_dimension:"):
        return f"不认识的分析维度：{text.split(':', 1)[1]}"
    if kind in MESSAGES:
        return MESSAGES[kind]
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(error.get("ctx", {}).values()), "")
        word = {"greater_than": "必须大于", "greater_than_equal": "不能小于", "less_than": "必须小于",
                "less_than_equal": "不能大于"}[kind]
        return f"{word} {bound}"
    if kind.startswith(("int", "float", "decimal")):
        return "应为数字"
    if kind.startswith("date"):
        return "应为日期（年-月-日）"
    if kind == "literal_error":
        return "取值不在允许范围内"
    return error.get("msg", "不正确")


def errors_of(exc: ValidationError) -> list[tuple[str, str, str]]:
    """(field, label, message) of each error; terms errors name the terms field."""
    result = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else ""
        label = FIELD_LABELS.get(field, field)
        if field == "terms" and len(loc) > 1:
            label = f"测算条款 · {'.'.join(loc[1:])}"
        result.append((field, label, _message(error)))
    return result


def parse(kind: str, data: dict) -> Inputs:
    """The inputs of a study of `kind`; raises pydantic's ValidationError."""
    return SCHEMAS[kind].model_validate(data)
