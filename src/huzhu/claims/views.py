"""Claim pages: the desk form, work queues, the claim page with review actions, the review clock's holiday
schedule, the worker's phone page."""
from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huzhu.archives.reading import Unreadable, read_document
from huzhu.archives.services import path_of, thumbnail_path_of
from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.core.params import date_param, page_param, parse_integer
from huzhu.core.views import act_and_redirect
from huzhu.members.queries import own_worker, worker_by_id_number
from huzhu.plans.queries import plan_choices
from huzhu.regions.queries import counties_in_scope, scope_of
from huzhu.regions.roles import Role, association_reads, association_writes
from huzhu.security import worker_session
from huzhu.security.permissions import can_open_document
from huzhu.security.services import record_personal_data_view

from . import forms, icd10, queries, screening, services, workflow
from .models import Claim
from .services import calendar, readings
from .services.voided import HEADER as VOIDED_HEADER

PAGE_SIZE = 30
INTAKE_ROLES = {Role.AGENCY, Role.UNIT, Role.ASSOCIATION}
# The holiday schedule drives every reviewer's deadlines: reviewers and overseers read it, the association enters it.
CALENDAR_READERS = {Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR}


def _show(request, form, error: DomainError) -> None:
    """Put a domain error on its field when the form has it, else on the form."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    if form is not None:
        form.add_error(field, error.message)
    else:
        messages.error(request, error.message)


@login_required
def queue(request):
    """The role's work queue, ordered by the review clock, overdue first; filters narrow it, 30 a page."""
    scope = scope_of(request.user)
    filters, query = _queue_filters(request.GET, scope)
    today = timezone.localdate()
    claims = queries.search_claims(scope, filters, today=today)
    page = Paginator(claims, PAGE_SIZE).get_page(page_param(request.GET))
    risk = screening.queue_risk(scope, [c.pk for c in page])
    rows = [(claim, queries.clock_state(claim, today), risk.get(claim.pk)) for claim in page]
    straight, decided = queries.straight_through_share(scope, year=today.year)
    provisional = queries.provisional_calendar_years({today.year, *(c.due_on.year for c in page if c.due_on)})
    return render(request, "claims/queue.html", {
        "page": page, "rows": rows, "status": filters.status, "statuses": Claim.Status.choices, "filters": filters,
        "query": query, "plans": plan_choices(), "claim_types": Claim.Type.choices, "channels": Claim.Channel.choices,
        "counties": counties_in_scope(scope),
        "can_file": scope.role in INTAKE_ROLES, "year": today.year, "straight": straight, "decided": decided,
        "may_see_calendar": scope.role in CALENDAR_READERS,
        "provisional_years": "、".join(map(str, provisional))})


def _queue_filters(params, scope) -> tuple[queries.QueueFilters, str]:
    """The queue's filters from the query string (unknown values ignored) and the query string to page with."""
    def choice(name: str, values) -> str:
        value = params.get(name, "")
        return value if value in values else ""

    county = params.get("county", "")[:6]
    if county and not counties_in_scope(scope).filter(code=county).exists():
        county = ""  # a county outside the scope filters nothing rather than telling it exists
    filters = queries.QueueFilters(
        status=choice("status", Claim.Status.values), plan=choice("plan", [code for code, _label in plan_choices()]),
        claim_type=choice("type", Claim.Type.values), county_code=county,
        submitted_from=date_param(params, "from_on"), submitted_to=date_param(params, "to_on"),
        overdue=params.get("overdue") == "1", channel=choice("channel", Claim.Channel.values),
        text=params.get("q", "").strip()[:40], due_soon=params.get("due_soon") == "1")
    pairs = (("status", filters.status), ("plan", filters.plan), ("type", filters.claim_type), ("county", county),
             ("from_on", filters.submitted_from.isoformat() if filters.submitted_from else ""),
             ("to_on", filters.submitted_to.isoformat() if filters.submitted_to else ""),
             ("overdue", "1" if filters.overdue else ""), ("channel", filters.channel), ("q", filters.text),
             ("due_soon", "1" if filters.due_soon else ""))
    return filters, urlencode([(key, value) for key, value in pairs if value])


