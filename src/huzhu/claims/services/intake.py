"""Intake: a claim is created, documents attached, and submitted — the same services for every door."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huzhu.archives.models import DocumentKind
from huzhu.archives.services import store_files
from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.crypto import encrypt_text
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members.models import Worker

from .. import review_clock, rules, screening
from ..models import Claim, ClaimDocument, Invoice
from ..workflow import UNDER_REVIEW_STATUSES, Action
from .actors import WorkerActor, require_claim_in_scope, require_in_scope, role_of
from .adjudication import adjudicate, lock_worker_decisions
from .limits import expert_review_amount, straight_through_limit
from .readings import record_readings
from .transitions import move_claim
from .voided import refuse_voided

if TYPE_CHECKING:  # a name for annotations only: coverages are read through enrollment.queries
    from huzhu.enrollment.models import Coverage

S = Claim.Status
PLAN_OF_TYPE = rules.PLAN_OF_TYPE
ICD10_PATTERN = re.compile(r"[A-Z]\d{2}(\.[0-9X]{1,3}(X\d{3})?)?")
EDITABLE = (S.DRAFT, S.SUPPLEMENT)
DIAGNOSIS_NAME_MAX = 100  # characters, as the column held before it was encrypted


def _required(value, field: str, label: str):
    if value in (None, ""):
        raise ValidationFailed("missing_field", _("请填写%(label)s") % {"label": label}, field=field)
    return value


def _event_date(claim_type: str, *, admitted_on, discharged_on, period_start_on, period_end_on, diagnosed_on,
                diagnosis_code, procedure, hospital) -> date:
    """Check the event facts each claim type needs; return the date that places it in a plan year."""
    if claim_type == "inpatient":
        _required(hospital, "hospital", _("医院"))
        _required(discharged_on, "discharged_on", _("出院日期"))
        return _required(admitted_on, "admitted_on", _("入院日期"))
    if claim_type == "outpatient_chronic":
        _required(period_end_on, "period_end_on", _("费用期间止"))
        return _required(period_start_on, "period_start_on", _("费用期间起"))
    if claim_type == "diagnosis":
        code = _required(diagnosis_code, "diagnosis_code", _("诊断编码"))
        if not ICD10_PATTERN.fullmatch(code):
            raise ValidationFailed("invalid_diagnosis_code", _("诊断编码“%(code)s”不是 ICD-10 格式（如 C50.900）") % {"code": code},
                                   field="diagnosis_code")
        return _required(diagnosed_on, "diagnosed_on", _("确诊日期"))
    if claim_type == "procedure":
        if procedure not in Claim.Procedure.values:
            raise ValidationFailed("invalid_procedure", _("请选择手术类型"), field="procedure")
        return _required(diagnosed_on, "diagnosed_on", _("手术日期"))
    raise ValidationFailed("invalid_claim_type", _("请选择申领类型"), field="claim_type")


def coverage_for(worker: Worker, plan_code: str, day: date) -> Coverage:
    """The worker's coverage in the plan year whose protection period holds `day` (DOMAIN.md)."""
    coverage = enrollment_queries.coverage_covering(worker.pk, plan_code, day)
    if coverage is not None:
        return coverage
    raise ValidationFailed("no_coverage", _("该职工在 %(day)s 所属保障年度没有有效的保障凭证") % {"day": day}, field="event_on")


def _insert_invoices(claim: Claim, invoices: list[rules.InvoiceFacts]) -> None:
    """Insert the invoices; the database refuses one that another claim already holds, the lists one voided."""
    refuse_voided(invoices)
    for invoice in invoices:
        holder = (Invoice.objects.filter(code=invoice.code, number=invoice.number, released_at__isnull=True)
                  .exclude(claim_id=claim.pk).values_list("claim_id", flat=True).first())
        if holder:
            raise ValidationFailed("invoice_used", _("票据 %(code)s-%(number)s 已用于申领 #%(claim)s") % {
                "code": invoice.code, "number": invoice.number, "claim": holder},
                                   field="invoices")
        try:
            with transaction.atomic():
                Invoice.objects.create(claim=claim, code=invoice.code, number=invoice.number,
                                       check_code=invoice.check_code, amount=invoice.amount)
        except IntegrityError as exc:  # a concurrent claim took it between the look-up and the insert
            raise ValidationFailed("invoice_used", _("票据 %(code)s-%(number)s 已用于其他申领") % {
                "code": invoice.code, "number": invoice.number},
                                   field="invoices") from exc


def _parsed_invoices(invoices: list[dict]) -> list[rules.InvoiceFacts]:
    parsed = []
    for row, item in enumerate(invoices, start=1):
        try:
            parsed.append(rules.parse_invoice(item.get("code") or "", item.get("number") or "", item.get("check_code") or "",
                                              Decimal(str(item.get("amount") or "0")), row=row))
        except ValueError as exc:
            raise ValidationFailed("invalid_invoice", str(exc), field="invoices", row=row) from exc
    problems = rules.invoice_problems(tuple(parsed), frozenset())
    if problems:
        raise ValidationFailed(problems[0].code, problems[0].message, field="invoices")
    return parsed


