"""Writes to plans: create plan years, publish new terms versions, open, close and copy years."""
from datetime import date

from django.db import transaction
from django.utils.translation import gettext
from pydantic import ValidationError as PydanticError

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, ValidationFailed

from . import workflow
from .default_terms import PLAN_NAMES, default_terms
from .models import Plan, PlanYear, TermsVersion
from .terms import PlanYearTerms
from .validation import terms_errors

REASON_MAX_LENGTH: int = TermsVersion._meta.get_field("reason").max_length  # type: ignore[assignment]  # a CharField has one


def _validated(document: dict) -> PlanYearTerms:
    try:
        return PlanYearTerms.model_validate(document)
    except PydanticError as exc:
        field, message = next(iter(terms_errors(exc).items()))
        raise ValidationFailed("invalid_terms", gettext("条款字段 %(field)s 不正确：%(message)s") % {
            "field": field, "message": message}, field=field) from exc


@transaction.atomic
def publish_terms(*, actor: Actor, plan_code: str, year: int, document: dict, reason: str = "",
                  based_on: int | None = None) -> TermsVersion:
    """Validate terms and store them as the plan year's next version (creating the year if new).

    `based_on` is the version number the editor started from: if someone published in between,
    the change is refused rather than silently overwriting theirs.
    """
    terms = _validated(document)
    if terms.plan != plan_code or terms.year != year:
        raise ValidationFailed("terms_mismatch", gettext("条款中的项目或年度与所选方案不一致"), field="plan")
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed("reason_too_long", gettext("修订原因最多 %(n)s 个字") % {"n": REASON_MAX_LENGTH}, field="reason")
    plan, _ = Plan.objects.get_or_create(code=plan_code, defaults={"name": PLAN_NAMES.get(plan_code, plan_code)})
    plan_year, _ = PlanYear.objects.select_for_update().get_or_create(plan=plan, year=year)
    if plan_year.status == PlanYear.Status.CLOSED:
        raise Conflict("year_closed", gettext("%(plan_year)s 已结算，条款不能再修改") % {"plan_year": plan_year})
    # DOMAIN: frozen once open — a change is a new version with a stated reason.
    if plan_year.status == PlanYear.Status.OPEN and not reason:
        raise ValidationFailed("reason_required", gettext("方案已开放，修订条款须填写原因"), field="reason")
    current = plan_year.current_version
    if based_on is not None and (current.number if current else 0) != based_on:
        raise Conflict("stale_version", gettext("%(plan_year)s 的条款已被他人更新为第 %(number)s 版，请在最新版本上修改") % {
            "plan_year": plan_year, "number": current.number if current else 0})
    if current is not None and current.terms == terms:
        raise ValidationFailed("no_change", gettext("条款没有任何变化，无需发布新版本"), field="terms")
    number = plan_year.versions.count() + 1
    version = TermsVersion.objects.create(
        plan_year=plan_year, number=number, document=terms.model_dump(mode="json"), reason=reason, created_by=user_of(actor)
    )
    plan_year.current_version = version
    plan_year.save(update_fields=["current_version"])
    record_event(actor=actor, action="publish_terms", object_type="PlanYear", object_id=plan_year.pk,
                 before={"version": current.number if current else None},
                 after={"version": number, "reason": reason})
    return version


@transaction.atomic
def transition_plan_year(*, actor: Actor, plan_year: PlanYear, to: str) -> PlanYear:
    """Move a plan year along draft → open → closed, under a row lock, with an audit event."""
    locked = PlanYear.objects.select_for_update().select_related("plan").get(pk=plan_year.pk)
    action = workflow.ACTION_TO.get(to)
    if action is None or workflow.PLAN_YEAR.transition_for(locked.status, action) is None:
        raise Conflict("bad_transition", gettext("%(plan_year)s 当前为“%(status)s”，不能改为“%(to)s”") % {
            "plan_year": locked, "status": locked.get_status_display(), "to": PlanYear.Status(to).label})
    workflow.PLAN_YEAR.move(actor=actor, record=locked, action=action)
    return locked


def open_plan_year(*, actor: Actor, plan_year: PlanYear) -> PlanYear:
    """Open a plan year for enrollment; from now on its terms change only by a new version."""
    return transition_plan_year(actor=actor, plan_year=plan_year, to=PlanYear.Status.OPEN)


def close_plan_year(*, actor: Actor, plan_year: PlanYear) -> PlanYear:
    """Close (settle) a plan year; its terms can never change again."""
    return transition_plan_year(actor=actor, plan_year=plan_year, to=PlanYear.Status.CLOSED)


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def shifted_to_next_year(document: dict) -> dict:
    """A terms document moved one year on: the year and every date a year later, the rest unchanged."""
    terms = PlanYearTerms.model_validate(document)
    return terms.model_copy(update={
        "year": terms.year + 1,
        "protection_start_on": _next_year(terms.protection_start_on),
        "protection_end_on": _next_year(terms.protection_end_on),
        "enrollment_opens_on": _next_year(terms.enrollment_opens_on),
        "enrollment_closes_on": _next_year(terms.enrollment_closes_on),
    }).model_dump(mode="json")


@transaction.atomic
def copy_plan_year(*, actor: Actor, source: PlanYear) -> TermsVersion:
    """Create the next plan year as a draft with the source year's current terms, dates a year later."""
    current = source.current_version
    if current is None:
        raise ValidationFailed("no_terms", gettext("%(plan_year)s 尚无条款，不能复制") % {"plan_year": source})
    if PlanYear.objects.filter(plan_id=source.plan_id, year=source.year + 1).exists():
        raise Conflict("year_exists", gettext("%(plan)s %(year)s 年度方案已存在") % {
            "plan": source.plan.name, "year": source.year + 1})
    version = publish_terms(
        actor=actor, plan_code=source.plan_id, year=source.year + 1,
        document=shifted_to_next_year(current.document),
        reason=f"复制自 {source.year} 年度第 {current.number} 版",
    )
    record_event(actor=actor, action="copy_plan_year", object_type="PlanYear", object_id=version.plan_year_id,
                 after={"from_plan_year": source.pk, "from_version": current.number})
    return version


def install_default_plans(*, actor: Actor = None, years=(2026, 2027)) -> list[PlanYear]:
    """Create both plans with DOMAIN.md's default terms for the given years; opened. Idempotent."""
    result = []
    for code in PLAN_NAMES:
        for year in years:
            existing = PlanYear.objects.filter(plan_id=code, year=year, current_version__isnull=False).first()
            if existing:
                result.append(existing)
                continue
            version = publish_terms(actor=actor, plan_code=code, year=year,
                                    document=default_terms(code, year).model_dump(mode="json"))
            result.append(open_plan_year(actor=actor, plan_year=version.plan_year))
    return result

