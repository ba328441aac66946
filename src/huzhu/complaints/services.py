"""Every write of complaints and questions: atomic, keyword-only, actor first, audited.

A complaint is answered at its level within COMPLAINTS_ANSWER_DAYS working days (claims' review clock:
public holidays and 调休 respected). `escalate_overdue` moves the late ones one level up and restarts
their clock there (see models.Complaint); the association's overdue ones stay where they are.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.claims import queries as claim_queries
from huzhu.claims.review_clock import add_working_days
from huzhu.core.actors import Actor, SystemActor, WorkerActor, user_of
from huzhu.core.crypto import blind_index, encrypt_text
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.core.identifiers import normalise_phone
from huzhu.core.idnumbers import mask_mobile, parse_mobile
from huzhu.core.names import clean_person_name
from huzhu.members.queries import own_worker
from huzhu.regions.queries import counties_in_scope, scope_of

from . import queries
from .models import Complaint, ComplaintEscalation
from .workflow import COMPLAINT, Action

L, S = Complaint.Level, Complaint.Status
TEXT_MAX = 2000
ESCALATION_REASON = "超过答复时限"
# One UPDATE per this many rows at most (a national body after a long holiday).
ESCALATION_CHUNK = 5000


def answer_days() -> int:
    """The clock of every level: working days to answer (settings.COMPLAINTS_ANSWER_DAYS)."""
    return int(settings.COMPLAINTS_ANSWER_DAYS)


def due_from(on: date) -> date:
    """The answer's due date for a complaint that reached its level on `on`."""
    return add_working_days(on, answer_days())