@transaction.atomic
def create_claim(*, actor: Actor, worker: Worker, claim_type: str, hospital: str = "", admitted_on=None,
                 discharged_on=None, period_start_on=None, period_end_on=None, diagnosed_on=None,
                 diagnosis_code: str = "", diagnosis_name: str = "", procedure: str = "",
                 amounts: dict | None = None, invoices: Sequence[dict] = (), worker_deceased: bool = False,
                 readings: Sequence[dict] = ()) -> Claim:
    """Create a draft claim for a worker in the actor's scope; invoices are reserved at once."""
    require_in_scope(actor, worker_id=worker.pk, league_code=worker.league_id, county_code=worker.county_id,
                     unit_id=worker.unit_id)
    diagnosis_code = (diagnosis_code or "").strip().upper()
    name = (diagnosis_name or "").strip()
    if len(name) > DIAGNOSIS_NAME_MAX:
        raise ValidationFailed("invalid_diagnosis_name", _("诊断名称最多 %(count)s 个字") % {"count": DIAGNOSIS_NAME_MAX},
                               field="diagnosis_name")
    event_on = _event_date(claim_type, admitted_on=admitted_on, discharged_on=discharged_on,
                           period_start_on=period_start_on, period_end_on=period_end_on, diagnosed_on=diagnosed_on,
                           diagnosis_code=diagnosis_code, procedure=procedure, hospital=hospital)
    amount_values = {name: Decimal(str((amounts or {}).get(name) or "0")) for name in rules.AMOUNT_FIELDS}
    parsed = _parsed_invoices(list(invoices))
    problems = rules.amount_problems(claim_type, rules.Amounts(**amount_values), tuple(parsed))
    if problems:
        raise ValidationFailed(problems[0].code, problems[0].message, field=problems[0].field)
    coverage = coverage_for(worker, PLAN_OF_TYPE[claim_type], event_on)
    role = role_of(actor)
    channel = {"worker": Claim.Channel.WORKER, "unit": Claim.Channel.UNIT}.get(role, Claim.Channel.DESK)
    claim = Claim.objects.create(
        worker=worker, coverage=coverage, plan_year_id=coverage.plan_year_id, claim_type=claim_type, channel=channel,
        worker_deceased=worker_deceased, league_id=coverage.league_id, county_id=coverage.county_id,
        unit_id=coverage.unit_id, hospital=hospital.strip(), admitted_on=admitted_on, discharged_on=discharged_on,
        period_start_on=period_start_on, period_end_on=period_end_on, diagnosed_on=diagnosed_on,
        diagnosis_code=diagnosis_code, diagnosis_name_encrypted=encrypt_text(name) if name else "", procedure=procedure,
        submitted_by=user_of(actor), **amount_values,
    )
    claim.plan_year, claim.coverage = coverage.plan_year, coverage  # already loaded with the terms
    _insert_invoices(claim, parsed)
    if readings:  # the documents the form was filled from (services.readings), with what was corrected
        record_readings(claim=claim, readings=list(readings))
    record_event(actor=actor, action="create_claim", object_type="Claim", object_id=claim.pk,
                 after={"worker": worker.pk, "type": claim_type, "channel": channel,
                        "invoices": [f"{i.code}-{i.number}" for i in parsed]})
    return claim


@transaction.atomic
def attach_documents(*, actor: Actor, claim: Claim, documents: list[tuple[str, object]]) -> list[ClaimDocument]:
    """Archive uploaded files and link them to the claim as documents of their kinds."""
    require_claim_in_scope(actor, claim)
    unknown = [kind for kind, _upload in documents if kind not in DocumentKind.values]
    if unknown:
        raise ValidationFailed("invalid_document_kind", _("请选择材料类型"), field="kind")
    if isinstance(actor, WorkerActor) and claim.status not in EDITABLE:
        raise Conflict("claim_not_editable", _("申领已在审核中，如需补充材料请联系代办点"))
    if claim.status not in EDITABLE + UNDER_REVIEW_STATUSES:
        raise Conflict("claim_closed", _("申领已办结，不能再添加材料"))
    user = user_of(actor)
    # every file is checked before the first is written: a refused one leaves nothing in the archive
    stored = store_files(actor=user, uploads=[upload for _kind, upload in documents])
    linked = [ClaimDocument(claim=claim, kind=kind, file=file, uploaded_by=user)
              for (kind, _upload), file in zip(documents, stored)]
    ClaimDocument.objects.bulk_create(linked, ignore_conflicts=True)  # the same file twice is one document
    record_event(actor=actor, action="attach_claim_documents", object_type="Claim", object_id=claim.pk,
                 after={"documents": [{"kind": d.kind, "sha256": d.file.sha256} for d in linked]})
    return linked


