"""The State Council's holiday schedule for the review clock: enter a year, and open claims get new deadlines."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.errors import ValidationFailed

from .. import review_clock, workflow
from ..models import Claim, OfficialDay


@dataclass(frozen=True)
class ScheduleResult:
    year: int
    holidays: int
    working_days: int
    deadlines_moved: int


@transaction.atomic
def set_official_days(*, actor, year: int, days: Iterable[tuple[date, bool, str]]) -> ScheduleResult:
    """Replace the year's entered schedule with `days` (date, is_working, name) and move the deadlines of
    open claims whose documents were complete from the year before on (a deadline can run into the year)."""
    days = sorted(days)
    for on, is_working, _name in days:
        if on.year != year:
            raise ValidationFailed("day_outside_year", _("%(day)s 不在 %(year)s 年内") % {"day": on, "year": year},
                                   field="on")
        if is_working == (on.weekday() < 5):
            kind = _("上班") if is_working else _("休息")
            raise ValidationFailed("day_not_an_exception",
                                   _("%(day)s 本来就是%(kind)s日，只需录入节假日和调休上班日") % {"day": on, "kind": kind},
                                   field="on")
    if len({on for on, _w, _n in days}) != len(days):
        raise ValidationFailed("day_repeated", _("同一日期录入了两次"), field="on")
    OfficialDay.objects.filter(on__year=year).delete()
    OfficialDay.objects.bulk_create([OfficialDay(on=on, is_working=w, name=name) for on, w, name in days])
    review_clock.forget_entered_days()
    transaction.on_commit(review_clock.forget_entered_days)
    moved = _move_deadlines(since=date(year - 1, 1, 1))
    holidays = sum(1 for _on, working, _n in days if not working)
    record_event(actor=actor, action="claims.official_days_set", object_type="official_days", object_id=year,
                 after={"holidays": holidays, "working_days": len(days) - holidays, "deadlines_moved": moved})
    return ScheduleResult(year, holidays, len(days) - holidays, moved)


def _move_deadlines(*, since: date) -> int:
    """Recompute due_on of open claims with complete documents since `since`; how many changed."""
    claims = list(Claim.objects.filter(status__in=workflow.OPEN_STATUSES, documents_complete_on__gte=since,
                                       due_on__isnull=False)
                  .select_related("plan_year__current_version"))
    terms_of = {}
    due_of: dict[tuple, date] = {}  # open claims share few distinct deadlines: count each once
    changed = []
    for claim in claims:
        terms = terms_of.setdefault(claim.plan_year_id, claim.plan_year.terms)
        key = (claim.documents_complete_on, terms.review_days_simple, terms.review_days_complex, claim.complex_case)
        if key not in due_of:
            due_of[key] = review_clock.due_on(key[0], simple_days=key[1], complex_days=key[2], complex_case=key[3])
        due = due_of[key]
        if due != claim.due_on:
            claim.due_on = due
            changed.append(claim)
    Claim.objects.bulk_update(changed, ["due_on"], batch_size=1000)
    return len(changed)
