"""Every campaign write: atomic, keyword-only, actor first, audited."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.members.models import MemberUnit
from huzhu.plans.models import PlanYear
from huzhu.regions.models import Division, Role

from . import queries, rules
from .models import ContactLog, FollowUp, OutreachEvent, ProgressSnapshot, Target


def _user(actor: Actor):
    return user_of(actor)


# --- targets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetInput:
    division_code: str
    units: int
    people: int
    reason: str = ""


@transaction.atomic
def set_targets(*, actor: Actor, scope: Scope, plan_year: PlanYear, targets: Iterable[TargetInput]) -> int:
    """Store the association's targets for leagues and counties; each at least last year's unless explained."""
    if scope.level != "province" or scope.role not in (Role.ASSOCIATION, Role.ADMIN):
        raise PermissionDenied(_("只有协会可以下达参互目标"))
    targets = list(targets)
    codes = [t.division_code for t in targets]
    known = set(queries.all_divisions().filter(pk__in=codes).values_list("pk", flat=True))
    last = queries.last_year_figures(plan_year, codes)
    existing = queries.targets_of(plan_year)
    changed = []
    for target in targets:
        if target.division_code not in known:
            raise ValidationFailed("unknown_division", _("区划代码 %(code)s 不存在") % {"code": target.division_code}, field="division")
        units_last, people_last = last.get(target.division_code, (0, 0))
        problem = rules.target_problem(units=target.units, people=target.people, units_last_year=units_last,
                                       people_last_year=people_last, reason=target.reason)
        if problem:
            # A constant rule message is in the catalogue; one with figures stays Chinese.
            raise ValidationFailed("invalid_target", f"{target.division_code}：{_(problem)}", field=target.division_code)
        before = existing.get(target.division_code)
        if before and (before.units, before.people, before.reason) == (target.units, target.people, target.reason):
            continue
        Target.objects.update_or_create(
            plan_year=plan_year, division_id=target.division_code,
            defaults={"units": target.units, "people": target.people, "reason": target.reason.strip()[:200],
                      "set_by": _user(actor)})
        changed.append({"division": target.division_code, "units": target.units, "people": target.people,
                        "before": [before.units, before.people] if before else None})
    if changed:
        record_bulk_event(actor=actor, action="set_campaign_targets", object_type="Target",
                          object_ids=[c["division"] for c in changed],
                          summary={"plan_year": plan_year.pk, "targets": changed})
    return len(changed)


# --- snapshots ---------------------------------------------------------------------------------
FIGURES = ("units_last_year", "people_last_year", "units_target", "people_target", "units_enrolled",
           "renewed_units", "new_units", "lost_units", "people_enrolled")


@transaction.atomic
def take_snapshot(*, actor: Actor, plan_year: PlanYear, on: date) -> int:
    """Record every league's and county's progress as of `on`; running it again the same day overwrites it."""
    rows = []
    for group, level in (("league_id", Division.Level.LEAGUE), ("county_id", Division.Level.COUNTY)):
        divisions = list(Division.objects.filter(level=level))
        for progress in queries.progress_by(PROVINCE, plan_year, as_of=on, group=group, divisions=divisions):
            rows.append(ProgressSnapshot(plan_year=plan_year, division_id=progress.code, taken_on=on,
                                         **{name: getattr(progress, name) for name in FIGURES}))
    ProgressSnapshot.objects.bulk_create(rows, batch_size=500, update_conflicts=True,
                                         unique_fields=["plan_year", "division", "taken_on"],
                                         update_fields=[*FIGURES, "created_at"])
    record_event(actor=actor, action="take_progress_snapshot", object_type="PlanYear", object_id=plan_year.pk,
                 after={"on": on.isoformat(), "rows": len(rows)})
    return len(rows)


def snapshot_open_campaigns(*, actor: Actor, today: date) -> list[tuple[PlanYear, int]]:
    """The daily job: snapshot every plan year whose enrollment window holds `today` (safe to re-run)."""
    done = []
    for plan_year in queries.campaign_plan_years():
        if queries.window_of(plan_year).opens_on <= today <= queries.window_of(plan_year).closes_on:
            done.append((plan_year, take_snapshot(actor=actor, plan_year=plan_year, on=today)))
    return done


# --- follow-up ---------------------------------------------------------------------------------
FOLLOW_ROLES = {Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.ADMIN}


def _ensure_may_follow(scope: Scope, unit: MemberUnit) -> None:
    if scope.role not in FOLLOW_ROLES:
        raise PermissionDenied(_("只有代办点、办事处和协会工作人员可以跟进单位"))
    if not scope.includes(league_code=unit.league_id, county_code=unit.county_id, unit_id=unit.pk):
        raise NotFound()


@transaction.atomic
def take_unit(*, actor: Actor, scope: Scope, plan_year: PlanYear, unit: MemberUnit, today: date | None = None) -> FollowUp:
    """The actor takes a unit not yet renewed for follow-up; refused if a colleague already follows it."""
    today = today or timezone.localdate()
    _ensure_may_follow(scope, unit)
    if not queries.was_covered_last_year(plan_year, unit):
        raise Conflict("not_last_years_unit", _("“%(unit)s”上一年度没有参互，不在续互跟进名单中") % {"unit": unit.name})
    try:
        with transaction.atomic():
            follow_up, _created = FollowUp.objects.get_or_create(plan_year=plan_year, unit=unit)
    except IntegrityError:  # created at the same moment by a colleague
        follow_up = FollowUp.objects.get(plan_year=plan_year, unit=unit)
    # Conditional UPDATE: only an untaken (or own) follow-up can be taken; two clicks cannot both win.
    taken = (FollowUp.objects.filter(pk=follow_up.pk, assignee__isnull=True)
             .update(assignee=_user(actor), assigned_on=today))
    follow_up.refresh_from_db()
    if not taken and follow_up.assignee_id != getattr(actor, "pk", None):
        # Not taken and not the actor's: someone else holds it, so it has an assignee.
        who = follow_up.assignee.get_full_name() or follow_up.assignee.username  # type: ignore[union-attr]
        raise Conflict("already_taken", _("“%(unit)s”已由%(who)s跟进") % {"unit": unit.name, "who": who})
    if taken:
        record_event(actor=actor, action="take_follow_up", object_type="FollowUp", object_id=follow_up.pk,
                     after={"unit": unit.pk, "plan_year": plan_year.pk, "assigned_on": today.isoformat()})
    return follow_up


@transaction.atomic
def release_unit(*, actor: Actor, scope: Scope, follow_up: FollowUp) -> FollowUp:
    """Hand a unit back to the list; the follower or an office/association colleague may do it."""
    _ensure_may_follow(scope, follow_up.unit)
    is_follower = follow_up.assignee_id == getattr(actor, "pk", None)
    if not is_follower and scope.role not in (Role.OFFICE, Role.ASSOCIATION, Role.ADMIN):
        raise PermissionDenied(_("只有跟进人本人或办事处、协会可以释放该单位"))
    before = follow_up.assignee_id
    FollowUp.objects.filter(pk=follow_up.pk).update(assignee=None, assigned_on=None)
    follow_up.refresh_from_db()
    record_event(actor=actor, action="release_follow_up", object_type="FollowUp", object_id=follow_up.pk,
                 before={"assignee": before}, after={"assignee": None})
    return follow_up


@transaction.atomic
def log_contact(*, actor: Actor, scope: Scope, follow_up: FollowUp, contacted_on: date, channel: str, outcome: str,
                note: str = "", next_step: str = "", next_due_on: date | None = None,
                today: date | None = None) -> ContactLog:
    """Log one contact with a followed unit; the follow-up's next step and due date move with it."""
    today = today or timezone.localdate()
    _ensure_may_follow(scope, follow_up.unit)
    if follow_up.assignee_id is None:
        raise Conflict("not_taken", _("请先认领该单位，再登记联系情况"))
    if channel not in ContactLog.Channel.values:
        raise ValidationFailed("invalid_channel", _("请选择联系方式"), field="channel")
    if outcome not in ContactLog.Outcome.values:
        raise ValidationFailed("invalid_outcome", _("请选择联系结果"), field="outcome")
    problem = rules.contact_problem(contacted_on=contacted_on, today=today, outcome=outcome,
                                    next_step=next_step, next_due_on=next_due_on)
    if problem:
        raise ValidationFailed("invalid_contact", _(problem[1]), field=problem[0])
    log = ContactLog.objects.create(follow_up=follow_up, contacted_on=contacted_on, channel=channel, outcome=outcome,
                                    note=note.strip()[:500], next_step=next_step.strip()[:200],
                                    next_due_on=next_due_on, logged_by=_user(actor))
    # The latest contact (by date) decides the next step; an older contact logged late only counts.
    latest = follow_up.contacts.order_by("-contacted_on", "-pk").first() or log
    FollowUp.objects.filter(pk=follow_up.pk).update(
        contact_count=F("contact_count") + 1, last_contact_on=latest.contacted_on,
        next_step=latest.next_step, next_due_on=latest.next_due_on)
    follow_up.refresh_from_db()
    record_event(actor=actor, action="log_contact", object_type="FollowUp", object_id=follow_up.pk,
                 after={"contact": log.pk, "on": contacted_on.isoformat(), "channel": channel, "outcome": outcome,
                        "next_due_on": next_due_on.isoformat() if next_due_on else None})
    return log


