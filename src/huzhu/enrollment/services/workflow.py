"""The enrollment status workflow, declared once: allowed moves and the one guarded transition."""
from collections.abc import Sequence

from django.db.models import Count
from django.utils.translation import gettext as _

from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound
from huzhu.core.scopes import Scope

from ..models import Coverage, Enrollment, EnrollmentStatusChange
from ..rules import contribution_due

S = Enrollment.Status
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.DRAFT, S.PAID, S.CANCELLED},
    S.PAID: set(),
    S.CANCELLED: set(),
}


def transition_enrollment(enrollment: Enrollment, to: str, *, actor: Actor, note: str = "", **changes) -> Enrollment:
    """Move an enrollment to `to` if allowed and still in the status we read (conditional UPDATE)."""
    before = enrollment.status
    if to not in TRANSITIONS[before]:
        raise Conflict("invalid_transition", _("“%(before)s”状态的参互不能变为“%(to)s”") % {
            "before": S(before).label, "to": S(to).label})
    updated = Enrollment.objects.filter(pk=enrollment.pk, status=before).update(status=to, **changes)
    if not updated:
        raise Conflict("stale_status", _("该参互的状态已被他人修改，请刷新页面后重试"))
    EnrollmentStatusChange.objects.create(enrollment=enrollment, from_status=before, to_status=to,
                                          actor=user_of(actor), note=note[:200])
    enrollment.refresh_from_db()
    return enrollment


def transition_enrollments(enrollment_ids: Sequence[int], before: str, to: str, *, actor: Actor, note: str = "",
                           **changes) -> int:
    """The same move for many enrollments at once (the bulk path): allowed by TRANSITIONS, each still
    in `before` (one conditional UPDATE per chunk), each with its status-change row; returns the count."""
    if to not in TRANSITIONS[before]:
        raise Conflict("invalid_transition", _("“%(before)s”状态的参互不能变为“%(to)s”") % {
            "before": S(before).label, "to": S(to).label})
    ids = list(enrollment_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if Enrollment.objects.filter(pk__in=chunk, status=before).update(status=to, **changes) != len(chunk):
            raise Conflict("stale_status", _("该参互的状态已被他人修改，请刷新页面后重试"))
    who = user_of(actor)
    EnrollmentStatusChange.objects.bulk_create([
        EnrollmentStatusChange(enrollment_id=pk, from_status=before, to_status=to, actor=who, note=note[:200])
        for pk in ids], batch_size=1000)
    return len(ids)


def ensure_in_scope(scope: Scope, enrollment_or_unit) -> None:
    """The unit (or the enrollment's unit) must lie inside the actor's scope; else "not found" (never tell which)."""
    unit = getattr(enrollment_or_unit, "unit", enrollment_or_unit)
    if not scope.contains(unit):
        raise NotFound()


def ensure_status(enrollment: Enrollment, *statuses: str) -> None:
    if enrollment.status not in statuses:
        wanted = "、".join(str(S(s).label) for s in statuses)
        raise Conflict("wrong_status", _("只有“%(wanted)s”状态的参互可以这样操作（当前：%(status)s）") % {
            "wanted": wanted, "status": enrollment.get_status_display()})


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
