"""Web pages for units and workers: parse, call one query, render."""
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.core.params import page_param
from huzhu.regions.queries import counties_in_scope, scope_of
from huzhu.regions.roles import Role
from huzhu.security.permissions import can_open_document
from huzhu.security.services import record_personal_data_view

from . import queries, services
from .forms import UnitForm, WorkerForm
from .models import DataConsent

DataConsentSource = DataConsent.Source

# Roles that keep rosters: unit contacts for their unit, agency points and offices in their region.
REGISTRARS = {Role.UNIT, Role.AGENCY, Role.OFFICE, Role.ASSOCIATION}
# Who reads a unit's consents to medical-insurance data matching; only its contact declares them,
# only the county desk records a worker's paper consent or withdrawal.
CONSENT_READERS = {Role.UNIT, Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR}
CONSENT_DESK_ROLES = {Role.AGENCY}

PAGE_SIZE = 25


SEARCH_SESSION = "members.search"


def _is_identifier(text: str) -> bool:
    """A full ID number or phone: eleven digits or more (any script) never go into a URL."""
    return sum(char.isdecimal() for char in text) >= 11


def _search_redirect(request):
    """The search form posts; a full identifier is kept in the session and the URL carries a token.

    Addresses end up in access and proxy logs, so `?q=150203198503021234` must never appear there.
    """
    text, county = request.POST.get("q", "").strip(), request.POST.get("county", "")
    params = {"county": county} if county else {}
    if _is_identifier(text):
        token = secrets.token_urlsafe(6)
        saved = dict(list(request.session.get(SEARCH_SESSION, {}).items())[-9:])  # the last ten searches
        saved[token] = text
        request.session[SEARCH_SESSION] = saved
        params["s"] = token
    elif text:
        params["q"] = text
    return redirect(f"{request.path}?{urlencode(params)}" if params else request.path)


def _search_page(request, search, template: str):
    """A searchable, paginated list with the county filter of the actor's scope."""
    if request.method == "POST":
        return _search_redirect(request)
    scope = scope_of(request.user)
    token = request.GET.get("s", "")
    text = request.session.get(SEARCH_SESSION, {}).get(token, "") if token else request.GET.get("q", "")
    county = request.GET.get("county", "")
    page = Paginator(search(scope, text=text, county_code=county), PAGE_SIZE).get_page(page_param(request.GET))
    search_query = urlencode({key: value for key, value in (("s", token) if token else ("q", text),
                                                            ("county", county)) if value})
    return render(request, template, {"page": page, "q": text, "county": county, "search_query": search_query,
                                      "counties": counties_in_scope(scope),
                                      "may_register_unit": scope.role in REGISTRARS - {Role.UNIT}})


@login_required
def unit_list(request):
    return _search_page(request, queries.search_units, "members/unit_list.html")


@login_required
def unit_pick(request):
    """Search-as-you-type for a unit field (htmx): units in the actor's scope by name or credit code."""
    text = request.GET.get("unit_text", "")[:100]
    return render(request, "members/_unit_pick.html", {
        "units": queries.units_matching(scope_of(request.user), text), "text": text.strip(),
        "limit": queries.PICK_LIMIT})


@login_required
def unit_detail(request, pk: int):
    scope = scope_of(request.user)
    unit = queries.unit_for(scope, pk)
    workers = Paginator(queries.search_workers(scope, unit_id=unit.pk), PAGE_SIZE).get_page(page_param(request.GET))
    records = queries.unit_records(scope, unit.pk)
    records["claims"] = Paginator(records["claims"], PAGE_SIZE).get_page(page_param(request.GET, "claims_page"))
    return render(request, "members/unit_detail.html", {
        "unit": unit, "page": workers, "may_register_worker": scope.role in REGISTRARS,
        "may_read_consents": scope.role in CONSENT_READERS, **records})


@login_required
def worker_list(request):
    return _search_page(request, queries.search_workers, "members/worker_list.html")


@login_required
def worker_detail(request, pk: int):
    scope = scope_of(request.user)
    worker = queries.worker_for(scope, pk)
    employments = worker.employments.select_related("unit").order_by("-started_on")
    records = queries.worker_records(scope, worker.pk)
    records["documents"] = [(document, can_open_document(scope, document.kind)) for document in records["documents"]]
    record_personal_data_view(actor=request.user, worker=worker, view="members.worker_detail", request=request)
    return render(request, "members/worker_detail.html", {
        "worker": worker, "employments": employments, "consent": queries.data_consent_of(worker.pk),
        "consent_history": queries.data_consent_history(worker.pk),
        "may_record_consent": scope.role in CONSENT_DESK_ROLES, **records})