def attach_document(*, actor: Actor, claim: Claim, kind: str, upload) -> ClaimDocument:
    """Archive one uploaded file and link it to the claim (the phone page's upload)."""
    return attach_documents(actor=actor, claim=claim, documents=[(kind, upload)])[0]


@transaction.atomic
def submit_claim(*, actor: Actor, claim: Claim, comment: str = "", today: date | None = None,
                 straight_through_only: bool = False) -> Claim:
    """Check a draft (or supplemented) claim, decide its benefit, and send it on its way.

    Missing documents send it back for supplement with the list; complete ones start the review
    clock. A county clerk's desk intake is the first review. A clean claim below the limit is
    approved straight through, every skipped step recorded as an automatic decision.
    `straight_through_only` (a settlement at discharge): a claim that would not go straight through raises
    Conflict("not_straight_through") naming every reason, and the caller rolls its savepoint back.
    """
    lock_worker_decisions(claim.worker_id)  # it may be approved straight through: lock first
    today = today or timezone.localdate()
    action = Action.RESUBMIT if claim.status == S.SUPPLEMENT else Action.SUBMIT
    adjudication = adjudicate(claim, final=False, today=today)
    terms, facts = adjudication.terms, adjudication.facts
    problems = rules.submission_problems(terms, facts)
    if problems:
        raise ValidationFailed(problems[0].code, problems[0].message, field=problems[0].field or None)
    refuse_voided(facts.invoices, ask_service=True)  # a list imported since the draft, or the verification service
    if not adjudication.decision.covered:
        refusal = adjudication.decision.steps[-1].label if adjudication.decision.steps else adjudication.decision.reason
        raise ValidationFailed(f"not_covered_{adjudication.decision.reason}", refusal, field="event_on")
    complex_case = rules.is_complex(claim.claim_type, deceased=claim.worker_deceased)
    expert = rules.needs_expert_review(claim.claim_type, adjudication.decision.benefit, expert_review_amount())
    updates = {**adjudication.stored_fields(), "submitted_at": timezone.now(), "complex_case": complex_case,
               "expert_required": expert, "missing_items": []}
    move_claim(actor=actor, claim=claim, action=action, comment=comment, updates=updates)
    missing = rules.missing_documents(terms, facts)
    if missing and straight_through_only:
        labels = "、".join(str(DocumentKind(kind).label) for kind in missing)
        raise Conflict("not_straight_through", _("需提交材料：%(labels)s") % {"labels": labels})
    if missing:
        with translation.override(settings.LANGUAGE_CODE):  # the history is kept in the scheme's language
            labels = "、".join(str(DocumentKind(kind).label) for kind in missing)
        return move_claim(actor=None, claim=claim, action=Action.RETURN, reason_code="documents_missing",
                                missing_items=missing, comment=f"材料不全，请补充：{labels}")
    due = review_clock.due_on(today, simple_days=terms.review_days_simple, complex_days=terms.review_days_complex,
                              complex_case=complex_case)
    move_claim(actor=None, claim=claim, action=Action.ROUTE, comment="材料齐全，开始计算办结时限",
                     updates={"documents_complete_on": today, "due_on": due})
    if role_of(actor) == "agency":
        move_claim(actor=actor, claim=claim, action=Action.PASS_FIRST, comment="代办点窗口受理，初审通过")
    risk = screening.screen_claim(actor=actor, claim=claim)  # the risk app owns the checks; its score decides
    blockers = list(risk.findings) if risk.blocks else []
    verdict = rules.straight_through(decision=adjudication.decision, missing=missing,
                                     findings=blockers, limit=straight_through_limit(),
                                     complex_case=complex_case, expert_review=expert)
    if straight_through_only and not verdict.eligible:
        raise Conflict("not_straight_through", "；".join(verdict.reasons))
    if verdict.eligible:
        from .review import advance_straight_through

        advance_straight_through(claim=claim, reasons=verdict.reasons)
    else:  # a person decides: the claim says why (the page shows it; the straight-through share counts it)
        Claim.objects.filter(pk=claim.pk).update(manual_review_reasons=list(verdict.codes))
        claim.manual_review_reasons = list(verdict.codes)
    return claim


@transaction.atomic
def file_claim(*, actor: Actor, worker: Worker, documents: Sequence[tuple[str, object]] = (), comment: str = "",
               today: date | None = None, **claim_fields) -> Claim:
    """Create, attach documents and submit in one go (the desk form, the API); all or nothing."""
    lock_worker_decisions(worker.pk)  # first, before create_claim's writes: see lock_worker_decisions
    claim = create_claim(actor=actor, worker=worker, **claim_fields)
    if documents:
        attach_documents(actor=actor, claim=claim, documents=list(documents))
    return submit_claim(actor=actor, claim=claim, comment=comment, today=today)