@login_required
def new_claim(request):
    """The desk form: worker by ID number, the event, invoices, amounts and scans in one submit."""
    scope = scope_of(request.user)
    if scope.role not in INTAKE_ROLES:
        raise DjangoPermissionDenied
    form = forms.ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        worker = worker_by_id_number(scope, form.cleaned_data["id_number"])
        if worker is None:
            form.add_error("id_number", _("您的管辖范围内没有这个身份证号的职工"))
        else:
            try:
                claim = services.file_claim(actor=request.user, worker=worker, comment=form.cleaned_data["comment"],
                                            documents=forms.uploaded_documents(request.FILES),
                                            readings=readings.unsigned_readings(request.POST.getlist("reading")),
                                            **form.claim_fields())
            except DomainError as error:
                _show(request, form, error)
            else:
                messages.success(request, _("申领 #%(number)s 已提交：%(status)s") % {
                    "number": claim.pk, "status": claim.get_status_display()})
                return redirect("claims:detail", pk=claim.pk)
    required, deceased_extra = queries.required_documents_by_type(timezone.localdate().year)
    return render(request, "claims/new.html", {"form": form, "icd10": icd10.TABLE,
                                               "document_kinds": forms.DocumentKind.choices, "example_kinds": EXAMPLE_KINDS,
                                               "recognised_kinds": RECOGNISED_KINDS,
                                               "checklist": {"required": required, "deceased": deceased_extra,
                                                             "labels": {k: str(v) for k, v in forms.DocumentKind.choices},
                                                             "words": {"have": _("已选："), "missing": _("还缺："),
                                                                       "complete": _("必交材料已齐"),
                                                                       "separator": _("、")}}})


@login_required
@require_POST
def read_document_fields(request):
    """The desk form's 识别: an uploaded invoice or settlement sheet read (offline OCR, the QR code, an e-invoice's text
    layer) into the fields it proposes, each with its confidence (htmx fragment; reading.js fills the form). Nothing
    is stored: the scans are uploaded with the claim."""
    if scope_of(request.user).role not in INTAKE_ROLES:
        raise DjangoPermissionDenied
    return _read_fragment(request)


@login_required
@require_POST
def check_document(request):
    """The desk form's check as a scan is chosen: does the file read as the document it was put under? (htmx
    fragment beside the input; a recognised kind only, nothing stored)."""
    if scope_of(request.user).role not in INTAKE_ROLES:
        raise DjangoPermissionDenied
    expected = request.POST.get("expect", "")
    upload = next(iter(request.FILES.values()), None)
    warning = ""
    if expected in RECOGNISED_KINDS and upload is not None and upload.size <= forms.MAX_DOCUMENT_BYTES:
        warning = next(iter(_looks_wrong([(expected, upload)])), "")
    return render(request, "claims/_document_check.html", {"warning": warning})


@worker_session.worker_required
@require_POST
def mine_read_document(request):
    """The phone form's 识别: the same reading, for the signed-in worker's own claim form."""
    return _read_fragment(request)


# Documents with an example picture beside their upload (claims/static/claims/examples/<kind>.png, drawn by
# huzhu.demo.papers.example_image with invented facts) so the right paper is photographed the first time.
EXAMPLE_KINDS = tuple(kind for kind in forms.DocumentKind.values if kind != forms.DocumentKind.OTHER)
# The kinds a reading recognises: a photo uploaded as one of them that reads as another is pointed out at once.
RECOGNISED_KINDS = ("invoice", "settlement_sheet", "id_card", "bank_card")


def _looks_wrong(documents) -> list[str]:
    """A sentence for each uploaded photo that reads as another recognised document than the one it was put under
    (an ID card where the settlement sheet was asked for), so the supplement is asked now, not in a week."""
    labels = dict(forms.DocumentKind.choices)
    warnings = []
    for kind, upload in documents:
        if kind not in RECOGNISED_KINDS:
            continue
        upload.seek(0)
        try:
            read = read_document(upload.read()).proposal.kind
        except Unreadable:
            continue
        if read in RECOGNISED_KINDS and read != kind:
            warnings.append(_("上传到“%(expected)s”的照片看起来是%(read)s，请检查是否放错或重新拍照") % {
                "expected": labels[kind], "read": labels[read]})
    return warnings