# --- checking what was typed -------------------------------------------------------------------
def _choice(value: str, choices, code: str, message: str, field_name: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(code, message, field=field_name)
    return value


def _text(text: str, *, code: str = "text_required", field_name: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(code, _("请填写内容") if code == "text_required" else _("请填写答复内容"),
                               field=field_name)
    if len(text) > TEXT_MAX:
        raise ValidationFailed("text_too_long", _("内容不能超过 %(max)s 字（现有 %(count)s 字）")
                               % {"max": TEXT_MAX, "count": len(text)}, field=field_name)
    return text


def parse_caller_phone(text: str) -> str:
    """A caller's phone as stored: a mainland mobile (11 digits), or a landline with its area code
    (0471-6951234: 10 to 12 digits beginning with 0); full-width digits, spaces and dashes are folded."""
    try:
        number = normalise_phone(text)
    except ValueError as exc:
        raise ValidationFailed("invalid_phone", _(str(exc)), field="caller_phone") from exc
    try:
        return parse_mobile(number)
    except ValueError:
        pass
    if re.fullmatch(r"0[1-9][0-9]{8,10}", number):
        return number
    raise ValidationFailed("invalid_phone", _("联系电话应为11位手机号，或带区号的固定电话（如 0471-6951234）"),
                           field="caller_phone")


def _phone_columns(phone: str) -> dict[str, str]:
    if not phone:
        return {"caller_phone_encrypted": "", "caller_phone_index": "", "caller_phone_masked": ""}
    return {"caller_phone_encrypted": encrypt_text(phone), "caller_phone_index": blind_index(phone),
            "caller_phone_masked": mask_mobile(phone)}


def _common(kind: str, category: str, text: str) -> tuple[str, str, str]:
    kind = _choice(kind, Complaint.Kind, "invalid_kind", _("请选择投诉或咨询"), "kind")
    category = _choice(category, Complaint.Category, "invalid_category", _("请选择类别"), "category")
    return kind, category, _text(text)


def _audit_filed(actor: Actor, complaint: Complaint, action: str) -> None:
    record_event(actor=actor, action=action, object_type="Complaint", object_id=complaint.pk,
                 after={"kind": complaint.kind, "category": complaint.category, "channel": complaint.channel,
                        "county": complaint.county_id, "level": complaint.level, "worker": complaint.worker_id,
                        "caller_phone": complaint.caller_phone_masked, "claim": complaint.claim_id,
                        "due_on": complaint.due_on.isoformat()})


# --- filing ------------------------------------------------------------------------------------
@transaction.atomic
def file_complaint(*, actor: WorkerActor, kind: str, category: str, text: str, claim_id: int | None = None,
                   today: date | None = None) -> Complaint:
    """The worker files a complaint or question from her phone page; her unit's county answers it first."""
    if not isinstance(actor, WorkerActor):
        raise PermissionDenied(_("只有职工本人可以在手机上提交投诉咨询"))
    today = today or timezone.localdate()
    worker = own_worker(actor.worker_id)
    kind, category, text = _common(kind, category, text)
    if claim_id is not None and not claim_queries.claims_of_worker(worker.pk).filter(pk=claim_id).exists():
        raise ValidationFailed("unknown_claim", _("所选申领不是您本人的申领"), field="claim")
    complaint = Complaint.objects.create(
        kind=kind, category=category, channel=Complaint.Channel.PHONE_PAGE, worker=worker, claim_id=claim_id,
        text=text, league_id=worker.league_id, county_id=worker.county_id, level=L.COUNTY, received_on=today,
        level_since_on=today, due_on=due_from(today))
    _audit_filed(actor, complaint, "file_complaint")
    return complaint


@transaction.atomic
def log_call(*, actor: Actor, kind: str, category: str, text: str, channel: str = Complaint.Channel.HOTLINE,
             worker=None, caller_name: str = "", caller_phone: str = "", county_code: str = "",
             claim_id: int | None = None, level: str = L.COUNTY, today: date | None = None) -> Complaint:
    """A clerk logs a 12351 hotline call (or a visit at the desk): a worker of the scope, or a caller with
    a phone to answer; it starts at the county unless the clerk keeps it at her own level (an office or
    the association taking a complaint about the level below)."""
    scope = scope_of(actor)
    if not queries.may_write(scope):
        raise PermissionDenied(_("只有代办点、办事处和协会工作人员可以登记来电"))
    today = today or timezone.localdate()
    kind, category, text = _common(kind, category, text)
    if channel not in (Complaint.Channel.HOTLINE, Complaint.Channel.DESK):
        raise ValidationFailed("invalid_channel", _("请选择受理渠道"), field="channel")
    own_level = queries.level_of(scope) or L.PROVINCE
    if level not in L.values or queries.level_rank(level) > queries.level_rank(own_level):
        raise ValidationFailed("not_at_your_level", _("受理层级不能高于您所在的层级"), field="level")
    if caller_name.strip():
        try:
            caller_name = clean_person_name(caller_name)
        except ValueError as exc:
            raise ValidationFailed("invalid_caller_name", _(str(exc)), field="caller_name") from exc
    phone = parse_caller_phone(caller_phone) if caller_phone.strip() else ""
    if worker is not None:
        if not scope.contains(worker):
            raise NotFound()
        league_code, county = worker.league_id, worker.county_id
        claims = claim_queries.claims_of_worker_in_scope(scope, worker.pk)
    else:
        if not phone:
            raise ValidationFailed("caller_required", _("匿名或未登记的来电人请留下联系电话，以便答复"),
                                   field="caller_phone")
        found = counties_in_scope(scope).filter(pk=county_code or (scope.code if scope.is_county else "")).first()
        if found is None or found.parent_id is None:
            raise ValidationFailed("invalid_county", _("请选择来电人所在的旗县"), field="county")
        league_code, county = found.parent_id, found.code
        claims = claim_queries.claims_in_scope(scope)
    if claim_id is not None and not claims.filter(pk=claim_id).exists():
        raise ValidationFailed("unknown_claim", _("申领 #%(number)s 不存在，或不属于该职工") % {"number": claim_id},
                               field="claim")
    complaint = Complaint.objects.create(
        kind=kind, category=category, channel=channel, worker=worker, caller_name=caller_name, **_phone_columns(phone),
        claim_id=claim_id, text=text, league_id=league_code, county_id=county, level=level, received_on=today,
        level_since_on=today, due_on=due_from(today), logged_by=user_of(actor))
    _audit_filed(actor, complaint, "log_complaint_call")
    return complaint


# --- answering ---------------------------------------------------------------------------------
def _require_may_answer(actor: Actor, complaint: Complaint) -> None:
    scope = scope_of(actor)
    if not queries.may_write(scope):
        raise PermissionDenied(_("您的角色不能答复投诉咨询"))
    if not queries.in_scope(scope, complaint):
        raise NotFound()
    level = queries.level_of(scope) or L.PROVINCE  # the system acts as the association
    if queries.level_rank(level) < queries.level_rank(complaint.level):
        raise Conflict("not_at_your_level", _("该件已升级至%(level)s，由%(level)s答复") % {
            "level": complaint.get_level_display()})


@transaction.atomic
def reply(*, actor: Actor, complaint: Complaint, text: str) -> Complaint:
    """Answer a complaint at its level or above; the worker sees the reply on her phone page."""
    _require_may_answer(actor, complaint)
    text = _text(text, code="reply_required", field_name="reply")
    now = timezone.now()
    level = queries.level_of(scope_of(actor)) or L.PROVINCE
    COMPLAINT.move(actor=actor, record=complaint, action=Action.REPLY, updates={
        "reply": text, "replied_at": now, "replied_on": timezone.localdate(now), "replied_by": user_of(actor),
        "replied_level": level}, audit_after={"level": complaint.level, "replied_level": level,
                                              "due_on": complaint.due_on.isoformat()})
    return complaint


@transaction.atomic
def close(*, actor: Actor, complaint: Complaint) -> Complaint:
    """Close an answered complaint: the worker herself (her question is settled) or staff who may answer it."""
    if isinstance(actor, WorkerActor):
        if complaint.worker_id != actor.worker_id:
            raise NotFound()
    else:
        _require_may_answer(actor, complaint)
    COMPLAINT.move(actor=actor, record=complaint, action=Action.CLOSE, updates={"closed_at": timezone.now()})
    return complaint


# --- the clock ---------------------------------------------------------------------------------
@dataclass
class EscalationRun:
    """What one run of the clock did: the complaints moved from each level, and those left overdue at the top."""

    today: date
    escalated: dict[str, list[int]] = field(default_factory=dict)
    overdue_at_top: int = 0

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.escalated.values())


@transaction.atomic
def escalate_overdue(*, actor: Actor = None, today: date | None = None) -> EscalationRun:
    """Move every open complaint whose clock ran out before `today` one level up, its clock restarted there.

    Set-based: per level one locked SELECT of the late ones, their history rows in one insert, one
    UPDATE. Safe to re-run: a moved complaint is due in the future at its new level, and the history's
    unique (complaint, from_level) refuses a second move from a level. A complaint the job missed for
    days moves one level per run, never two at once: the next level gets its full clock.
    """
    if actor is not None and not isinstance(actor, SystemActor):
        raise PermissionDenied(_("升级由系统按时限自动执行"))
    today = today or timezone.localdate()
    run = EscalationRun(today=today)
    new_due = due_from(today)
    now = timezone.now()
    # The upper level first, so nothing moved up in this run can be counted again.
    for from_level in reversed(queries.LEVELS[:-1]):
        to_level = queries.next_level(from_level)
        assert to_level is not None
        late = list(Complaint.objects.select_for_update().filter(status=S.OPEN, level=from_level, due_on__lt=today)
                    .order_by("pk").values_list("pk", "due_on"))
        for start in range(0, len(late), ESCALATION_CHUNK):
            chunk = late[start:start + ESCALATION_CHUNK]
            ids = [pk for pk, _due in chunk]
            ComplaintEscalation.objects.bulk_create([
                ComplaintEscalation(complaint_id=pk, from_level=from_level, to_level=to_level, at=now, on=today,
                                    missed_due_on=due, due_on=new_due, reason=ESCALATION_REASON)
                for pk, due in chunk])
            Complaint.objects.filter(pk__in=ids, status=S.OPEN, level=from_level).update(
                level=to_level, level_since_on=today, due_on=new_due, escalation_count=F("escalation_count") + 1)
        if late:
            ids = [pk for pk, _due in late]
            run.escalated[from_level] = ids
            record_bulk_event(actor=actor, action="escalate_complaints", object_type="Complaint", object_ids=ids,
                              summary={"from_level": from_level, "to_level": to_level, "on": today.isoformat(),
                                       "due_on": new_due.isoformat(), "reason": ESCALATION_REASON,
                                       "complaints": ids})
    run.overdue_at_top = Complaint.objects.filter(status=S.OPEN, level=L.PROVINCE, due_on__lt=today).count()
    return run
