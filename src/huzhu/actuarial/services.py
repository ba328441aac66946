"""Writes of the actuarial app: a study is created (audited, queued) and run (progress, result)."""
from __future__ import annotations

import json
import logging
import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from huzhu.plans.models import Plan
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from . import inputs as study_inputs
from . import studies
from .models import Study
from .workflow import STUDY, Action

log = logging.getLogger(__name__)
WRITE_ROLES = {Role.ASSOCIATION}


def require_writer(actor: Actor) -> None:
    """Only the association (province scope) creates and runs studies; the command line passes actor=None."""
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.role not in WRITE_ROLES or not scope.is_province:
        raise PermissionDenied(_("只有协会可以发起精准测算"))


def validated_inputs(kind: str, data: dict) -> study_inputs.Inputs:
    """The study's inputs checked by its schema; the first error in Chinese, naming the field."""
    if kind not in study_inputs.SCHEMAS:
        raise ValidationFailed("unknown_kind", _("测算类型不正确"), field="kind")
    try:
        return study_inputs.parse(kind, data)
    except ValidationError as exc:
        field, label, message = study_inputs.errors_of(exc)[0]
        # Labels and constant messages of the pure input schema are in the catalogue (gettext_noop there).
        raise ValidationFailed("invalid_input", _("%(label)s：%(message)s") % {"label": _(label), "message": _(message)},
                               field=field) from None


@transaction.atomic
def create_study(*, actor: Actor, kind: str, data: dict, title: str = "") -> Study:
    """Save a study's inputs; the door that asked for it queues its run (`tasks.run_study_task`)."""
    require_writer(actor)
    parsed = validated_inputs(kind, data)
    if not Plan.objects.filter(code=parsed.plan).exists():
        raise ValidationFailed("no_plan", _("尚未设立保障项目“%(plan)s”") % {"plan": parsed.plan}, field="plan")
    study = Study.objects.create(
        kind=kind, plan_id=parsed.plan, title=(title.strip() or studies.default_title(kind, parsed))[:200],
        inputs=json.loads(parsed.model_dump_json()), created_by=user_of(actor))
    record_event(actor=actor, action="actuarial.create_study", object_type="actuarial.Study", object_id=study.pk,
                 after={"kind": kind, "title": study.title, "inputs": _summary(study.inputs)})
    return study


def _summary(inputs: dict) -> dict:
    """The inputs as audited: a what-if's whole terms document is left out (it is on the study)."""
    return {key: value for key, value in inputs.items() if key != "terms"}


def _set_progress(study_id: int, percent: int, message: str) -> None:
    Study.objects.filter(pk=study_id, status=Study.Status.RUNNING).update(progress=max(0, min(percent, 99)),
                                                                         message=message[:500])


def run_study(*, actor: Actor, study_id: int, force: bool = False) -> Study:
    """Compute a study and store its result. Safe to run again: a finished or failed study is recomputed
    only with `force`; a study already running elsewhere is left alone."""
    study = Study.objects.get(pk=study_id)
    action = Action.RERUN if force and study.status == Study.Status.DONE else Action.RUN
    claimed = STUDY.transition_for(study.status, action) is not None
    if claimed:
        try:
            with transaction.atomic():  # conditional update: only one worker moves it to running
                STUDY.move(actor=actor, record=study, action=action, audited=False, updates={
                    "progress": 0, "message": "", "started_at": timezone.now(), "finished_at": None})
        except Conflict:
            study.refresh_from_db()
            claimed = False
    if not claimed:
        if study.status == Study.Status.RUNNING:
            raise Conflict("already_running", _("该测算正在计算中"))
        return study
    scope = scope_of(study.created_by) if study.created_by_id else _system_scope()
    try:
        parsed = validated_inputs(study.kind, study.inputs)
        results = studies.RUNNERS[study.kind](scope, parsed, lambda p, m="": _set_progress(study_id, p, m))
    except DomainError as exc:
        return _finish(study, actor, status=Study.Status.FAILED, message=exc.message)
    except Exception as exc:  # a failed run is recorded on the study for the page, then logged
        log.exception("actuarial study %s failed", study_id)
        return _finish(study, actor, status=Study.Status.FAILED, message=f"计算失败：{type(exc).__name__}: {exc}"[:500])
    return _finish(study, actor, status=Study.Status.DONE, message="", results=json_safe(results))


def json_safe(value):
    """Plain JSON: NumPy numbers to Python, NaN and infinities to None (PostgreSQL's jsonb refuses them)."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (bool, str, type(None))):
        return value
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def _system_scope():
    from huzhu.core.scopes import Scope

    return Scope("province", role=Role.ADMIN)


@transaction.atomic
def _finish(study: Study, actor, *, status: str, message: str, results: dict | None = None) -> Study:
    done = status == Study.Status.DONE
    STUDY.move(actor=actor, record=study, action=Action.FINISH if done else Action.FAIL, note=message,
               updates={"message": message, "results": results or {},
                        "progress": 100 if done else study.progress,
                        "finished_at": timezone.now()},
               audit_after={"message": message})
    study.refresh_from_db()
    return study