def _read_fragment(request):
    form = forms.ReadDocumentForm(request.POST, request.FILES)
    context: dict = {"form": form}
    if form.is_valid():
        try:
            reading = read_document(form.cleaned_data["document"].read())
        except Unreadable as exc:
            form.add_error("document", _(exc.msgid))
        else:
            proposal = reading.proposal
            context.update(signed=readings.signed_reading(kind=proposal.kind, source=reading.source,
                                                          fields=proposal.fields, confidence=proposal.confidence))
            context.update(reading=reading, kind=forms.DocumentKind(reading.proposal.kind).label
                           if reading.proposal.kind in forms.DocumentKind.values else _("其他材料"),
                           rows=forms.proposed_values(reading.proposal))
    return render(request, "claims/_reading.html", context, status=200 if form.is_valid() else 422)


@login_required
def voided_invoices(request):
    """The voided and red-flushed invoices claims are refused on: the association imports a list (CSV/XLSX)."""
    scope = scope_of(request.user)
    if not association_reads(scope):
        raise DjangoPermissionDenied
    may_import = association_writes(scope)
    form = forms.VoidedInvoicesForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_import:
            raise DjangoPermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = services.import_voided_invoices(actor=request.user, file_name=upload.name, content=upload.read())
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("已导入 %(count)s 张作废或红冲票据") % {"count": count})
                return redirect("claims:voided_invoices")
        status = 422
    return render(request, "claims/voided_invoices.html", {
        "form": form, "may_import": may_import, "invoices": queries.voided_invoices()[:100],
        "count": queries.voided_invoices().count(), "verifier": bool(getattr(settings, "HUZHU_EINVOICE_VERIFY_URL", "")),
        "header": "，".join(VOIDED_HEADER)}, status=status)


@login_required
def icd10_search(request):
    """Diagnosis search for the desk form (htmx fragment; the datalist works without it)."""
    text = request.GET.get("q") or request.GET.get("diagnosis_code", "")
    return render(request, "claims/_icd10_results.html", {"results": icd10.search(text)})


@login_required
def detail(request, pk: int):
    """One claim: facts, the engine's steps, documents, history, and the actions the viewer may take."""
    scope = scope_of(request.user)
    claim = queries.claim_for(scope, pk)
    level = workflow.REVIEW_LEVEL_OF_STATUS.get(claim.status)
    may_review = level is not None and workflow.LEVEL_ROLE[level] == scope.role
    may_give_opinion = may_review and level == workflow.EXPERT  # the expert gives an opinion, she does not review
    record_personal_data_view(actor=request.user, worker=claim.worker_id, view="claims.detail", request=request)
    openable = {d.kind for d in claim.documents.all() if can_open_document(scope, d.kind)}
    return render(request, "claims/detail.html", {
        "claim": claim, "may_review": may_review and not may_give_opinion, "review_form": forms.ReviewForm(),
        "may_give_opinion": may_give_opinion, "opinion_form": forms.ExpertOpinionForm(), "openable_kinds": openable,
        "adjust_form": forms.AdjustForm(initial={n: getattr(claim, n) for n in forms.AdjustForm.base_fields
                                                 if n != "reason"}),
        "may_withdraw": claim.submitted_by_id == request.user.pk and claim.status in workflow.OPEN_STATUSES + ("draft",),
        "clock": queries.clock_state(claim, timezone.localdate()), **_claim_context(claim),
        "readings": _readings_shown(claim), **screening.claim_page_risk(scope, claim)})


def _readings_shown(claim) -> list[dict]:
    kinds = dict(forms.DocumentKind.choices)
    sources = {"pdf_text": _("PDF 电子票据"), "ofd": _("OFD 电子票据"), "ocr": _("照片识别"), "none": _("未识别")}
    return [{"kind_label": kinds.get(r.kind, r.kind), "source_label": sources.get(r.source, r.source), "fields": r.fields,
             "corrections": {str(forms.READ_FIELD_LABELS.get(name, name)): pair for name, pair in r.corrections.items()}}
            for r in queries.readings_of(claim)]


