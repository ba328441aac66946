"""The enrollment and import-job workflows, declared once (core/workflow.py), and shared enrollment checks.

Every change of `Enrollment.status` or `ImportJob.status` is a `move` through these tables.
"""
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.scopes import Scope
from huzhu.core.workflow import STAY, Transition, Workflow

from .. import queries
from ..models import Coverage, Enrollment, EnrollmentStatusChange, ImportJob, ImportJobStatusChange
from ..rules import contribution_due

S = Enrollment.Status
J = ImportJob.Status


class Action(TextChoices):
    SUBMIT = "submit", _("提交")
    WITHDRAW = "withdraw", _("撤回修改")
    CANCEL = "cancel", _("撤销")
    PAY = "pay", _("登记缴费")
    EDIT = "edit", _("修改参互名单")


def meets_participation(actor, enrollment: Enrollment, **context) -> None:
    """DOMAIN: an annual enrollment meets the participation threshold; a mid-year batch names someone."""
    if enrollment.kind == Enrollment.Kind.ANNUAL:
        check = queries.participation_for(enrollment)
        if not check.passes:
            raise ValidationFailed("participation_below_threshold", check.message(), field="workers")
    elif not enrollment.coverages.exists():
        raise ValidationFailed("empty_enrollment", str(_("尚未选择任何参互人员")), field="workers")


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, Action.SUBMIT): Transition(S.SUBMITTED, guards=(meets_participation,)),
    (S.DRAFT, Action.CANCEL): Transition(S.CANCELLED),
    (S.SUBMITTED, Action.WITHDRAW): Transition(S.DRAFT),
    (S.SUBMITTED, Action.PAY): Transition(S.PAID),
    (S.SUBMITTED, Action.CANCEL): Transition(S.CANCELLED),  # by hand, or when its last worker left
    (S.DRAFT, Action.EDIT): Transition(STAY),  # add or remove workers, import a roster
}

ENROLLMENT = Workflow(
    model=Enrollment, transitions=TRANSITIONS, actions=Action, history=EnrollmentStatusChange,
    history_key="enrollment", refused_code="invalid_transition",
    refused_message=_("“%(status)s”状态的参互不能%(action)s"),
    changed_code="stale_status", changed_message=_("该参互的状态已被他人修改，请刷新页面后重试"),
)


class JobAction(TextChoices):
    VALIDATE = "validate", _("校验")
    VALIDATED = "validated", _("校验完成")
    IMPORT = "import", _("导入")
    REOPEN = "reopen", _("退回待确认")
    FINISH = "finish", _("导入完成")
    FAIL = "fail", _("标记失败")
    DISCARD = "discard", _("放弃")
    EXPIRE = "expire", _("超时清除")


JOB_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (J.QUEUED, JobAction.VALIDATE): Transition(J.VALIDATING),
    (J.VALIDATING, JobAction.VALIDATED): Transition(J.VALIDATED),
    (J.VALIDATED, JobAction.IMPORT): Transition(J.IMPORTING),
    # A run that died committed nothing (rows and DONE are one transaction): it may be run again.
    (J.IMPORTING, JobAction.IMPORT): Transition(J.IMPORTING),
    (J.IMPORTING, JobAction.REOPEN): Transition(J.VALIDATED),  # refused or interrupted before writing
    (J.IMPORTING, JobAction.FINISH): Transition(J.DONE),
    **{(status, JobAction.FAIL): Transition(J.FAILED) for status in (J.QUEUED, J.VALIDATING, J.IMPORTING)},
    **{(status, JobAction.DISCARD): Transition(J.DISCARDED)
       for status in (J.QUEUED, J.VALIDATING, J.VALIDATED, J.FAILED)},
    **{(status, JobAction.EXPIRE): Transition(J.DISCARDED)
       for status in (J.QUEUED, J.VALIDATING, J.VALIDATED, J.IMPORTING)},
}

IMPORT_JOB = Workflow(
    model=ImportJob, transitions=JOB_TRANSITIONS, actions=JobAction, history=ImportJobStatusChange,
    history_key="job", refused_code="job_status", refused_message=_("导入任务当前为“%(status)s”，不能%(action)s"),
    changed_code="job_changed", changed_message=_("该导入任务已被他人处理，请刷新后查看"),
)


def move_job(job: ImportJob, action: str, *, actor: Actor = None, note: str = "", **updates) -> ImportJob:
    """Move an import job in its own small transaction (the job's moves sit outside the import's)."""
    with transaction.atomic():
        IMPORT_JOB.move(actor=actor, record=job, action=action, note=note, updates=updates)
    return job


def transition_enrollment(enrollment: Enrollment, action: str, *, actor: Actor, note: str = "", checked=None,
                          **changes) -> Enrollment:
    """Move an enrollment by `action` if the table allows it and it is still in the status we read."""
    ENROLLMENT.move(actor=actor, record=enrollment, action=action, checked=checked, note=note, updates=changes)
    enrollment.refresh_from_db()
    return enrollment


def transition_enrollments(enrollment_ids: Sequence[int], before: str, action: str, *, actor: Actor,
                           note: str = "", **changes) -> int:
    """The same move for many enrollments at once (the bulk path), by the same table: each still in
    `before` (one conditional UPDATE per chunk), each with its status-change row; returns the count.

    The table's guards are the caller's to apply set-wise (enroll_and_pay checks participation for all
    units in one query before moving them)."""
    transition = TRANSITIONS.get((before, action))
    if transition is None or transition.to is STAY:
        raise Conflict("invalid_transition", str(_("“%(status)s”状态的参互不能%(action)s")) % {
            "status": S(before).label, "action": Action(action).label})
    ids = list(enrollment_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if Enrollment.objects.filter(pk__in=chunk, status=before).update(status=transition.to, **changes) != len(chunk):
            raise Conflict("stale_status", str(_("该参互的状态已被他人修改，请刷新页面后重试")))
    who = user_of(actor)
    EnrollmentStatusChange.objects.bulk_create([
        EnrollmentStatusChange(enrollment_id=pk, from_status=before, to_status=transition.to, action=action, actor=who,
                               note=note[:200])
        for pk in ids], batch_size=1000)
    return len(ids)


def ensure_in_scope(scope: Scope, enrollment_or_unit) -> None:
    """The unit (or the enrollment's unit) must lie inside the actor's scope; else "not found" (never tell which)."""
    unit = getattr(enrollment_or_unit, "unit", enrollment_or_unit)
    if not scope.contains(unit):
        raise NotFound()


def ensure_editable(enrollment: Enrollment, actor: Actor = None) -> None:
    """Only a draft's list of workers changes (the table's `edit`)."""
    ENROLLMENT.check(actor=actor, record=enrollment, action=Action.EDIT)


def refresh_totals(enrollment: Enrollment) -> Enrollment:
    """Recompute headcount and money from the enrollment's live coverages (one aggregate query)."""
    agg = enrollment.coverages.exclude(status=Coverage.Status.CANCELLED).aggregate(n=Count("pk"))
    due = contribution_due(enrollment.plan_year.terms, agg["n"])
    Enrollment.objects.filter(pk=enrollment.pk).update(
        headcount=due.headcount, contribution_amount=due.contribution_amount,
        subsidy_amount=due.subsidy_amount, due_amount=due.due_amount)
    enrollment.headcount, enrollment.contribution_amount = due.headcount, due.contribution_amount
    enrollment.subsidy_amount, enrollment.due_amount = due.subsidy_amount, due.due_amount
    return enrollment