@login_required
@require_POST
def worker_data_consent(request, pk: int):
    """The county desk records a worker's paper consent to data matching, or her withdrawal (source desk)."""
    scope = scope_of(request.user)
    worker = queries.worker_for(scope, pk)
    if scope.role not in CONSENT_DESK_ROLES:
        return render(request, "403.html", status=403)
    try:
        if request.POST.get("action") == "withdraw":
            if services.withdraw_data_consent(actor=request.user, worker=worker, source="desk"):
                messages.success(request, _("已登记撤回：今后不再用医保结算数据为%(name)s比对") % {"name": worker.name})
            else:
                messages.info(request, _("%(name)s当前没有有效的授权") % {"name": worker.name})
        elif request.POST.get("paper") != "1":
            messages.error(request, _("请确认已收到职工本人签字的纸质授权书"))
        elif services.give_data_consent(actor=request.user, worker_ids=[worker.pk], source="desk"):
            messages.success(request, _("已登记%(name)s的纸质授权") % {"name": worker.name})
        else:
            messages.info(request, _("%(name)s已有有效的授权，无需重复登记") % {"name": worker.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("members:worker_detail", args=[worker.pk]) + "#data-consent")


CONSENT_PAGE_SIZE = 50


@login_required
def unit_data_consent(request, pk: int):
    """A unit's consents to data matching: who consents and through which door; its contact declares
    consent for all or chosen workers of the roster after ticking the declaration."""
    scope = scope_of(request.user)
    unit = queries.unit_for(scope, pk)
    if scope.role not in CONSENT_READERS:
        return render(request, "403.html", status=403)
    may_declare = scope.role == Role.UNIT
    workers = queries.unit_workers_with_consent(scope, unit.pk)
    if request.method == "POST":
        if not may_declare:
            return render(request, "403.html", status=403)
        chosen = (workers.filter(consent_source__isnull=True).values_list("pk", flat=True)
                  if request.POST.get("scope") == "all" else request.POST.getlist("workers"))
        try:
            ids = [int(pk) for pk in chosen]
        except ValueError:
            ids = []
        try:
            if request.POST.get("declaration") != "1":  # the contact vouches for the text she ticked
                raise ValidationFailed("declaration_required", _("请先阅读并勾选单位声明"), field="declaration")
            given = services.give_data_consent(actor=request.user, worker_ids=ids, source="unit",
                                               declaration=services.UNIT_DECLARATION_VERSION)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已为%(count)s名职工登记单位声明的授权") % {"count": given})
            return redirect("members:unit_data_consent", unit.pk)
    page = Paginator(workers, CONSENT_PAGE_SIZE).get_page(page_param(request.GET))
    counts = {"total": workers.count(), "consenting": workers.filter(consent_source__isnull=False).count()}
    return render(request, "members/unit_data_consent.html", {
        "unit": unit, "page": page, "may_declare": may_declare, "counts": counts,
        "sources": dict(DataConsentSource.choices), "declaration_version": services.UNIT_DECLARATION_VERSION})


def _form_error(form, exc: DomainError) -> None:
    """Show a service's refusal beside the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def unit_create(request):
    scope = scope_of(request.user)
    if scope.role not in REGISTRARS - {Role.UNIT}:
        return render(request, "403.html", status=403)
    county_choices = counties_in_scope(scope).select_related("parent")
    form = UnitForm(request.POST or None, counties=county_choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.register_unit(
                actor=request.user, name=data["name"], credit_code=data["credit_code"],
                county_code=data["county"], kind=data["kind"], sector=data["sector"],
                eligible_headcount=data["eligible_headcount"], female_headcount=data["female_headcount"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记单位：%(name)s") % {"name": unit.name})
            return redirect("members:unit_detail", unit.pk)
    return render(request, "members/form.html", {"form": form, "title": "登记会员单位"})


@login_required
def worker_create(request, unit_pk: int):
    scope = scope_of(request.user)
    unit = queries.unit_for(scope, unit_pk)
    if scope.role not in REGISTRARS:
        return render(request, "403.html", status=403)
    form = WorkerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker = services.register_worker(actor=request.user, unit=unit, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记职工：%(name)s（%(id)s）") % {"name": worker.name, "id": worker.id_number_masked})
            return redirect("members:worker_detail", worker.pk)
    return render(request, "members/form.html", {"form": form, "title": f"{unit.name} · 登记职工"})
