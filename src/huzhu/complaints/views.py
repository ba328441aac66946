"""Complaint pages: the staff queue, a logged call, one complaint with its reply; the worker's phone pages."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.claims import queries as claim_queries
from huzhu.core.actors import WorkerActor
from huzhu.core.errors import DomainError, NotFound
from huzhu.core.params import page_param
from huzhu.core.views import act_and_redirect
from huzhu.members.queries import search_workers
from huzhu.regions.queries import counties_in_scope, scope_of
from huzhu.security import worker_session

from . import forms, queries, services
from .models import Complaint

PAGE_SIZE = 30


def _scope(request, allowed=queries.may_read):
    scope = scope_of(request.user)
    if not allowed(scope):
        raise HttpForbidden(_("您的角色无权查看投诉咨询"))
    return scope


def _show(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _filters(params, scope) -> tuple[queries.Filters, str]:
    def choice(name, values):
        value = params.get(name, "")
        return value if value in values else ""

    counties = {c.code for c in counties_in_scope(scope)}
    filters = queries.Filters(
        status=choice("status", Complaint.Status.values), level=choice("level", Complaint.Level.values),
        kind=choice("kind", Complaint.Kind.values), category=choice("category", Complaint.Category.values),
        county_code=choice("county", counties), overdue=params.get("overdue") == "1", due_soon=params.get("due") == "soon")
    pairs = (("status", filters.status), ("level", filters.level), ("kind", filters.kind),
             ("category", filters.category), ("county", filters.county_code),
             ("overdue", "1" if filters.overdue else ""), ("due", "soon" if filters.due_soon else ""))
    return filters, urlencode([(key, value) for key, value in pairs if value])


@login_required
def queue(request):
    """Complaints and questions of the region: open ones first by their clock, filters, 30 a page."""
    scope = _scope(request)
    today = timezone.localdate()
    filters, query = _filters(request.GET, scope)
    page = Paginator(queries.search_complaints(scope, filters, today=today), PAGE_SIZE).get_page(
        page_param(request.GET))
    rows = [(c, queries.is_overdue(c, today), queries.working_days_left(c, today)) for c in page]
    return render(request, "complaints/queue.html", {
        "rows": rows, "page": page, "filters": filters, "query": query, "may_write": queries.may_write(scope),
        "counties": counties_in_scope(scope), "statuses": Complaint.Status.choices, "levels": Complaint.Level.choices,
        "kinds": Complaint.Kind.choices, "categories": Complaint.Category.choices,
        "answer_days": services.answer_days()})


@login_required
def new(request):
    """Log a 12351 call or a desk visit: the worker found by name, ID number or phone, or an unregistered caller."""
    scope = _scope(request, queries.may_write)
    own = queries.level_of(scope)
    levels = queries.LEVELS[:queries.level_rank(own) + 1] if own else queries.LEVELS[:1]
    text = request.POST.get("worker_query", "").strip()[:40] if request.method == "POST" else ""
    workers = list(search_workers(scope, text=text)[:10]) if text else []
    form = forms.CallForm(request.POST or None, counties=counties_in_scope(scope), levels=levels, workers=workers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        worker = next((w for w in workers if w.pk == data["worker_id"]), None) if data["worker_id"] else None
        if worker is None and text:
            if len(workers) == 1:
                worker = workers[0]
            elif not workers:
                form.add_error("worker_query", _("管辖范围内没有找到“%(text)s”。未登记或匿名来电请清空此栏，填写联系电话和旗县")
                               % {"text": text})
            else:
                form.add_error("worker_id", _("有 %(count)s 位职工符合，请选择一位") % {"count": len(workers)})
        if not form.errors:
            try:
                complaint = services.log_call(
                    actor=request.user, kind=data["kind"], category=data["category"], text=data["text"],
                    channel=data["channel"], worker=worker, caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"], county_code=data["county"], claim_id=data["claim"],
                    level=data["level"])
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                _show(form, error)
            else:
                messages.success(request, _("已登记%(kind)s #%(number)s，答复期限 %(due)s") % {
                    "kind": complaint.get_kind_display(), "number": complaint.pk, "due": f"{complaint.due_on:%Y-%m-%d}"})
                return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {"form": form, "workers": workers,
                                                   "answer_days": services.answer_days()}, status=422 if form.errors else 200)


@login_required
def detail(request, pk: int):
    """One complaint: who, what, its clock and escalations, the reply; the reply form for those who may answer."""
    scope = _scope(request)
    complaint = queries.complaint_for(scope, pk)
    today = timezone.localdate()
    form = forms.ReplyForm(request.POST or None, initial={"reply": complaint.reply})
    may_reply = queries.may_reply(scope, complaint)
    if request.method == "POST":
        if not may_reply:
            raise HttpForbidden(_("该件不在您的答复层级"))
        if form.is_valid():
            try:
                services.reply(actor=request.user, complaint=complaint, text=form.cleaned_data["reply"])
            except DomainError as error:
                _show(form, error)
            else:
                messages.success(request, _("已答复，职工可在手机上查看"))
                return redirect("complaints:detail", pk=pk)
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "form": form, "may_reply": may_reply, "overdue": queries.is_overdue(complaint, today),
        "days_left": queries.working_days_left(complaint, today), "escalations": complaint.escalations.all()},
        status=422 if form.errors else 200)


@login_required
@require_POST
def close(request, pk: int):
    scope = _scope(request, queries.may_write)
    complaint = queries.complaint_for(scope, pk)
    return act_and_redirect(request, lambda: services.close(actor=request.user, complaint=complaint),
                            to=f"/complaints/{pk}/", done=_("已办结"))


# --- the worker's phone pages (signed in at /me/ with the one-time SMS code) ---------------------
@worker_session.worker_required
def mine(request):
    """Her complaints and questions with the replies, newest first."""
    return render(request, "complaints/mine.html", {"complaints": queries.complaints_of_worker(request.worker_id),
                                                    "answer_days": services.answer_days()})


@worker_session.worker_required
def mine_new(request):
    """File a complaint or a question from the phone: kind, category, optionally one of her claims, the text."""
    claims = list(claim_queries.claims_of_worker(request.worker_id)[:20])
    form = forms.WorkerComplaintForm(request.POST or None, claims=claims,
                                     initial={"claim": request.GET.get("claim", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.file_complaint(actor=WorkerActor(request.worker_id), kind=data["kind"],
                                                category=data["category"], text=data["text"], claim_id=data["claim"])
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("已提交%(kind)s #%(number)s，我们将在 %(due)s 前答复您") % {
                "kind": complaint.get_kind_display(), "number": complaint.pk, "due": f"{complaint.due_on:%Y-%m-%d}"})
            return redirect("my_complaints:list")
    return render(request, "complaints/mine_new.html", {"form": form, "answer_days": services.answer_days()},
                  status=422 if form.errors else 200)


@worker_session.worker_required
@require_POST
def mine_close(request, pk: int):
    """She marks an answered question settled."""
    complaint = queries.complaint_of_worker(request.worker_id, pk)
    return act_and_redirect(request, lambda: services.close(actor=WorkerActor(request.worker_id), complaint=complaint),
                            to="my_complaints:list", done=_("已确认解决，感谢您的反馈"))
