"""DOMAIN.md's estimate format, shared by the API, the CLI and the calculator page.

`parse_estimate_request` turns the JSON document into engine facts or raises ValidationFailed
naming the field ("events.0.admitted") with a Chinese message; `render_estimate` gives the answer
document exactly as DOMAIN.md shows it. Pure: no Django.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from huzhu.core.errors import ValidationFailed
from huzhu.core.money import format_yuan, parse_money

from .rules import DiagnosisEvent, Estimate, Event, InpatientEvent, Member, OutpatientEvent, ProcedureEvent

PLANS = ("hospitalization", "women_health")
MAX_EVENTS = 200
MAX_AMOUNT = Decimal("9999999999.99")  # keeps integer fen far inside int64
EVENT_FIELDS = {
    "inpatient": ("admitted", "discharged", "policy_self_pay"),
    "outpatient_chronic": ("period_start", "period_end", "policy_self_pay"),
    "diagnosis": ("date", "icd10"),
    "procedure": ("date", "procedure"),
}
MEMBER_FIELDS = ("gender", "birth_date", "consecutive_years", "kind", "already_paid_tiers")


@dataclass(frozen=True)
class EstimateRequest:
    plan: str
    year: int
    member: Member
    events: tuple[Event, ...]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("invalid_request", f"{field}：{message}", field=field)


def _object(value: Any, field: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise _invalid(field or "body", "应为 JSON 对象")
    for key in value:
        if key not in allowed:
            name = f"{field}.{key}" if field else key
            raise _invalid(name, "不认识的字段")
    return value


def _required(document: dict, key: str, field: str) -> Any:
    if key not in document or document[key] is None:
        raise _invalid(field, "必填")
    return document[key]


def _date(document: dict, key: str, prefix: str) -> date:
    field = f"{prefix}.{key}"
    text = _required(document, key, field)
    if not isinstance(text, str):
        raise _invalid(field, "日期应为 YYYY-MM-DD 格式的字符串")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _invalid(field, f"日期格式不正确（应为 YYYY-MM-DD）：{text}") from None


def _money(document: dict, key: str, prefix: str) -> Decimal:
    field = f"{prefix}.{key}"
    value = _required(document, key, field)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _invalid(field, "金额应为字符串，单位元，两位小数，如 \"15000.00\"")
    try:
        amount = parse_money(value)
    except (ValueError, ArithmeticError):
        raise _invalid(field, f"金额格式不正确（应为元，最多两位小数）：{value}") from None
    if not 0 <= amount <= MAX_AMOUNT:
        raise _invalid(field, f"金额应在 0 到 {MAX_AMOUNT} 元之间")
    return amount


def _text(document: dict, key: str, prefix: str) -> str:
    field = f"{prefix}.{key}"
    value = _required(document, key, field)
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise _invalid(field, "应为不超过 40 个字符的非空字符串")
    return value.strip()


def _integer(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(field, f"应为 {low} 到 {high} 之间的整数")
    return value


def _member(value: Any) -> Member:
    document = _object(value, "member", MEMBER_FIELDS)
    gender = _required(document, "gender", "member.gender")
    if gender not in ("M", "F"):
        raise _invalid("member.gender", "应为 \"M\"（男）或 \"F\"（女）")
    kind = document.get("kind", "employee")
    if kind not in ("employee", "gig"):
        raise _invalid("member.kind", "应为 \"employee\"（职工）或 \"gig\"（新就业形态劳动者）")
    tiers = document.get("already_paid_tiers", [])
    if not isinstance(tiers, list) or not all(isinstance(t, str) and len(t) == 1 and t.isupper() for t in tiers):
        raise _invalid("member.already_paid_tiers", "应为档次代码列表，如 [\"B\"]")
    return Member(
        gender=gender,
        birth_date=_date(document, "birth_date", "member"),
        consecutive_years=_integer(document.get("consecutive_years", 1), "member.consecutive_years", 1, 100),
        kind=kind,
        already_paid_tiers=frozenset(tiers),
    )


def _event(value: Any, prefix: str) -> Event:
    if not isinstance(value, dict):
        raise _invalid(prefix, "应为 JSON 对象")
    kind = _required(value, "type", f"{prefix}.type")
    if kind not in EVENT_FIELDS:
        raise _invalid(f"{prefix}.type", "应为 inpatient、outpatient_chronic、diagnosis 或 procedure")
    document = _object(value, prefix, ("type", *EVENT_FIELDS[kind]))
    if kind == "inpatient":
        event: Event = InpatientEvent(_date(document, "admitted", prefix), _date(document, "discharged", prefix),
                                      _money(document, "policy_self_pay", prefix))
        if event.discharged < event.admitted:
            raise _invalid(f"{prefix}.discharged", "出院日期早于入院日期")
    elif kind == "outpatient_chronic":
        event = OutpatientEvent(_date(document, "period_start", prefix), _date(document, "period_end", prefix),
                                _money(document, "policy_self_pay", prefix))
        if event.period_end < event.period_start:
            raise _invalid(f"{prefix}.period_end", "结束日期早于开始日期")
    elif kind == "diagnosis":
        event = DiagnosisEvent(_date(document, "date", prefix), _text(document, "icd10", prefix))
    else:
        event = ProcedureEvent(_date(document, "date", prefix), _text(document, "procedure", prefix))
    return event


def parse_estimate_request(document: Any) -> EstimateRequest:
    """Engine facts from an estimate document, or ValidationFailed naming the first bad field."""
    document = _object(document, "", ("plan", "year", "member", "events"))
    plan = _required(document, "plan", "plan")
    if plan not in PLANS:
        raise _invalid("plan", f"应为 {' 或 '.join(PLANS)}")
    year = _integer(_required(document, "year", "year"), "year", 2000, 2100)
    member = _member(_required(document, "member", "member"))
    events = _required(document, "events", "events")
    if not isinstance(events, list):
        raise _invalid("events", "应为事件列表")
    if len(events) > MAX_EVENTS:
        raise _invalid("events", f"一次最多 {MAX_EVENTS} 个事件")
    return EstimateRequest(plan, year, member, tuple(_event(e, f"events.{i}") for i, e in enumerate(events)))


def render_estimate(request: EstimateRequest, result: Estimate) -> dict:
    """The answer document, exactly DOMAIN.md's format: money as yuan strings with two decimals."""
    return {
        "plan": request.plan,
        "year": request.year,
        "total": format_yuan(result.total),
        "events": [
            {"benefit": format_yuan(d.benefit),
             "steps": [{"name": s.name, "amount": format_yuan(s.amount)} for s in d.steps]}
            for d in result.decisions
        ],
    }