# Why automation left a claim to a person (rules.MANUAL_REASONS codes), as the claim page says it.
MANUAL_REASON_LABELS = {
    "not_covered": gettext_lazy("引擎判定不属于保障范围"), "zero_benefit": gettext_lazy("补助金为 0"), "missing": gettext_lazy("材料不全"),
    "risk": gettext_lazy("有风险提示"), "above_limit": gettext_lazy("补助金不低于自动审批限额"), "limit_cut": gettext_lazy("补助金受年度限额扣减"),
    "complex": gettext_lazy("复杂案件"), "expert": gettext_lazy("需医学专家评审"),
}


def _claim_context(claim: Claim) -> dict:
    labels = dict(forms.DocumentKind.choices)
    return {"missing": [labels.get(item, item) for item in claim.missing_items],
            "manual_reasons": [MANUAL_REASON_LABELS.get(code, code) for code in claim.manual_review_reasons],
            "history": claim.status_changes.all(), "documents": claim.documents.all()}


@login_required
@require_POST
def review(request, pk: int):
    """A reviewer's decision: pass, return for supplement, or reject."""
    claim = queries.claim_for(scope_of(request.user), pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论"))
        return redirect("claims:detail", pk=pk)
    data = form.cleaned_data

    def decide():
        if data["decision"] == "pass":
            services.pass_review(actor=request.user, claim=claim, comment=data["comment"])
        elif data["decision"] == "return":
            items = list(data["missing_items"]) + ([data["other_missing"]] if data["other_missing"] else [])
            services.return_for_supplement(actor=request.user, claim=claim, missing_items=items,
                                           comment=data["comment"])
        else:
            services.reject_claim(actor=request.user, claim=claim, reason_code=data["reason_code"],
                                  comment=data["comment"])
    return act_and_redirect(request, decide, to=reverse("claims:detail", kwargs={"pk": pk}), done=lambda result: _(
        "申领 #%(number)s：%(status)s") % {"number": claim.pk, "status": claim.get_status_display()})


def _back_with_form_errors(request, form, pk: int):
    """Back to the claim page with every error of a form the page posted."""
    messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("claims:detail", pk=pk)


@login_required
@require_POST
def expert_opinion(request, pk: int):
    """The medical expert's opinion with reasons; the claim goes on to the association."""
    claim = queries.claim_for(scope_of(request.user), pk)
    form = forms.ExpertOpinionForm(request.POST)
    if not form.is_valid():
        return _back_with_form_errors(request, form, pk)
    return act_and_redirect(
        request, lambda: services.give_expert_opinion(actor=request.user, claim=claim, opinion=form.cleaned_data["opinion"],
                                                      reasons=form.cleaned_data["reasons"]),
        to="claims:queue", back=reverse("claims:detail", kwargs={"pk": pk}),
        done=_("申领 #%(number)s：专家意见已提交，转协会审批") % {"number": claim.pk})


@login_required
@require_POST
def adjust(request, pk: int):
    claim = queries.claim_for(scope_of(request.user), pk)
    form = forms.AdjustForm(request.POST)
    if not form.is_valid():
        return _back_with_form_errors(request, form, pk)
    return act_and_redirect(
        request, lambda: services.adjust_claim(actor=request.user, claim=claim, changes=form.changes(),
                                               reason=form.cleaned_data["reason"]),
        to=reverse("claims:detail", kwargs={"pk": pk}),
        done=lambda result: _("金额已调整，补助金重新计算为 %(amount)s 元") % {"amount": claim.benefit_amount})


@login_required
@require_POST
def withdraw(request, pk: int):
    claim = queries.claim_for(scope_of(request.user), pk)
    return act_and_redirect(
        request, lambda: services.withdraw_claim(actor=request.user, claim=claim, comment=request.POST.get("comment", "")),
        to=reverse("claims:detail", kwargs={"pk": pk}))


def _file_response(request, claim: Claim, document_pk: int, thumbnail: bool, *, actor, view: str):
    """A document's file, never cached by the browser or a proxy; every open is in the access log."""
    document = next((d for d in claim.documents.all() if d.pk == document_pk), None)
    if document is None or (thumbnail and not document.file.has_thumbnail):
        raise Http404
    stored = document.file
    path = thumbnail_path_of(stored) if thumbnail else path_of(stored)
    if not path.exists():
        raise Http404
    record_personal_data_view(actor=actor, worker=claim.worker_id, view=view + (".thumbnail" if thumbnail else ""),
                              field=document.kind, request=request)
    response = FileResponse(path.open("rb"), content_type="image/jpeg" if thumbnail else stored.content_type)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def document(request, pk: int, document_pk: int, thumbnail: bool = False):
    """A document's file (or thumbnail) for staff whose role may open documents of its kind."""
    scope = scope_of(request.user)
    claim = queries.claim_for(scope, pk)
    kind = next((d.kind for d in claim.documents.all() if d.pk == document_pk), None)
    if kind is None or not can_open_document(scope, kind):
        raise Http404  # as for a record out of scope: the answer tells nothing
    return _file_response(request, claim, document_pk, thumbnail, actor=request.user, view="claims.document")


@login_required
def bundle(request, pk: int):
    """The claim's archive bundle (ZIP with index) for audit: only the documents the role may open."""
    scope = scope_of(request.user)
    claim = queries.claim_for(scope, pk)
    if not any(can_open_document(scope, d.kind) for d in claim.documents.all()):
        raise Http404
    content = services.build_claim_bundle(actor=request.user, claim=claim,
                                          may_open=lambda kind: can_open_document(scope, kind))
    record_personal_data_view(actor=request.user, worker=claim.worker_id, view="claims.bundle", request=request)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="claim-{claim.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


# --- the review clock's holiday schedule (the association enters it; `huzhu official-days` is the other door)

def _calendar_scope(request):
    scope = scope_of(request.user)
    if scope.role not in CALENDAR_READERS:
        raise DjangoPermissionDenied
    return scope


def can_change_calendar(scope) -> bool:
    """Only the provincial association enters the State Council's schedule."""
    return scope.role == Role.ASSOCIATION and scope.is_province


def _year_of(text: str | None, default: int) -> int:
    year = parse_integer(text, minimum=2000, maximum=2100)
    return default if year is None else year


@login_required
def official_days(request):
    """Which schedule the review clock follows each year, one year's entered days, and the upload."""
    scope = _calendar_scope(request)
    may_change = can_change_calendar(scope)
    today = timezone.localdate()
    year = _year_of(request.POST.get("year") or request.GET.get("year"), today.year)
    form = forms.OfficialDaysForm(initial={"year": year})
    if request.method == "POST":
        if not may_change:
            raise DjangoPermissionDenied
        form = forms.OfficialDaysForm(request.POST, request.FILES)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                result = services.set_official_days(
                    actor=request.user, year=year, days=services.read_official_days(form.cleaned_data["file"].read()))
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _(
                    "已保存 %(year)s 年的节假日安排：共 %(days)s 天（%(holidays)s 个节假日，%(working)s 个调休上班日）；"
                    "%(moved)s 件在办申领的办结期限已重新计算。") % {
                    "year": year, "days": result.holidays + result.working_days, "holidays": result.holidays,
                    "working": result.working_days, "moved": result.deadlines_moved})
                return redirect(f"{reverse('claims:official_days')}?year={year}")
    schedules = queries.official_schedules([today.year, today.year + 1, year])
    return render(request, "claims/official_days.html", {
        "year": year, "schedules": schedules, "selected": next(s for s in schedules if s.year == year),
        "days": queries.official_days_of(year), "form": form, "may_change": may_change,
        "provisional_days": queries.provisional_holidays_of(year),
        "headers": ",".join(calendar.HEADERS)})


