"""Writes to plans: create plan years, publish new terms versions, open and close years."""
from django.db import transaction
from pydantic import ValidationError as PydanticError

from huzhu.audit.services import record_event
from huzhu.core.errors import Conflict, ValidationFailed

from .default_terms import PLAN_NAMES, default_terms
from .models import Plan, PlanYear, TermsVersion
from .terms import PlanYearTerms


def _validated(document: dict) -> PlanYearTerms:
    try:
        return PlanYearTerms.model_validate(document)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "terms"
        raise ValidationFailed("invalid_terms", f"条款字段 {field} 不正确：{first['msg']}", field=field) from exc


@transaction.atomic
def publish_terms(*, actor, plan_code: str, year: int, document: dict, reason: str = "") -> TermsVersion:
    """Validate terms and store them as the plan year's next version (creating the year if new)."""
    terms = _validated(document)
    if terms.plan != plan_code or terms.year != year:
        raise ValidationFailed("terms_mismatch", "条款中的项目或年度与所选方案不一致", field="plan")
    plan, _ = Plan.objects.get_or_create(code=plan_code, defaults={"name": PLAN_NAMES.get(plan_code, plan_code)})
    plan_year, _ = PlanYear.objects.select_for_update().get_or_create(plan=plan, year=year)
    if plan_year.status == PlanYear.Status.CLOSED:
        raise Conflict("year_closed", f"{plan_year} 已结算，条款不能再修改")
    number = plan_year.versions.count() + 1
    if plan_year.status == PlanYear.Status.OPEN and not reason:
        raise ValidationFailed("reason_required", "方案已开放，修订条款须填写原因", field="reason")
    version = TermsVersion.objects.create(
        plan_year=plan_year, number=number, document=terms.model_dump(mode="json"), reason=reason, created_by=actor
    )
    before = plan_year.current_version_id
    plan_year.current_version = version
    plan_year.save(update_fields=["current_version"])
    record_event(actor=actor, action="publish_terms", object_type="PlanYear", object_id=plan_year.pk,
                 before={"version_id": before}, after={"version": number, "reason": reason})
    return version


@transaction.atomic
def open_plan_year(*, actor, plan_year: PlanYear) -> PlanYear:
    """Open a plan year for enrollment; from now on its terms change only by a new version."""
    locked = PlanYear.objects.select_for_update().get(pk=plan_year.pk)
    if locked.current_version_id is None:
        raise ValidationFailed("no_terms", "方案尚无条款，不能开放")
    if locked.status != PlanYear.Status.DRAFT:
        raise Conflict("not_draft", f"{locked} 不是草案状态")
    locked.status = PlanYear.Status.OPEN
    locked.save(update_fields=["status"])
    record_event(actor=actor, action="open_plan_year", object_type="PlanYear", object_id=locked.pk,
                 before={"status": "draft"}, after={"status": "open"})
    return locked


def install_default_plans(*, actor=None, years=(2026, 2027)) -> list[PlanYear]:
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
