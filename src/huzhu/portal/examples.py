"""Worked examples for the policy pages: fixed stories, amounts computed by the benefit engine.

The facts of each story are chosen here; every amount shown comes from `plans.rules.estimate`
on the plan year's terms, so a page can never disagree with what a claim is paid.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from huzhu.plans.labels import choice_name, yuan_text
from huzhu.plans.rules import (
    DiagnosisEvent,
    Estimate,
    Event,
    InpatientEvent,
    Member,
    OutpatientEvent,
    ProcedureEvent,
    estimate,
)
from huzhu.plans.terms import PlanYearTerms


@dataclass(frozen=True)
class WorkedExample:
    title: str
    story: tuple[str, ...]  # one sentence per event, in claim order
    result: Estimate

    @property
    def lines(self) -> list[tuple[str, object]]:
        """Each event's sentence with its decision."""
        return list(zip(self.story, self.result.decisions, strict=True))


def _member(terms: PlanYearTerms, gender: str, consecutive_years: int) -> Member:
    # A 40-year-old on the first day of the period: inside every default age range.
    start = terms.protection_start_on
    return Member(gender=gender, birth_date=date(start.year - 40, 5, 1), consecutive_years=consecutive_years)


def _day(terms: PlanYearTerms, offset: int) -> date:
    return terms.protection_start_on + timedelta(days=offset)


def _when(day: date) -> str:
    return _("%(m)s月%(d)s日") % {"m": day.month, "d": day.day}


def _example(terms: PlanYearTerms, title: str, member: Member, story: list[str], events: list[Event]) -> WorkedExample:
    return WorkedExample(title, tuple(story), estimate(terms, member, events))


def _stay(terms, member, title, who, offset, days, self_pay) -> WorkedExample:
    admitted = _day(terms, offset)
    event = InpatientEvent(admitted=admitted, discharged=admitted + timedelta(days=days), policy_self_pay=Decimal(self_pay))
    sentence = _("%(who)s（连续参互第 %(years)s 年）%(when)s住院 %(days)s 天，"
                 "政策范围内个人自付 %(amount)s 元。") % {
        "who": who, "years": member.consecutive_years, "when": _when(admitted), "days": days,
        "amount": yuan_text(self_pay)}
    return _example(terms, title, member, [sentence], [event])


def hospitalization_examples(terms: PlanYearTerms) -> list[WorkedExample]:
    examples = []
    if terms.inpatient and terms.allowance:
        gender = "M" if "M" in terms.eligibility.genders else "F"
        examples += [
            _stay(terms, _member(terms, gender, 3), _("一次大额住院"), _("王师傅"), 59, 10, "15000"),
            _stay(terms, _member(terms, gender, 1), _("第一年参加，住院花费不多"), _("小张"), 120, 5, "3000"),
            _stay(terms, _member(terms, gender, 2), _("花费很少，也有最低补助"), _("老李"), 200, 2, "300"),
        ]
    if terms.outpatient:
        member = _member(terms, "F" if "F" in terms.eligibility.genders else "M", 1)
        first = OutpatientEvent(period_start=_day(terms, 0), period_end=_day(terms, 180), policy_self_pay=Decimal("4000"))
        second = OutpatientEvent(period_start=_day(terms, 181), period_end=terms.protection_end_on,
                                 policy_self_pay=Decimal("2500"))
        story = [
            _("赵大姐有门特审批，上半年门诊个人自付 %(amount)s 元，年中申领一次。") % {"amount": yuan_text(first.policy_self_pay)},
            _("下半年又自付 %(amount)s 元，年底再申领一次（起付线全年只扣一次）。") % {"amount": yuan_text(second.policy_self_pay)},
        ]
        examples.append(_example(terms, _("门诊慢特病分两次申领"), member, story, [first, second]))
    return examples


def _diagnosis_code(prefix: str) -> str:
    """A full ICD-10 code under a prefix: 'C50' → 'C50.9'; 'D07.1' stays."""
    return prefix if "." in prefix else f"{prefix}.9"


def women_examples(terms: PlanYearTerms) -> list[WorkedExample]:
    if not terms.women:
        return []
    member = _member(terms, "F", 1)
    examples = []
    by_diagnosis = sorted((t for t in terms.women.tiers if t.icd10_prefixes), key=lambda t: t.amount)
    if len(by_diagnosis) >= 2:
        lower, higher = by_diagnosis[-2], by_diagnosis[-1]
        first = DiagnosisEvent(date=_day(terms, 120), icd10=_diagnosis_code(lower.icd10_prefixes[0]))
        then = DiagnosisEvent(date=_day(terms, 243), icd10=_diagnosis_code(higher.icd10_prefixes[0]))
        story = [
            _("刘女士%(when)s首次确诊%(name)s（%(code)s）。") % {"when": _when(first.date), "name": lower.name, "code": first.icd10},
            _("%(when)s又确诊%(name)s（%(code)s），补足到较高档次。") % {
                "when": _when(then.date), "name": higher.name, "code": then.icd10},
        ]
        examples.append(_example(terms, _("同一年先后确诊两个档次"), member, story, [first, then]))
    by_procedure = [t for t in terms.women.tiers if t.procedures]
    if by_procedure:
        tier = by_procedure[0]
        event = ProcedureEvent(date=_day(terms, 150), procedure=tier.procedures[0])
        story = [_("陈女士%(when)s因良性疾病做了%(what)s。") % {
            "when": _when(event.date), "what": choice_name("procedures", event.procedure)}]
        examples.append(_example(terms, _("非恶性原因手术"), member, story, [event]))
    return examples


def worked_examples(terms: PlanYearTerms) -> list[WorkedExample]:
    """The examples that fit the plan year's terms, each computed by the engine."""
    return hospitalization_examples(terms) + women_examples(terms)