@login_required
def official_days_template(request):
    """The empty CSV to fill in, with the Chinese headers."""
    _calendar_scope(request)
    return _csv_download(calendar.schedule_template_csv(), "official-days-template.csv")


@login_required
def official_days_csv(request, year: int):
    """A year's entered days in the upload format, to change and upload again."""
    _calendar_scope(request)
    return _csv_download(calendar.schedule_csv(queries.official_days_of(year)), f"official-days-{year}.csv")


def _csv_download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the worker's phone pages (signed in at /me/ with the one-time SMS code) ---------------------

@worker_session.worker_required
def mine(request):
    """The worker's own claims with their status."""
    return render(request, "claims/mine.html", {"claims": queries.claims_of_worker(request.worker_id)})


@require_POST
def mine_leave(request):
    worker_session.sign_out(request)
    return redirect("me:sign_in")


@worker_session.worker_required
def mine_new(request):
    """Start a claim on the phone: the coverage, the stay and its settlement figures make a draft; on
    the draft she photographs the documents, sees the estimated benefit and submits."""
    today = timezone.localdate()
    coverages = queries.claimable_coverages(request.worker_id, today=today)
    form = forms.WorkerClaimForm(request.POST or None, coverages=coverages)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.create_claim(actor=services.WorkerActor(request.worker_id),
                                          worker=own_worker(request.worker_id),
                                          readings=readings.unsigned_readings(request.POST.getlist("reading")),
                                          **form.claim_fields())
        except DomainError as error:
            _show(request, form, error)
        else:
            return redirect("claims:mine_claim", pk=claim.pk)
    return render(request, "claims/mine_new.html", {"form": form, "icd10": icd10.TABLE, "coverages": coverages})