# --- outreach ----------------------------------------------------------------------------------
@transaction.atomic
def record_outreach(*, actor: Actor, scope: Scope, held_on: date, kind: str, place: str, audience_size: int,
                    materials_count: int = 0, unit_ids: Iterable[int] = (), note: str = "",
                    league_code: str = "", today: date | None = None) -> OutreachEvent:
    """Record an outreach activity in the actor's region (an office: its league; an agency point: its county)."""
    today = today or timezone.localdate()
    if scope.role not in FOLLOW_ROLES:
        raise PermissionDenied(_("只有代办点、办事处和协会工作人员可以登记宣传活动"))
    if kind not in OutreachEvent.Kind.values:
        raise ValidationFailed("invalid_kind", _("请选择活动形式"), field="kind")
    if not place.strip():
        raise ValidationFailed("place_required", _("请填写活动地点"), field="place")
    if held_on > today:
        raise ValidationFailed("future_date", _("活动日期不能晚于今天（请在活动后登记）"), field="held_on")
    if audience_size < 0 or materials_count < 0:
        raise ValidationFailed("negative_count", _("人数和份数不能为负数"), field="audience_size")
    county = ""
    if scope.level == "county":
        county = scope.code
        league_code = Division.objects.get(pk=county).parent_id or ""  # a county always has its league
    elif scope.level == "league":
        league_code = scope.code
    elif league_code and not Division.objects.filter(pk=league_code, level=Division.Level.LEAGUE).exists():
        raise ValidationFailed("unknown_league", _("所选盟市不存在"), field="league")
    ids = sorted({int(i) for i in unit_ids})
    units = list(queries.reachable_units(scope).filter(pk__in=ids).values_list("pk", flat=True))
    if len(units) != len(ids):
        raise ValidationFailed("unit_out_of_scope", _("所选单位中有不在您管辖范围内的单位"), field="units")
    event = OutreachEvent.objects.create(
        held_on=held_on, kind=kind, place=place.strip()[:200], audience_size=audience_size,
        materials_count=materials_count, note=note.strip()[:500], league_id=league_code or None,
        county_id=county or None, created_by=_user(actor))
    event.units_reached.set(units)
    record_event(actor=actor, action="record_outreach", object_type="OutreachEvent", object_id=event.pk,
                 after={"held_on": held_on.isoformat(), "kind": kind, "audience": audience_size, "units": units})
    return event
