"""The four studies: gather the data with set-based queries, hand it to the pure calculations.

Each `run_<kind>(scope, inputs, progress)` reads, computes and returns a JSON-ready dict; it
writes nothing (services.run_study stores the result). Sums of money are integer fen; estimates
are floats in yuan, rounded.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from django.utils import timezone

from huzhu.core.errors import ValidationFailed
from huzhu.core.money import to_fen
from huzhu.core.scopes import Scope
from huzhu.plans.models import PlanYear

from . import experience, ibnr, pricing, queries, rerating, simulation
from .inputs import ExperienceInputs, IbnrInputs, PricingInputs, ReserveInputs, WhatIfInputs

Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str = "") -> None:
    return None


def _plan_years(plan: str, years) -> list[PlanYear]:
    found = queries.plan_years_of(plan, years)
    missing = sorted(set(years) - {p.year for p in found})
    if missing:
        raise ValidationFailed("no_plan_year", f"没有 {'、'.join(map(str, missing))} 年度的方案条款", field="years")
    return found


# --- experience ----------------------------------------------------------------------------------
def run_experience(scope: Scope, inputs: ExperienceInputs, progress: Progress = _no_progress) -> dict:
    """Exposure, frequency, severity, burning cost and loss ratio by group, each year and all together."""
    years = _plan_years(inputs.plan, inputs.years)
    as_of = inputs.as_of or timezone.localdate()
    coverage_parts, claim_parts, per_year = [], [], []
    for index, plan_year in enumerate(years):
        progress(int(80 * index / len(years)), f"读取 {plan_year.year} 年度保障与申领")
        coverages = queries.coverage_frame(scope, plan_year, as_of=as_of)
        claims = queries.paid_claims_frame(scope, plan_year, as_of=as_of)
        total = experience.study(coverages, claims, dimensions=(), confidence=inputs.confidence,
                                 bootstrap_below=inputs.bootstrap_below, seed=inputs.seed)["total"]
        per_year.append({**total, "label": str(plan_year.year)})
        coverage_parts.append(coverages)
        claim_parts.append(claims)
    progress(85, "计算分组指标")
    result = experience.study(pd.concat(coverage_parts, ignore_index=True), pd.concat(claim_parts, ignore_index=True),
                              dimensions=inputs.dimensions, confidence=inputs.confidence,
                              bootstrap_below=inputs.bootstrap_below, seed=inputs.seed)
    return {**result, "as_of": as_of.isoformat(), "years": per_year,
            "dimension_labels": {d: experience.DIMENSIONS[d] for d in inputs.dimensions}}


# --- IBNR ----------------------------------------------------------------------------------------
def run_ibnr(scope: Scope, inputs: IbnrInputs, progress: Progress = _no_progress) -> dict:
    """Development triangles and Mack chain-ladder reserves; the plan year's ultimate beside the ledger."""
    plan_year = _plan_years(inputs.plan, [inputs.year])[0]
    as_of = inputs.as_of or timezone.localdate()
    progress(10, "读取已报告申领")
    rows = queries.development_rows(scope, inputs.plan, as_of=as_of)
    if len(rows["event_day"]) == 0:
        raise ValidationFailed("no_claims", "截至评估日期没有已报告的申领，无法编制进展三角形", field="as_of")
    event_month = ibnr.months_from_days(rows["event_day"])
    reported_month = ibnr.months_from_days(rows["reported_day"])
    paid = rows["paid_day"] >= 0
    paid_month = ibnr.months_from_days(np.where(paid, rows["paid_day"], 0))
    first, last = int(event_month.min()), ibnr.month_of(as_of)
    amount = rows["amount_fen"]
    progress(30, "编制进展三角形")
    triangles = {
        "report": ibnr.development(event_month, reported_month, amount, first_month=first, last_month=last),
        "payment": ibnr.development(event_month[paid], paid_month[paid], amount[paid], first_month=first,
                                    last_month=last),
    }
    progress(50, "链梯法（按报告）")
    reported = ibnr.chain_ladder(event_month, reported_month, amount, first_month=first, last_month=last,
                                 grain=inputs.grain)
    by_year_reported = ibnr.chain_ladder(event_month, reported_month, amount, first_month=first, last_month=last,
                                         grain="OYDM")
    progress(75, "链梯法（按支付）")
    paid_model = by_year_paid = None
    if paid.any():
        paid_model = ibnr.chain_ladder(event_month[paid], paid_month[paid], amount[paid], first_month=first,
                                       last_month=last, grain=inputs.grain)
        by_year_paid = ibnr.chain_ladder(event_month[paid], paid_month[paid], amount[paid], first_month=first,
                                         last_month=last, grain="OYDM")
    progress(85, "多种方法比较与自助法")
    methods = _methods(scope, inputs, plan_year, event_month, reported_month, amount, rows, first=first, last=last,
                       as_of=as_of)
    in_year = (event_month // 12) == plan_year.year
    reported_fen = int(amount[in_year].sum())
    paid_fen = int(amount[in_year & paid].sum())
    ledger = {key: str(value) for key, value in queries.ledger_figures(plan_year).items()}
    return {
        "as_of": as_of.isoformat(), "year": plan_year.year, "grain": inputs.grain, "grain_label": ibnr.GRAINS[inputs.grain],
        "triangles": triangles, "reported": reported, "paid": paid_model,
        "plan_year_reported_basis": ibnr.plan_year_reserve(by_year_reported, plan_year.year, paid_fen=paid_fen,
                                                           reported_fen=reported_fen),
        "plan_year_paid_basis": ibnr.plan_year_reserve(by_year_paid, plan_year.year, paid_fen=paid_fen,
                                                       reported_fen=reported_fen) if by_year_paid else None,
        "ledger": ledger, "claims": int(in_year.sum()), "methods": methods,
    }


def _methods(scope: Scope, inputs: IbnrInputs, plan_year: PlanYear, event_month, reported_month, amount, rows, *,
             first: int, last: int, as_of: date) -> dict:
    """IBNR by each method per accident period (contributions as exposure), the regulatory figure, the bootstrap."""
    terms = plan_year.terms
    # the pricing basis: what is left of each contribution for benefits after reserve and working funds
    pricing_ratio = float(1 - terms.reserve_rate - terms.working_funds_rate)
    expected_loss_ratio = inputs.expected_loss_ratio or pricing_ratio
    triangle = ibnr.cumulative_triangle(event_month, reported_month, amount, first_month=first, last_month=last,
                                        grain=inputs.grain)
    contributions = queries.contribution_rows(scope, inputs.plan)
    earned = ibnr.earned_by_month(contributions["contribution_fen"], contributions["start_day"],
                                  contributions["end_day"])
    summary = ibnr.methods_summary(triangle, ibnr.exposure_by_origin(triangle, earned),
                                   expected_loss_ratio=expected_loss_ratio,
                                   benktander_iterations=inputs.benktander_iterations)
    year_start = (date(as_of.year, 1, 1) - date(1970, 1, 1)).days
    paid_in_year = int(amount[rows["paid_day"] >= year_start].sum()) / 100.0  # paid_day is -1 when unpaid
    regulatory = ibnr.regulatory_ibnr(summary["totals"], methods=inputs.regulatory_methods,
                                      data_years=(last - first + 1) / 12, paid_in_year=paid_in_year)
    bootstrap = None
    if inputs.bootstrap_simulations:
        sampled, grain = ibnr.bootstrap_triangle(triangle, inputs.grain)
        bootstrap = {**ibnr.bootstrap_reserve(sampled, simulations=inputs.bootstrap_simulations, seed=inputs.seed),
                     "grain": grain, "grain_label": ibnr.GRAINS[grain]}
    return {**summary, "pricing_loss_ratio": round(pricing_ratio, 4), "regulatory": regulatory,
            "bootstrap": bootstrap, "labels": dict(ibnr.METHODS)}


# --- what-if -------------------------------------------------------------------------------------
def run_whatif(scope: Scope, inputs: WhatIfInputs, progress: Progress = _no_progress) -> dict:
    """Every decided claim of the chosen years re-rated under the current and the proposed terms."""
    years = _plan_years(inputs.plan, inputs.years)
    if inputs.terms.plan != inputs.plan:
        raise ValidationFailed("terms_plan_mismatch", "测算条款与所选保障项目不一致", field="terms")
    document = inputs.terms.model_dump(mode="json")
    per_year, workers, current_all, proposed_all, stored_all = [], [], [], [], []
    seconds = {"load": 0.0, "rate": 0.0}
    for index, plan_year in enumerate(years):
        progress(int(90 * index / len(years)), f"读取 {plan_year.year} 年度已决申领")
        began = time.perf_counter()
        facts = queries.claim_facts(scope, plan_year)
        people = queries.coverage_count(scope, plan_year)
        seconds["load"] += time.perf_counter() - began
        progress(int(90 * (index + 0.5) / len(years)), f"重算 {plan_year.year} 年度申领")
        began = time.perf_counter()
        current_terms = plan_year.terms
        proposed_terms = rerating.terms_for_year(document, plan_year.year)
        current = rerating.rerate(current_terms, facts)
        proposed = rerating.rerate(proposed_terms, facts)
        seconds["rate"] += time.perf_counter() - began
        comparison = rerating.compare(facts.worker, current, proposed)
        current_contributions = people * to_fen(current_terms.contribution_amount)
        proposed_contributions = people * to_fen(proposed_terms.contribution_amount)
        per_year.append({
            "year": plan_year.year, "people": people, **comparison,
            "stored_fen": int(facts.benefit_fen.sum()),
            "reproduced": int(np.count_nonzero(current == facts.benefit_fen)),
            "current_contribution_fen": current_contributions, "proposed_contribution_fen": proposed_contributions,
            "current_loss_ratio": _ratio(comparison["current_fen"], current_contributions),
            "proposed_loss_ratio": _ratio(comparison["proposed_fen"], proposed_contributions),
        })
        # workers are compared per plan year: a worker's two years are two different totals
        workers.append(facts.worker + plan_year.year * 10**12)
        current_all.append(current)
        proposed_all.append(proposed)
        stored_all.append(facts.benefit_fen)
    progress(95, "汇总")
    total = rerating.compare(np.concatenate(workers), np.concatenate(current_all), np.concatenate(proposed_all))
    current_contributions = sum(y["current_contribution_fen"] for y in per_year)
    proposed_contributions = sum(y["proposed_contribution_fen"] for y in per_year)
    stored = np.concatenate(stored_all)
    return {
        "years": per_year, "total": {
            **total, "stored_fen": int(stored.sum()),
            "reproduced": int(np.count_nonzero(np.concatenate(current_all) == stored)),
            "current_contribution_fen": current_contributions, "proposed_contribution_fen": proposed_contributions,
            "current_loss_ratio": _ratio(total["current_fen"], current_contributions),
            "proposed_loss_ratio": _ratio(total["proposed_fen"], proposed_contributions)},
        "changes": terms_changes(years[-1].current_version.document, document),
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def terms_changes(before: dict, after: dict) -> list[dict]:
    """What the proposal changes against the current terms, field by field (labels in Chinese)."""
    from huzhu.plans.diff import diff_documents

    shifted = rerating.terms_for_year(after, int(before["year"])).model_dump(mode="json")
    return [{"label": str(change.label), "before": change.before, "after": change.after}
            for change in diff_documents(before, shifted)]


# --- reserve adequacy ----------------------------------------------------------------------------
def run_reserve(scope: Scope, inputs: ReserveInputs, progress: Progress = _no_progress) -> dict:
    """Next year's claims simulated from the experience: shortfall probability and the contribution needed."""
    years = _plan_years(inputs.plan, inputs.years)
    as_of = inputs.as_of or timezone.localdate()
    progress(10, "读取经验数据")
    coverages = [queries.coverage_frame(scope, p, as_of=as_of) for p in years]
    claims = [queries.paid_claims_frame(scope, p, as_of=as_of) for p in years]
    exposure = float(sum(c["exposure"].sum() for c in coverages))
    benefits = np.concatenate([c["benefit_fen"].to_numpy(dtype=np.int64) for c in claims])
    if exposure <= 0:
        raise ValidationFailed("no_exposure", "所选年度没有有效保障，无法拟合经验", field="years")
    latest = years[-1]
    terms = latest.terms
    claim_cap, year_cap = benefit_caps(terms)
    # DOMAIN: the women's benefits are a few fixed lump sums: resample them, no lognormal fits them
    model = simulation.EMPIRICAL if terms.women is not None else simulation.LOGNORMAL
    fit = simulation.fit_experience(exposure=exposure, benefits_fen=benefits, severity_model=model,
                                    claim_cap=claim_cap, year_cap=year_cap)
    # next year's people: the last year's whole protection period, even when it is still open
    next_exposure = inputs.next_exposure or float(coverages[-1]["period_exposure"].sum())
    people = next_exposure
    contribution = float(inputs.contribution_amount if inputs.contribution_amount is not None
                         else terms.contribution_amount)
    reserve = float(inputs.reserve_amount if inputs.reserve_amount is not None else queries.total_reserve(inputs.plan))
    share = inputs.benefit_share or float(1 - terms.reserve_rate - terms.working_funds_rate)
    progress(40, f"模拟 {inputs.simulations:,} 个年度")
    totals, method = simulation.simulate(fit, exposure=next_exposure, simulations=inputs.simulations, seed=inputs.seed,
                                         parameter_uncertainty=inputs.parameter_uncertainty,
                                         cost_factor=inputs.cost_factor)
    progress(90, "汇总")
    contributions = contribution * people
    return {
        "fit": fit.as_dict(), "method": method, "as_of": as_of.isoformat(), "next_exposure": round(next_exposure, 2),
        "contribution_amount": round(contribution, 2), "reserve_amount": round(reserve, 2), "benefit_share": share,
        "contributions": round(contributions, 2),
        "adequacy": simulation.adequacy(totals, contributions=contributions, benefit_share=share, reserve=reserve),
        "needed": simulation.contribution_needed(totals, people=people, target_loss_ratio=inputs.target_loss_ratio,
                                                 shortfall_probability=inputs.shortfall_probability,
                                                 benefit_share=share, reserve=reserve),
        "histogram": simulation.histogram(totals),
        "expected_closed_form": fit.frequency * next_exposure * float(simulation.severity_moments(
            fit, np.array([fit.mu]), np.array([fit.sigma ** 2]), inputs.cost_factor)[0][0]),
    }


def benefit_caps(terms) -> tuple[float | None, float | None]:
    """(most one claim can pay, most one worker's plan year can pay) under the terms, in yuan."""
    yearly = [terms.annual_cap_amount] if terms.annual_cap_amount is not None else []
    if terms.women is not None:
        # DOMAIN: a tier pays at most its amount; at most 32,000 a worker a plan year
        yearly.append(terms.women.annual_cap_amount)
        largest = max((t.amount for t in terms.women.tiers), default=terms.women.annual_cap_amount)
        year_cap = float(min(yearly))
        return min(float(largest), year_cap), year_cap
    year_cap = float(min(yearly)) if yearly else None
    return year_cap, year_cap


# --- next year's price ---------------------------------------------------------------------------
def run_pricing(scope: Scope, inputs: PricingInputs, progress: Progress = _no_progress) -> dict:
    """Next year's contribution from each league's frequency and severity, blended by Bühlmann–Straub credibility."""
    years = _plan_years(inputs.plan, inputs.years)
    as_of = inputs.as_of or timezone.localdate()
    parts = []
    for index, plan_year in enumerate(years):
        progress(int(80 * index / len(years)), f"读取 {plan_year.year} 年度保障与补助")
        # an open year counts its covered days and its events up to the valuation date
        coverages = queries.coverage_frame(scope, plan_year, as_of=as_of)
        claims = queries.paid_claims_frame(scope, plan_year, as_of=as_of).merge(coverages[["coverage_id", "league"]],
                                                                   on="coverage_id", how="inner")
        by_league = coverages.groupby("league").agg(exposure=("exposure", "sum"))
        paid = claims.groupby("league").agg(benefit=("benefit_fen", "sum"), claims=("benefit_fen", "size"))
        cell = by_league.join(paid, how="left").fillna({"benefit": 0, "claims": 0}).reset_index()
        cell["benefit"] = cell["benefit"] / 100.0
        parts.append(cell.rename(columns={"league": "group"}).assign(year=plan_year.year))
    if not parts or sum(float(p["exposure"].sum()) for p in parts) <= 0:
        raise ValidationFailed("no_exposure", "所选年度没有有效保障，无法定价", field="years")
    progress(85, "信度加权")
    prior = float(inputs.prior_burning_cost) if inputs.prior_burning_cost is not None else None
    blend = pricing.buhlmann_straub(pd.concat(parts, ignore_index=True), prior=prior)
    terms = years[-1].terms
    share = inputs.benefit_share or float(1 - terms.reserve_rate - terms.working_funds_rate)
    cost_factor = _whatif_cost_factor(scope, inputs) if inputs.whatif_study else inputs.cost_factor

    def price(cost: float) -> float:
        return pricing.contribution_for(cost, benefit_share=share, cost_factor=cost_factor, trend=inputs.trend)

    for row in blend["rows"]:
        row["contribution"] = price(row["blended"])
    return {**blend, "benefit_share": share, "cost_factor": cost_factor, "whatif_study": inputs.whatif_study,
            "trend": inputs.trend,
            "current_contribution": float(terms.contribution_amount), "recommended": price(blend["blended"]),
            "years": [p.year for p in years]}


def _whatif_cost_factor(scope: Scope, inputs: PricingInputs) -> float:
    """The benefit level a what-if study found: benefits re-rated under its proposed terms over the current ones."""
    study = queries.finished_whatif_studies(scope, inputs.plan).filter(pk=inputs.whatif_study).first()
    if study is None:
        raise ValidationFailed("whatif_not_found", f"没有已完成的本项目条款测算 #{inputs.whatif_study}", field="whatif_study")
    total = study.results.get("total", {})
    if not total.get("current_fen"):
        raise ValidationFailed("whatif_empty", f"条款测算 #{study.pk} 没有已决补助金，无法得出补助水平系数",
                               field="whatif_study")
    return round(total["proposed_fen"] / total["current_fen"], 4)


RUNNERS: dict[str, Callable[..., dict]] = {"experience": run_experience, "ibnr": run_ibnr, "whatif": run_whatif, "reserve": run_reserve,
           "pricing": run_pricing}


def default_title(kind: str, inputs) -> str:
    """A readable name for a study from its inputs."""
    plan = {"hospitalization": "住院互助", "women_health": "女性馨康"}.get(inputs.plan, inputs.plan)
    years = getattr(inputs, "years", None) or (getattr(inputs, "year", None),)
    span = "、".join(str(y) for y in years if y)
    names = {"experience": "经验分析", "ibnr": "IBNR 链梯法", "whatif": "条款测算", "reserve": "准备金充足性",
             "pricing": "下一年度定价"}
    return f"{plan} {span} {names[kind]}"


def today() -> date:
    return timezone.localdate()