def _draft_context(claim: Claim) -> dict:
    """A draft's checklist: each required document with how many photos it has, and the estimate."""
    if claim.status != Claim.Status.DRAFT:
        return {}
    labels = dict(forms.DocumentKind.choices)
    counts = Counter(document.kind for document in claim.documents.all())
    required = queries.required_documents_of(claim)
    decision = services.estimate_claim(claim)
    return {"checklist": [(kind, labels[kind], counts[kind])
                          for kind in dict.fromkeys([*required, forms.DocumentKind.OTHER])],
            "still_missing": [labels[kind] for kind in required if not counts[kind]],
            "estimate": decision, "estimate_steps": services.explanation_of(decision),
            "photo_accept": forms.PHOTO_ACCEPT, "example_kinds": EXAMPLE_KINDS}


@worker_session.worker_required
def mine_claim(request, pk: int):
    """One own claim: status, what is missing (with upload), the benefit and how it was computed; a
    draft shows its photo checklist, the estimated benefit and the submit button."""
    claim = queries.claim_of_worker(request.worker_id, pk)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    actor = services.WorkerActor(request.worker_id)
    if request.method == "POST":
        try:
            if "submit" in request.POST:  # a draft started on the phone
                services.submit_claim(actor=actor, claim=claim)
                messages.success(request, _("申领 #%(number)s 已提交：%(status)s") % {
                    "number": claim.pk, "status": claim.get_status_display()})
                return redirect("claims:mine")
            if "resubmit" in request.POST:
                services.submit_claim(actor=actor, claim=claim)
                messages.success(request, _("已重新提交：%(status)s") % {"status": claim.get_status_display()})
                return redirect("claims:mine_claim", pk=pk)
            if "photos" in request.POST:
                documents = forms.uploaded_documents(request.FILES)
                if not documents:
                    raise ValidationFailed("no_files", _("请先拍照或选择要上传的材料"))
                services.attach_documents(actor=actor, claim=claim, documents=documents)
                messages.success(request, _("已上传 %(count)s 个文件") % {"count": len(documents)})
                for warning in _looks_wrong(documents):
                    messages.warning(request, warning)
                return redirect("claims:mine_claim", pk=pk)
            if form.is_valid():
                services.attach_document(actor=actor, claim=claim, kind=form.cleaned_data["kind"],
                                         upload=form.cleaned_data["files"])
                messages.success(request, _("材料已上传"))
                return redirect("claims:mine_claim", pk=pk)
        except DomainError as error:
            _show(request, form, error)
    return render(request, "claims/mine_claim.html", {"claim": claim, "form": form, **_claim_context(claim),
                                                      **_draft_context(claim)})


def mine_document(request, pk: int, document_pk: int, thumbnail: bool = False):
    worker_id = worker_session.signed_in_worker_id(request)
    if not worker_id:
        raise Http404
    claim = queries.claim_of_worker(worker_id, pk)
    return _file_response(request, claim, document_pk, thumbnail, actor=None, view="claims.mine_document")
